import Crypto

/// The JA3 (Salesforce) and JA4 (FoxIO) fingerprints of a ClientHello, GREASE values left out as both specify.
public enum TLSFingerprint {
    // Every handshake of a capture makes these, so the texts are built as bytes in scratch memory (on the stack when
    // small) and hashed there: the only allocation per fingerprint is its final String.

    /// JA3's text: `version,ciphers,extensions,groups,point formats`, decimal values joined by `-`.
    public static func ja3Text(_ hello: TLSClientHello) -> String {
        withJA3Bytes(hello) { String(decoding: $0, as: UTF8.self) }
    }

    /// JA3: the MD5 of `ja3Text`, lower-case hex.
    public static func ja3(_ hello: TLSClientHello) -> String {
        withJA3Bytes(hello) { md5Hex($0) }
    }

    /// The MD5 of `text`'s UTF-8, lower-case hex.
    static func md5Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { md5Hex($0) }
    }

    /// The MD5 of `bytes`, lower-case hex.
    static func md5Hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { md5Hex($0) }
    }

    /// The MD5 of `bytes`, lower-case hex.
    static func md5Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var md5 = Insecure.MD5()
        md5.update(bufferPointer: UnsafeRawBufferPointer(bytes))
        return md5.finalize().withUnsafeBytes { digest in
            String(unsafeUninitializedCapacity: digest.count * 2) { out in
                writeHex(UnsafeRawBufferPointer(digest), count: digest.count, to: out.baseAddress!)
                return digest.count * 2
            }
        }
    }

    /// Calls `body` with JA3's text as bytes.
    private static func withJA3Bytes<R>(_ hello: TLSClientHello, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        // Five characters and a separator per value at most, plus the version and four commas.
        let values = hello.cipherSuites.count + hello.extensions.count + hello.supportedGroups.count
            + hello.pointFormats.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6 * values + 16) { buffer in
            let out = buffer.baseAddress!
            var position = writeDecimal(hello.version, to: out, at: 0)
            out[position] = UInt8(ascii: ",")
            position = writeDecimalList(hello.cipherSuites, to: out, at: position + 1)
            out[position] = UInt8(ascii: ",")
            position = writeDecimalList(hello.extensions, to: out, at: position + 1)
            out[position] = UInt8(ascii: ",")
            position = writeDecimalList(hello.supportedGroups, to: out, at: position + 1)
            out[position] = UInt8(ascii: ",")
            position += 1
            var first = true
            for format in hello.pointFormats {
                if !first {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                first = false
                position = writeDecimal(UInt16(format), to: out, at: position)
            }
            return body(UnsafeBufferPointer(start: out, count: position))
        }
    }

    /// Writes the non-GREASE values joined by `-`; returns the position after them.
    private static func writeDecimalList(_ values: [UInt16], to out: UnsafeMutablePointer<UInt8>, at start: Int) -> Int {
        var position = start
        var first = true
        for value in values where !TLSClientHello.isGREASE(value) {
            if !first {
                out[position] = UInt8(ascii: "-")
                position += 1
            }
            first = false
            position = writeDecimal(value, to: out, at: position)
        }
        return position
    }

    /// Writes `value` in decimal; returns the position after it.
    @inline(__always)
    static func writeDecimal(_ value: UInt16, to out: UnsafeMutablePointer<UInt8>, at start: Int) -> Int {
        var digits = 1
        var scale: UInt16 = 10
        while digits < 5, value >= scale {
            digits += 1
            scale = scale &* 10
        }
        var rest = value
        var index = start + digits - 1
        while index >= start {
            out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
        return start + digits
    }

    /// JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`): protocol, version, SNI, counts and ALPN; then the truncated
    /// SHA-256 of the sorted cipher list; then of the sorted extensions (without SNI and ALPN) and the signature
    /// algorithms in offered order. `sorted: false` gives JA4_o, the hashes over the offered order.
    public static func ja4(_ hello: TLSClientHello, transport: Character = "t", sorted: Bool = true) -> String {
        let scratchCount = hello.cipherSuites.count + hello.extensions.count + hello.signatureAlgorithms.count
        var transportText = String(transport)
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: max(scratchCount, 1)) { scratch -> String in
            let values = scratch.baseAddress!
            // Ciphers, then the hashed extensions, then signature algorithms, GREASE left out.
            var cipherCount = 0
            for cipher in hello.cipherSuites where !TLSClientHello.isGREASE(cipher) {
                values[cipherCount] = cipher
                cipherCount += 1
            }
            var extensionCount = 0
            var hashed = 0
            for type in hello.extensions where !TLSClientHello.isGREASE(type) {
                extensionCount += 1
                if sorted && (type == 0x0000 || type == 0x0010) { continue }
                values[cipherCount + hashed] = type
                hashed += 1
            }
            var signatureCount = 0
            for scheme in hello.signatureAlgorithms where !TLSClientHello.isGREASE(scheme) {
                values[cipherCount + hashed + signatureCount] = scheme
                signatureCount += 1
            }
            var ciphers = UnsafeMutableBufferPointer(start: values, count: cipherCount)
            var extensions = UnsafeMutableBufferPointer(start: values + cipherCount, count: hashed)
            if sorted {
                ciphers.sort()
                extensions.sort()
            }
            let signatures = UnsafeBufferPointer(start: values + cipherCount + hashed, count: signatureCount)
            let version = versionCodeBytes(hello.highestVersion)
            let alpn = alpnBytes(hello.alpn.first)
            let sni = hello.extensions.contains(0x0000) ? UInt8(ascii: "d") : UInt8(ascii: "i")
            return transportText.withUTF8 { transportBytes in
                let length = transportBytes.count + 9 + 26
                return String(unsafeUninitializedCapacity: length) { out in
                    let base = out.baseAddress!
                    var position = 0
                    for byte in transportBytes {
                        base[position] = byte
                        position += 1
                    }
                    let cipherDigits = min(cipherCount, 99)
                    let extensionDigits = min(extensionCount, 99)
                    base[position] = version.0
                    base[position + 1] = version.1
                    base[position + 2] = sni
                    base[position + 3] = UInt8(ascii: "0") + UInt8(cipherDigits / 10)
                    base[position + 4] = UInt8(ascii: "0") + UInt8(cipherDigits % 10)
                    base[position + 5] = UInt8(ascii: "0") + UInt8(extensionDigits / 10)
                    base[position + 6] = UInt8(ascii: "0") + UInt8(extensionDigits % 10)
                    base[position + 7] = alpn.0
                    base[position + 8] = alpn.1
                    base[position + 9] = UInt8(ascii: "_")
                    truncatedHash(UnsafeBufferPointer(ciphers), nil, to: base + position + 10)
                    base[position + 22] = UInt8(ascii: "_")
                    truncatedHash(UnsafeBufferPointer(extensions), signatures.isEmpty ? nil : signatures,
                                  to: base + position + 23)
                    return length
                }
            }
        }
    }

    /// Writes the first 12 hex digits of the SHA-256 of `values` as four-digit hex joined by `,` (and, when given,
    /// `_` and `more` the same way), or `000000000000` when `values` is empty.
    private static func truncatedHash(_ values: UnsafeBufferPointer<UInt16>, _ more: UnsafeBufferPointer<UInt16>?,
                                      to out: UnsafeMutablePointer<UInt8>) {
        guard !values.isEmpty else {
            for index in 0..<12 { out[index] = UInt8(ascii: "0") }
            return
        }
        let moreCount = more?.count ?? 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 5 * (values.count + moreCount) + 1) { buffer in
            let text = buffer.baseAddress!
            var position = writeHexList(values, to: text, at: 0)
            if let more {
                text[position] = UInt8(ascii: "_")
                position = writeHexList(more, to: text, at: position + 1)
            }
            var sha = SHA256()
            sha.update(bufferPointer: UnsafeRawBufferPointer(start: text, count: position))
            sha.finalize().withUnsafeBytes { writeHex(UnsafeRawBufferPointer($0), count: 6, to: out) }
        }
    }

    /// Writes each value as four lower-case hex digits, joined by `,`; returns the position after them.
    private static func writeHexList(_ values: UnsafeBufferPointer<UInt16>, to out: UnsafeMutablePointer<UInt8>,
                                     at start: Int) -> Int {
        var position = start
        for (index, value) in values.enumerated() {
            if index > 0 {
                out[position] = UInt8(ascii: ",")
                position += 1
            }
            out[position] = hexDigit(value >> 12)
            out[position + 1] = hexDigit(value >> 8)
            out[position + 2] = hexDigit(value >> 4)
            out[position + 3] = hexDigit(value)
            position += 4
        }
        return position
    }

    /// The lower-case hex digit of the low four bits of `value`.
    @inline(__always)
    private static func hexDigit(_ value: UInt16) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xF)
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// JA4's two-character version: `13`, `12`, `11`, `10`, `s3`, `s2`, or `00`.
    static func versionCode(_ version: UInt16) -> String {
        let code = versionCodeBytes(version)
        return String(decoding: [code.0, code.1], as: UTF8.self)
    }

    private static func versionCodeBytes(_ version: UInt16) -> (UInt8, UInt8) {
        switch version {
        case 0x0304: return (UInt8(ascii: "1"), UInt8(ascii: "3"))
        case 0x0303: return (UInt8(ascii: "1"), UInt8(ascii: "2"))
        case 0x0302: return (UInt8(ascii: "1"), UInt8(ascii: "1"))
        case 0x0301: return (UInt8(ascii: "1"), UInt8(ascii: "0"))
        case 0x0300: return (UInt8(ascii: "s"), UInt8(ascii: "3"))
        case 0x0002: return (UInt8(ascii: "s"), UInt8(ascii: "2"))
        case 0xFEFF: return (UInt8(ascii: "d"), UInt8(ascii: "1"))
        case 0xFEFD: return (UInt8(ascii: "d"), UInt8(ascii: "2"))
        case 0xFEFC: return (UInt8(ascii: "d"), UInt8(ascii: "3"))
        default: return (UInt8(ascii: "0"), UInt8(ascii: "0"))
        }
    }

    /// The first and last characters of the first ALPN value, `00` when there is none, or the first and last hex
    /// digits of its bytes when either end is not an ASCII letter or digit.
    static func alpnCode(_ protocolName: [UInt8]?) -> String {
        let code = alpnBytes(protocolName)
        return String(decoding: [code.0, code.1], as: UTF8.self)
    }

    private static func alpnBytes(_ protocolName: [UInt8]?) -> (UInt8, UInt8) {
        guard let name = protocolName, let first = name.first, let last = name.last else {
            return (UInt8(ascii: "0"), UInt8(ascii: "0"))
        }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        if isAlphanumeric(first) && isAlphanumeric(last) { return (first, last) }
        return (hexDigit(UInt16(first >> 4)), hexDigit(UInt16(last)))
    }

    /// Writes the first `count` bytes of `bytes` as lower-case hex.
    private static func writeHex(_ bytes: UnsafeRawBufferPointer, count: Int, to out: UnsafeMutablePointer<UInt8>) {
        for index in 0..<count {
            out[2 * index] = hexDigit(UInt16(bytes[index] >> 4))
            out[2 * index + 1] = hexDigit(UInt16(bytes[index]))
        }
    }
}

import Crypto

/// The JA3 (Salesforce) and JA4 (FoxIO) fingerprints of a ClientHello, GREASE values left out as both specify.
public enum TLSFingerprint {
    // The texts are built as bytes and hashed as bytes: a String per number would cost more than the hashes.

    /// JA3's text: `version,ciphers,extensions,groups,point formats`, decimal values joined by `-`.
    public static func ja3Text(_ hello: TLSClientHello) -> String {
        String(decoding: ja3Bytes(hello), as: UTF8.self)
    }

    /// JA3: the MD5 of `ja3Text`, lower-case hex.
    public static func ja3(_ hello: TLSClientHello) -> String {
        md5Hex(ja3Bytes(hello))
    }

    /// The MD5 of `text`'s UTF-8, lower-case hex (JA3S).
    static func md5Hex(_ text: String) -> String {
        md5Hex(Array(text.utf8))
    }

    /// The MD5 of `bytes`, lower-case hex.
    static func md5Hex(_ bytes: [UInt8]) -> String {
        Insecure.MD5.hash(data: bytes).withUnsafeBytes { hex(UnsafeRawBufferPointer($0), count: $0.count) }
    }

    private static func ja3Bytes(_ hello: TLSClientHello) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        appendDecimal(hello.version, to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimalList(hello.cipherSuites, to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimalList(hello.extensions, to: &out)
        out.append(UInt8(ascii: ","))
        appendDecimalList(hello.supportedGroups, to: &out)
        out.append(UInt8(ascii: ","))
        var first = true
        for format in hello.pointFormats {
            if !first { out.append(UInt8(ascii: "-")) }
            first = false
            appendDecimal(UInt16(format), to: &out)
        }
        return out
    }

    /// Appends the non-GREASE values joined by `-`.
    private static func appendDecimalList(_ values: [UInt16], to out: inout [UInt8]) {
        var first = true
        for value in values where !TLSClientHello.isGREASE(value) {
            if !first { out.append(UInt8(ascii: "-")) }
            first = false
            appendDecimal(value, to: &out)
        }
    }

    private static func appendDecimal(_ value: UInt16, to out: inout [UInt8]) {
        var divisor: UInt16 = 10_000
        var started = false
        while divisor > 0 {
            let digit = value / divisor % 10
            if digit != 0 || started || divisor == 1 {
                out.append(UInt8(ascii: "0") + UInt8(digit))
                started = true
            }
            divisor /= 10
        }
    }

    /// JA4 (`t13d1516h2_8daaf6152771_e5627efa2ab1`): protocol, version, SNI, counts and ALPN; then the truncated
    /// SHA-256 of the sorted cipher list; then of the sorted extensions (without SNI and ALPN) and the signature
    /// algorithms in offered order. `sorted: false` gives JA4_o, the hashes over the offered order.
    public static func ja4(_ hello: TLSClientHello, transport: Character = "t", sorted: Bool = true) -> String {
        let grease = TLSClientHello.isGREASE
        let ciphers = hello.cipherSuites.filter { !grease($0) }
        let extensions = hello.extensions.filter { !grease($0) }
        var prefix = String(transport) + versionCode(hello.highestVersion)
        prefix += hello.extensions.contains(0x0000) ? "d" : "i"
        prefix += twoDigits(ciphers.count) + twoDigits(extensions.count) + alpnCode(hello.alpn.first)
        var cipherList: [UInt8] = []
        cipherList.reserveCapacity(ciphers.count * 5)
        appendHexList(sorted ? ciphers.sorted() : ciphers, to: &cipherList)
        let extensionValues = sorted ? extensions.filter { $0 != 0x0000 && $0 != 0x0010 }.sorted() : extensions
        var extensionList: [UInt8] = []
        extensionList.reserveCapacity((extensionValues.count + hello.signatureAlgorithms.count) * 5 + 1)
        appendHexList(extensionValues, to: &extensionList)
        let signatures = hello.signatureAlgorithms.filter { !grease($0) }
        if !signatures.isEmpty {
            extensionList.append(UInt8(ascii: "_"))
            appendHexList(signatures, to: &extensionList)
        }
        return prefix + "_" + truncatedHash(ciphers.isEmpty ? nil : cipherList) + "_"
            + truncatedHash(extensionValues.isEmpty ? nil : extensionList)
    }

    /// Appends each value as four lower-case hex digits, joined by `,`.
    private static func appendHexList(_ values: [UInt16], to out: inout [UInt8]) {
        for (index, value) in values.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int(value >> UInt16(shift)) & 0xF]) }
        }
    }

    /// JA4's two-character version: `13`, `12`, `11`, `10`, `s3`, `s2`, or `00`.
    static func versionCode(_ version: UInt16) -> String {
        switch version {
        case 0x0304: return "13"
        case 0x0303: return "12"
        case 0x0302: return "11"
        case 0x0301: return "10"
        case 0x0300: return "s3"
        case 0x0002: return "s2"
        case 0xFEFF: return "d1"
        case 0xFEFD: return "d2"
        case 0xFEFC: return "d3"
        default: return "00"
        }
    }

    /// The first and last characters of the first ALPN value, `00` when there is none, or the first and last hex
    /// digits of its bytes when either end is not an ASCII letter or digit.
    static func alpnCode(_ protocolName: [UInt8]?) -> String {
        guard let name = protocolName, let first = name.first, let last = name.last else { return "00" }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        }
        if isAlphanumeric(first) && isAlphanumeric(last) {
            return String(decoding: [first, last], as: UTF8.self)
        }
        let digits = hex([first]) + hex([last])
        return String(digits.first ?? "0") + String(digits.last ?? "0")
    }

    private static func twoDigits(_ count: Int) -> String {
        let bounded = min(count, 99)
        return bounded < 10 ? "0\(bounded)" : "\(bounded)"
    }

    private static func truncatedHash(_ text: [UInt8]?) -> String {
        guard let text else { return "000000000000" }
        return SHA256.hash(data: text).withUnsafeBytes { hex(UnsafeRawBufferPointer($0), count: 6) }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The first `count` bytes of `bytes` as lower-case hex.
    private static func hex(_ bytes: UnsafeRawBufferPointer, count: Int) -> String {
        String(unsafeUninitializedCapacity: count * 2) { out in
            for index in 0..<count {
                out[2 * index] = hexDigits[Int(bytes[index] >> 4)]
                out[2 * index + 1] = hexDigits[Int(bytes[index] & 0xF)]
            }
            return count * 2
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0, count: $0.count) }
    }
}

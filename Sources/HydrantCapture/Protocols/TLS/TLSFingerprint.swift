import Crypto

/// The JA3 (Salesforce) and JA4 (FoxIO) fingerprints of a ClientHello, GREASE values left out as both specify.
public enum TLSFingerprint {
    /// JA3's text: `version,ciphers,extensions,groups,point formats`, decimal values joined by `-`.
    public static func ja3Text(_ hello: TLSClientHello) -> String {
        func join<T: BinaryInteger>(_ values: [T]) -> String { values.map { String($0) }.joined(separator: "-") }
        let grease = TLSClientHello.isGREASE
        return [String(hello.version), join(hello.cipherSuites.filter { !grease($0) }),
                join(hello.extensions.filter { !grease($0) }), join(hello.supportedGroups.filter { !grease($0) }),
                join(hello.pointFormats)].joined(separator: ",")
    }

    /// JA3: the MD5 of `ja3Text`, lower-case hex.
    public static func ja3(_ hello: TLSClientHello) -> String {
        md5Hex(ja3Text(hello))
    }

    /// The MD5 of `text`'s UTF-8, lower-case hex (JA3 and JA3S).
    static func md5Hex(_ text: String) -> String {
        hex(Array(Insecure.MD5.hash(data: Array(text.utf8))))
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
        let cipherList = (sorted ? ciphers.sorted() : ciphers).map(hex4).joined(separator: ",")
        let extensionValues = sorted ? extensions.filter { $0 != 0x0000 && $0 != 0x0010 }.sorted() : extensions
        var extensionList = extensionValues.map(hex4).joined(separator: ",")
        let signatures = hello.signatureAlgorithms.filter { !grease($0) }
        if !signatures.isEmpty { extensionList += "_" + signatures.map(hex4).joined(separator: ",") }
        return prefix + "_" + truncatedHash(ciphers.isEmpty ? nil : cipherList) + "_"
            + truncatedHash(extensionValues.isEmpty ? nil : extensionList)
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

    private static func truncatedHash(_ text: String?) -> String {
        guard let text else { return "000000000000" }
        return String(hex(Array(SHA256.hash(data: Array(text.utf8)))).prefix(12))
    }

    private static func hex4(_ value: UInt16) -> String {
        hex([UInt8(value >> 8), UInt8(value & 0xFF)])
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

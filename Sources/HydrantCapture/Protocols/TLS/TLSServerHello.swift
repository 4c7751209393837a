/// What a TLS ServerHello chose, as the `network.tls` record and JA3S need it.
public struct TLSServerHello: Hashable, Sendable {
    /// `legacy_version` (0x0303 for TLS 1.2 and 1.3).
    public var version: UInt16
    /// The chosen cipher suite.
    public var cipherSuite: UInt16
    /// Extension types in wire order.
    public var extensions: [UInt16]
    /// The version selected through supported_versions (TLS 1.3), if present.
    public var selectedVersion: UInt16?

    /// A ServerHello from its parts.
    public init(version: UInt16, cipherSuite: UInt16, extensions: [UInt16], selectedVersion: UInt16? = nil) {
        self.version = version
        self.cipherSuite = cipherSuite
        self.extensions = extensions
        self.selectedVersion = selectedVersion
    }

    /// The negotiated version: the selected one when present, else `version`.
    public var negotiatedVersion: UInt16 { selectedVersion ?? version }

    /// `tls.version` (`1.3`, `1.2`, …, `ssl3`), or nil for a value no TLS version has.
    public var versionText: String? { TLSServerHello.versionName(negotiatedVersion) }

    /// The `tls.version` text of a protocol version number (`1.3`, …, `ssl3`), or nil for a value no version has.
    public static func versionName(_ version: UInt16) -> String? {
        switch version {
        case 0x0304: return "1.3"
        case 0x0303: return "1.2"
        case 0x0302: return "1.1"
        case 0x0301: return "1.0"
        case 0x0300: return "ssl3"
        default: return nil
        }
    }
}

extension TLSHandshakeParser {
    /// The ServerHello in `message` (handshake type 2, its 24-bit length, then the body).
    public static func serverHello(_ message: [UInt8]) throws(TLSParseError) -> TLSServerHello {
        try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in try serverHello(bytes: bytes) }
    }

    /// The ServerHello in `message`, read in place.
    static func serverHello(bytes message: UnsafeBufferPointer<UInt8>) throws(TLSParseError) -> TLSServerHello {
        var reader = Reader(message)
        guard try reader.u8("handshake type") == 2 else { throw .unexpected("not a ServerHello") }
        var body = try reader.sub(try reader.u24("handshake length"), "ServerHello")
        let version = try body.u16("version")
        try body.skip(32, "random")
        try body.skip(Int(try body.u8("session id length")), "session id")
        var hello = TLSServerHello(version: version, cipherSuite: try body.u16("cipher suite"), extensions: [])
        try body.skip(1, "compression method")
        guard !body.isAtEnd else { return hello }
        var extensions = try body.sub(Int(try body.u16("extensions length")), "extensions")
        while !extensions.isAtEnd {
            let type = try extensions.u16("extension type")
            var data = try extensions.sub(Int(try extensions.u16("extension length")), extension: type)
            hello.extensions.append(type)
            if type == 0x002B { hello.selectedVersion = try data.u16("selected version") }
        }
        return hello
    }
}

extension TLSFingerprint {
    /// JA3S's text: `version,cipher,extensions`, decimal, extensions joined by `-`.
    public static func ja3sText(_ hello: TLSServerHello) -> String {
        withJA3SBytes(hello) { String(decoding: $0, as: UTF8.self) }
    }

    /// JA3S: the MD5 of `ja3sText`, lower-case hex.
    public static func ja3s(_ hello: TLSServerHello) -> String {
        withJA3SBytes(hello) { md5Hex($0) }
    }

    /// Calls `body` with JA3S's text as bytes.
    private static func withJA3SBytes<R>(_ hello: TLSServerHello, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6 * hello.extensions.count + 16) { buffer in
            let out = buffer.baseAddress!
            var position = writeDecimal(hello.version, to: out, at: 0)
            out[position] = UInt8(ascii: ",")
            position = writeDecimal(hello.cipherSuite, to: out, at: position + 1)
            out[position] = UInt8(ascii: ",")
            position += 1
            for (index, type) in hello.extensions.enumerated() {
                if index > 0 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                position = writeDecimal(type, to: out, at: position)
            }
            return body(UnsafeBufferPointer(start: out, count: position))
        }
    }
}

/// Reads ClientHello and ServerHello handshake messages (RFC 8446 §4.1.2–4.1.3, RFC 5246 §7.4.1), checking every
/// length against what contains it.
public enum TLSHandshakeParser {
    /// The ClientHello in `message` (handshake type 1, its 24-bit length, then the body).
    public static func clientHello(_ message: [UInt8]) throws(TLSParseError) -> TLSClientHello {
        try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in try clientHello(bytes: bytes) }
    }

    /// The ClientHello in `message`, read in place.
    static func clientHello(bytes message: UnsafeBufferPointer<UInt8>) throws(TLSParseError) -> TLSClientHello {
        var reader = Reader(message)
        guard try reader.u8("handshake type") == 1 else { throw .unexpected("not a ClientHello") }
        let length = try reader.u24("handshake length")
        var body = try reader.sub(length, "ClientHello")
        let version = try body.u16("version")
        try body.skip(32, "random")
        try body.skip(Int(try body.u8("session id length")), "session id")
        var suites = try body.sub(Int(try body.u16("cipher suites length")), "cipher suites")
        var hello = TLSClientHello(version: version, cipherSuites: [], extensions: [])
        hello.cipherSuites.reserveCapacity(suites.remaining / 2)
        while !suites.isAtEnd { hello.cipherSuites.append(try suites.u16("cipher suite")) }
        try body.skip(Int(try body.u8("compression methods length")), "compression methods")
        guard !body.isAtEnd else { return hello }
        var extensions = try body.sub(Int(try body.u16("extensions length")), "extensions")
        hello.extensions.reserveCapacity(min(extensions.remaining / 4, 64))
        while !extensions.isAtEnd {
            let type = try extensions.u16("extension type")
            var data = try extensions.sub(Int(try extensions.u16("extension length")), extension: type)
            hello.extensions.append(type)
            switch type {
            case 0x0000: // server_name: the first host_name entry.
                var list = try data.sub(Int(try data.u16("server name list length")), "server name list")
                while !list.isAtEnd, hello.serverName == nil {
                    let nameType = try list.u8("server name type")
                    let name = try list.view(Int(try list.u16("server name length")), "server name")
                    if nameType == 0 { hello.serverName = lowercasedText(name) }
                }
            case 0x0010: // application_layer_protocol_negotiation
                var list = try data.sub(Int(try data.u16("ALPN list length")), "ALPN list")
                while !list.isAtEnd { hello.alpn.append(try list.bytes(Int(try list.u8("ALPN length")), "ALPN protocol")) }
            case 0x002B: // supported_versions
                var list = try data.sub(Int(try data.u8("supported versions length")), "supported versions")
                while !list.isAtEnd { hello.supportedVersions.append(try list.u16("version")) }
            case 0x000A: // supported_groups
                var list = try data.sub(Int(try data.u16("supported groups length")), "supported groups")
                hello.supportedGroups.reserveCapacity(list.remaining / 2)
                while !list.isAtEnd { hello.supportedGroups.append(try list.u16("group")) }
            case 0x000B: // ec_point_formats
                hello.pointFormats = try data.bytes(Int(try data.u8("point formats length")), "point formats")
            case 0x000D: // signature_algorithms
                var list = try data.sub(Int(try data.u16("signature algorithms length")), "signature algorithms")
                hello.signatureAlgorithms.reserveCapacity(list.remaining / 2)
                while !list.isAtEnd { hello.signatureAlgorithms.append(try list.u16("signature algorithm")) }
            default:
                continue
            }
        }
        return hello
    }

    /// The text of a host name, lower case (ASCII lowered byte by byte; anything else as `String.lowercased`).
    static func lowercasedText(_ name: UnsafeBufferPointer<UInt8>) -> String {
        guard name.allSatisfy({ $0 < 0x80 }) else { return String(decoding: name, as: UTF8.self).lowercased() }
        return String(unsafeUninitializedCapacity: name.count) { out in
            for index in 0..<name.count {
                let byte = name[index]
                out[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return name.count
        }
    }

    /// A bounds-checked reader over a byte range of a message held in place.
    struct Reader {
        private let bytes: UnsafeBufferPointer<UInt8>
        private var position: Int
        private let end: Int

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            position = 0
            end = bytes.count
        }

        private init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
            self.bytes = bytes
            position = start
            self.end = end
        }

        var isAtEnd: Bool { position >= end }

        /// Bytes left.
        var remaining: Int { end - position }

        mutating func u8(_ what: StaticString) throws(TLSParseError) -> UInt8 {
            guard position < end else { throw .truncated(what.description) }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func u16(_ what: StaticString) throws(TLSParseError) -> UInt16 {
            guard end - position >= 2 else { throw .truncated(what.description) }
            defer { position += 2 }
            return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
        }

        mutating func u24(_ what: StaticString) throws(TLSParseError) -> Int {
            guard end - position >= 3 else { throw .truncated(what.description) }
            defer { position += 3 }
            return Int(bytes[position]) << 16 | Int(bytes[position + 1]) << 8 | Int(bytes[position + 2])
        }

        mutating func skip(_ count: Int, _ what: StaticString) throws(TLSParseError) {
            guard count >= 0, end - position >= count else { throw .truncated(what.description) }
            position += count
        }

        mutating func bytes(_ count: Int, _ what: StaticString) throws(TLSParseError) -> [UInt8] {
            Array(try view(count, what))
        }

        /// The next `count` bytes in place, which this reader skips.
        mutating func view(_ count: Int, _ what: StaticString) throws(TLSParseError) -> UnsafeBufferPointer<UInt8> {
            guard count >= 0, end - position >= count else { throw .truncated(what.description) }
            defer { position += count }
            return UnsafeBufferPointer(rebasing: bytes[position..<(position + count)])
        }

        /// A reader over the next `count` bytes of extension `type`'s data, which this reader skips.
        mutating func sub(_ count: Int, extension type: UInt16) throws(TLSParseError) -> Reader {
            guard count >= 0, end - position >= count else { throw .truncated("extension \(type)") }
            defer { position += count }
            return Reader(bytes, from: position, to: position + count)
        }

        /// A reader over the next `count` bytes, which this reader skips.
        mutating func sub(_ count: Int, _ what: StaticString) throws(TLSParseError) -> Reader {
            guard count >= 0, end - position >= count else { throw .truncated(what.description) }
            defer { position += count }
            return Reader(bytes, from: position, to: position + count)
        }
    }
}

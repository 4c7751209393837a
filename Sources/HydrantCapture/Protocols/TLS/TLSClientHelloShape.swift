/// What a ClientHello's fingerprints and `network.tls` fields depend on, but for the server name: the legacy version,
/// the cipher suites, the extension types in order and the contents of the ALPN, supported_versions,
/// supported_groups, ec_point_formats and signature_algorithms extensions, as bytes.
///
/// Clients of the same software send the same shape on every connection (the random, the session id, the key shares
/// and the server name differ), so `TLSFingerprintCache` keys on it: a handshake whose shape it has seen costs one
/// walk over the message and a lookup, instead of a `TLSClientHello` (eight arrays) hashed and compared whole.
/// Equal shape bytes mean equal `TLSClientHello`s apart from `serverName`: the bytes are the parsed values in wire
/// order, each extension's prefixed by its type and (for the five read) their length.
struct TLSClientHelloShape: Hashable {
    /// The shape's bytes.
    let bytes: [UInt8]

    /// A shape of `bytes` (shared, not copied).
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Compared a word at a time.
    static func == (lhs: TLSClientHelloShape, rhs: TLSClientHelloShape) -> Bool {
        equal(lhs.bytes, rhs.bytes)
    }

    /// Whether two shapes' bytes are equal, compared a word at a time.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                guard left.count == right.count else { return false }
                var index = 0
                while index + 8 <= left.count {
                    guard left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                            == right.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
                    index += 8
                }
                while index < left.count {
                    guard left[index] == right[index] else { return false }
                    index += 1
                }
                return true
            }
        }
    }

    /// The bytes as one run (an array hashes element by element).
    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Writes the shape of the ClientHello in `message` (handshake type, 24-bit length, body) to `shape` and returns
    /// its server name. Every length is checked as `TLSHandshakeParser.clientHello(bytes:)` checks it, in the same
    /// order, so this throws exactly when that does.
    static func read(_ message: UnsafeBufferPointer<UInt8>, into shape: inout [UInt8]) throws(TLSParseError) -> String? {
        shape.removeAll(keepingCapacity: true)
        @inline(__always) func put(_ value: UInt16) {
            shape.append(UInt8(truncatingIfNeeded: value >> 8))
            shape.append(UInt8(truncatingIfNeeded: value))
        }
        /// A list of 16-bit values, written as they are on the wire (big-endian, as `put` writes each): one append
        /// instead of two per value. The parser reads them two bytes at a time, so an odd length fails on the last.
        @inline(__always) func putPairs(_ list: UnsafeBufferPointer<UInt8>, _ what: StaticString) throws(TLSParseError) {
            guard list.count % 2 == 0 else { throw .truncated(what.description) }
            shape.append(contentsOf: list)
        }
        var serverName: String?
        var reader = TLSHandshakeParser.Reader(message)
        guard try reader.u8("handshake type") == 1 else { throw .unexpected("not a ClientHello") }
        let length = try reader.u24("handshake length")
        var body = try reader.sub(length, "ClientHello")
        put(try body.u16("version"))
        try body.skip(32, "random")
        try body.skip(Int(try body.u8("session id length")), "session id")
        let suitesLength = Int(try body.u16("cipher suites length"))
        let suites = try body.view(suitesLength, "cipher suites")
        // The parser reads the suites two bytes at a time: an odd length fails on the last.
        guard suitesLength % 2 == 0 else { throw .truncated("cipher suite") }
        put(UInt16(suitesLength))
        shape.append(contentsOf: suites)
        try body.skip(Int(try body.u8("compression methods length")), "compression methods")
        guard !body.isAtEnd else { return serverName }
        var extensions = try body.sub(Int(try body.u16("extensions length")), "extensions")
        while !extensions.isAtEnd {
            let type = try extensions.u16("extension type")
            var data = try extensions.sub(Int(try extensions.u16("extension length")), extension: type)
            put(type)
            // The read contents follow their type, after two bytes that get their length once written.
            let lengthAt = shape.count
            switch type {
            case 0x0000: // server_name: the first host_name entry, which is not part of the shape.
                var list = try data.sub(Int(try data.u16("server name list length")), "server name list")
                while !list.isAtEnd, serverName == nil {
                    let nameType = try list.u8("server name type")
                    let name = try list.view(Int(try list.u16("server name length")), "server name")
                    if nameType == 0 { serverName = TLSHandshakeParser.lowercasedText(name) }
                }
                continue
            case 0x0010: // application_layer_protocol_negotiation
                put(0)
                var list = try data.sub(Int(try data.u16("ALPN list length")), "ALPN list")
                while !list.isAtEnd {
                    let name = try list.view(Int(try list.u8("ALPN length")), "ALPN protocol")
                    shape.append(UInt8(truncatingIfNeeded: name.count))
                    shape.append(contentsOf: name)
                }
            case 0x002B: // supported_versions
                put(0)
                try putPairs(try data.view(Int(try data.u8("supported versions length")), "supported versions"), "version")
            case 0x000A: // supported_groups
                put(0)
                try putPairs(try data.view(Int(try data.u16("supported groups length")), "supported groups"), "group")
            case 0x000B: // ec_point_formats
                put(0)
                shape.append(contentsOf: try data.view(Int(try data.u8("point formats length")), "point formats"))
            case 0x000D: // signature_algorithms
                put(0)
                try putPairs(try data.view(Int(try data.u16("signature algorithms length")), "signature algorithms"),
                             "signature algorithm")
            default:
                continue
            }
            // An extension's data is at most 65,535 bytes, and what is written of it no more.
            let written = shape.count - lengthAt - 2
            shape[lengthAt] = UInt8(truncatingIfNeeded: written >> 8)
            shape[lengthAt + 1] = UInt8(truncatingIfNeeded: written)
        }
        return serverName
    }
}

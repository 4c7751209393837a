/// The fingerprints and record fields of recently seen ClientHello and ServerHello shapes, so a handshake that
/// repeats one (the same client software offers the same ciphers, extensions and groups on every connection) costs
/// a table lookup instead of an MD5, two SHA-256s, two sorts and the record's arrays and strings: the cached values
/// are shared, copy-on-write.
///
/// A hit needs the whole handshake to be equal (the SNI aside, which no fingerprint reads beyond the presence of its
/// extension), so the fields are exactly those computed afresh. A ClientHello is looked up by its shape's bytes
/// (`TLSClientHelloShape`), read straight from the message: it is parsed into a `TLSClientHello` only when its shape
/// is new. Bounded: ClientHello shapes sit in a fixed table of `capacity` slots by a hash of their bytes (a colliding
/// shape takes the slot, and costs at worst the parse it would have cost without the table); ServerHellos are emptied
/// out at `capacity`.
struct TLSFingerprintCache {
    /// What a ClientHello gives its `network.tls` record, apart from the server name.
    struct ClientFields: Equatable {
        /// JA3 (MD5 hex).
        var ja3: String
        /// JA4.
        var ja4: String
        /// Offered cipher suite names, GREASE left out.
        var supportedCiphers: [String]
        /// Offered extension types, GREASE left out.
        var extensions: [Int64]
        /// The first ALPN protocol.
        var nextProtocol: String?
        /// Offered version names.
        var offeredVersions: [String]
    }

    /// The shape kept in each slot (empty for none: a shape has at least its version), and its fields. Found by
    /// `TextHash` and a compare of the bytes: a `Dictionary` keyed by the shape hashed all of its bytes with SipHash
    /// (about 870 instructions a handshake).
    private var clientShapes: [[UInt8]] = Array(repeating: [], count: TLSFingerprintCache.capacity)
    private var clientFields: [ClientFields?] = Array(repeating: nil, count: TLSFingerprintCache.capacity)
    /// Where each ClientHello's shape is written before the lookup.
    private var shape: [UInt8] = []
    private var servers: [TLSServerHello: String] = [:]
    /// Most shapes kept per table (a power of two: the ClientHello slots are masked by it).
    static let capacity = 512

    /// The fields and server name of the ClientHello in `message` (handshake type, length, body), computed on its
    /// shape's first sight; throws as `TLSHandshakeParser.clientHello(bytes:)` does.
    mutating func clientHello(_ message: UnsafeBufferPointer<UInt8>) throws(TLSParseError)
        -> (fields: ClientFields, serverName: String?) {
        let serverName = try TLSClientHelloShape.read(message, into: &shape)
        let slot = shape.withUnsafeBytes { Int(truncatingIfNeeded: TextHash.hash($0)) } & (TLSFingerprintCache.capacity - 1)
        if let known = clientFields[slot], TLSClientHelloShape.equal(clientShapes[slot], shape) {
            return (known, serverName)
        }
        let hello = try TLSHandshakeParser.clientHello(bytes: message)
        let fields = TLSFingerprintCache.compute(hello)
        // The kept shape shares the scratch's storage; the next handshake's write copies it (once per new shape).
        clientShapes[slot] = shape
        clientFields[slot] = fields
        return (fields, serverName)
    }

    /// The JA3S of `hello`, computed on its shape's first sight.
    mutating func ja3s(of hello: TLSServerHello) -> String {
        if let known = servers[hello] { return known }
        let ja3s = TLSFingerprint.ja3s(hello)
        if servers.count >= TLSFingerprintCache.capacity { servers.removeAll(keepingCapacity: true) }
        servers[hello] = ja3s
        return ja3s
    }

    /// The fields of `hello`, computed afresh.
    static func compute(_ hello: TLSClientHello) -> ClientFields {
        var fields = ClientFields(ja3: TLSFingerprint.ja3(hello), ja4: TLSFingerprint.ja4(hello), supportedCiphers: [],
                                  extensions: [], nextProtocol: nil, offeredVersions: [])
        fields.supportedCiphers.reserveCapacity(hello.cipherSuites.count)
        for suite in hello.cipherSuites where !TLSClientHello.isGREASE(suite) {
            fields.supportedCiphers.append(TLSCipherSuiteNames.name(suite))
        }
        fields.extensions.reserveCapacity(hello.extensions.count)
        for type in hello.extensions where !TLSClientHello.isGREASE(type) { fields.extensions.append(Int64(type)) }
        if let first = hello.alpn.first { fields.nextProtocol = String(decoding: first, as: UTF8.self) }
        if hello.supportedVersions.isEmpty {
            if let name = TLSServerHello.versionName(hello.version) { fields.offeredVersions = [name] }
        } else {
            fields.offeredVersions.reserveCapacity(hello.supportedVersions.count)
            for version in hello.supportedVersions where !TLSClientHello.isGREASE(version) {
                if let name = TLSServerHello.versionName(version) { fields.offeredVersions.append(name) }
            }
        }
        return fields
    }
}

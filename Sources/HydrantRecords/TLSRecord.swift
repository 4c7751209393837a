/// One TLS handshake as seen from its ClientHello, and its ServerHello when present (`network.tls`).
public struct TLSRecord: ConnectionRecord, Hashable {
    /// The dataset of TLS records.
    public static let dataset = Dataset.networkTLS
    /// What one TLS record stands for.
    public static let summary = "One TLS handshake: its ClientHello, and its ServerHello when seen."

    /// The ClientHello time.
    public var timestamp: Timestamp
    /// The client and server.
    public var connection: Connection
    /// The SNI.
    public var serverName: String?
    /// The negotiated version (`1.2`, `1.3`), from the ServerHello.
    public var version: String?
    /// JA3 of the ClientHello (MD5 hex).
    public var ja3: String
    /// JA4 of the ClientHello.
    public var ja4: String
    /// Offered cipher suites, IANA names (`0x…` when unnamed), GREASE left out.
    public var supportedCiphers: [String]
    /// The first ALPN protocol offered.
    public var nextProtocol: String?
    /// Extension types of the ClientHello in the order sent, GREASE left out.
    public var extensions: [Int64]
    /// Versions offered in supported_versions (or the legacy version), `1.0`…`1.3`, GREASE left out.
    public var offeredVersions: [String]
    /// The cipher suite the server chose.
    public var cipher: String?
    /// JA3S of the ServerHello.
    public var ja3s: String?

    /// A record of one ClientHello.
    public init(timestamp: Timestamp, connection: Connection, ja3: String, ja4: String) {
        self.timestamp = timestamp
        self.connection = connection
        self.ja3 = ja3
        self.ja4 = ja4
        supportedCiphers = []
        extensions = []
        offeredVersions = []
    }

    /// The field table of `network.tls`.
    public static let fields: [FieldDescriptor<TLSRecord>] = commonFields + [
        .init("tls.version", .string, "Negotiated version (`1.2`, `1.3`), from the ServerHello.") { $0.version.map(FieldValue.string) },
        .init("tls.version_protocol", .string, "`tls` once a version was negotiated.") { $0.version == nil ? nil : .string("tls") },
        .init("tls.cipher", .string, "The cipher suite the server chose (IANA name).") { $0.cipher.map(FieldValue.string) },
        .init("tls.next_protocol", .string, "The first ALPN protocol the client offered (`h2`, `http/1.1`, …).") {
            $0.nextProtocol.map(FieldValue.string)
        },
        .init("tls.client.server_name", .string, "SNI of the ClientHello.") { $0.serverName.map(FieldValue.string) },
        .init("tls.client.ja3", .string, "JA3 fingerprint of the ClientHello (MD5 hex).") { .string($0.ja3) },
        .init("tls.client.ja4", .string, "JA4 fingerprint of the ClientHello (extension field).") { .string($0.ja4) },
        .init("tls.client.supported_ciphers", .stringList, "Offered cipher suites (IANA names, `0x…` when unnamed), GREASE left out.") {
            $0.supportedCiphers.isEmpty ? nil : .strings($0.supportedCiphers)
        },
        .init("tls.client.extensions", .intList, "Extension types of the ClientHello in the order sent, GREASE left out (extension field).") {
            $0.extensions.isEmpty ? nil : .ints($0.extensions)
        },
        .init("tls.client.offered_versions", .stringList, "Versions the client offered (extension field).") {
            $0.offeredVersions.isEmpty ? nil : .strings($0.offeredVersions)
        },
        .init("tls.server.ja3s", .string, "JA3S fingerprint of the ServerHello.") { $0.ja3s.map(FieldValue.string) },
    ]
}

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
        .string("tls.version", "Negotiated version (`1.2`, `1.3`), from the ServerHello.") { $0.version },
        .string("tls.version_protocol", "`tls` once a version was negotiated.") { $0.version == nil ? nil : "tls" },
        .string("tls.cipher", "The cipher suite the server chose (IANA name).") { $0.cipher },
        .string("tls.next_protocol", "The first ALPN protocol the client offered (`h2`, `http/1.1`, …).") { $0.nextProtocol },
        .string("tls.client.server_name", "SNI of the ClientHello.") { $0.serverName },
        .string("tls.client.ja3", "JA3 fingerprint of the ClientHello (MD5 hex).") { $0.ja3 },
        .string("tls.client.ja4", "JA4 fingerprint of the ClientHello (extension field).") { $0.ja4 },
        .strings("tls.client.supported_ciphers", "Offered cipher suites (IANA names, `0x…` when unnamed), GREASE left out.") {
            $0.supportedCiphers
        },
        .ints("tls.client.extensions", "Extension types of the ClientHello in the order sent, GREASE left out (extension field).") {
            $0.extensions
        },
        .strings("tls.client.offered_versions", "Versions the client offered (extension field).") { $0.offeredVersions },
        .string("tls.server.ja3s", "JA3S fingerprint of the ServerHello.") { $0.ja3s },
    ]
}

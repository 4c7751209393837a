/// What a TLS ClientHello offers, in wire order, as the JA3 and JA4 fingerprints and the `network.tls` record need it.
public struct TLSClientHello: Hashable, Sendable {
    /// `legacy_version` of the handshake (0x0303 for TLS 1.2 and 1.3).
    public var version: UInt16
    /// Offered cipher suites, GREASE included.
    public var cipherSuites: [UInt16]
    /// Extension types in wire order, GREASE included.
    public var extensions: [UInt16]
    /// The first host name of the server_name extension, if any.
    public var serverName: String?
    /// Protocols of the ALPN extension, in order.
    public var alpn: [[UInt8]]
    /// Versions of the supported_versions extension, GREASE included.
    public var supportedVersions: [UInt16]
    /// Groups of the supported_groups extension, GREASE included.
    public var supportedGroups: [UInt16]
    /// Formats of the ec_point_formats extension.
    public var pointFormats: [UInt8]
    /// Schemes of the signature_algorithms extension, in order.
    public var signatureAlgorithms: [UInt16]

    /// A ClientHello from its parts.
    public init(version: UInt16, cipherSuites: [UInt16], extensions: [UInt16], serverName: String? = nil,
                alpn: [[UInt8]] = [], supportedVersions: [UInt16] = [], supportedGroups: [UInt16] = [],
                pointFormats: [UInt8] = [], signatureAlgorithms: [UInt16] = []) {
        self.version = version
        self.cipherSuites = cipherSuites
        self.extensions = extensions
        self.serverName = serverName
        self.alpn = alpn
        self.supportedVersions = supportedVersions
        self.supportedGroups = supportedGroups
        self.pointFormats = pointFormats
        self.signatureAlgorithms = signatureAlgorithms
    }

    /// Hashes every field (as `==` compares them), each list as one run of bytes with its count: the fingerprint cache
    /// hashes each handshake's shape, and feeding the hasher element by element cost about as much as the lookup saved.
    public func hash(into hasher: inout Hasher) {
        @inline(__always) func combine<Element>(_ list: [Element]) {
            hasher.combine(list.count)
            list.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
        hasher.combine(version)
        combine(cipherSuites)
        combine(extensions)
        hasher.combine(serverName)
        hasher.combine(alpn.count)
        for name in alpn { combine(name) }
        combine(supportedVersions)
        combine(supportedGroups)
        combine(pointFormats)
        combine(signatureAlgorithms)
    }

    /// Whether `value` is a GREASE value (RFC 8701): both bytes equal, low nibble of each 0xA.
    public static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }

    /// The highest offered version: from supported_versions when present (GREASE ignored), else `version`.
    public var highestVersion: UInt16 {
        supportedVersions.filter { !Self.isGREASE($0) }.max() ?? version
    }
}

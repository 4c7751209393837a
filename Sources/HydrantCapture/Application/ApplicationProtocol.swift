/// The application protocol the parsers recognised in a packet, carried across threads as one byte so the flow table
/// can mark its flow's `network.protocol`.
public enum ApplicationProtocol: UInt8, Sendable {
    /// Nothing recognised (yet).
    case none = 0
    /// DNS (also mDNS and LLMNR), over UDP or TCP.
    case dns
    /// HTTP/1.x.
    case http
    /// TLS.
    case tls

    /// The `network.protocol` value, nil for `.none`.
    public var name: String? {
        switch self {
        case .none: return nil
        case .dns: return "dns"
        case .http: return "http"
        case .tls: return "tls"
        }
    }
}

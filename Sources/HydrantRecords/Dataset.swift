/// The datasets Hydrant produces; each is one log with its own fields (see `docs/schema.md`).
public enum Dataset: String, CaseIterable, Sendable {
    /// Bidirectional conversations from packets or flow logs.
    case networkFlow = "network.flow"
    /// DNS queries and their responses.
    case networkDNS = "network.dns"
    /// HTTP/1.x requests and their responses.
    case networkHTTP = "network.http"
    /// TLS handshakes.
    case networkTLS = "network.tls"
    /// AWS VPC Flow Log lines.
    case flowlogVPC = "flowlog.vpc"
    /// NetFlow v5/v9 and IPFIX flow records.
    case flowlogNetFlow = "flowlog.netflow"
    /// Alerts raised by the rule engine.
    case alert = "alert"
}

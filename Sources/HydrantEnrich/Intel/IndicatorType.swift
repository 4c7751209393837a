/// The kind of an indicator, written to `threat.indicator.type` (STIX 2.1 cyber-observable names where one
/// exists; `ja3` and `ja4` for TLS client fingerprints, which STIX has no type for).
public enum IndicatorType: String, Sendable, CaseIterable {
    /// An IPv4 address or CIDR block.
    case ipv4 = "ipv4-addr"
    /// An IPv6 address or CIDR block.
    case ipv6 = "ipv6-addr"
    /// A domain name, matching itself and every subdomain.
    case domain = "domain-name"
    /// A URL, matched on host and path (scheme, port and fragment ignored, case-insensitive).
    case url = "url"
    /// A JA3 TLS client fingerprint (32 hex digits).
    case ja3 = "ja3"
    /// A JA4 TLS client fingerprint (`t13d1516h2_8daaf6152771_e5627efa2ab1`).
    case ja4 = "ja4"

    /// The type a feed's `type` column names: the STIX names above, or `ip`, `ipv4`, `ipv6`, `cidr`, `domain`,
    /// `hostname`; nil when unknown.
    init?(column text: String) {
        switch text.lowercased() {
        case "ipv4-addr", "ipv4", "ip", "cidr", "ip-dst", "ip-src", "ipv6-addr", "ipv6": self = .ipv4
        case "domain-name", "domain", "hostname", "fqdn": self = .domain
        case "url", "uri": self = .url
        case "ja3", "ja3-fingerprint": self = .ja3
        case "ja4", "ja4-fingerprint": self = .ja4
        default: return nil
        }
    }
}

/// A record field that an indicator matched, written to `threat.indicator.matched.field`.
public enum MatchedField: String, Sendable, CaseIterable {
    /// `source.ip`
    case sourceIP = "source.ip"
    /// `destination.ip`
    case destinationIP = "destination.ip"
    /// `dns.question.name`
    case dnsQuestionName = "dns.question.name"
    /// `url.domain`
    case urlDomain = "url.domain"
    /// `tls.client.server_name`
    case tlsServerName = "tls.client.server_name"
    /// `url.original` (with `url.domain` as its host when the target is a path)
    case urlOriginal = "url.original"
    /// `tls.client.ja3`
    case ja3 = "tls.client.ja3"
    /// `tls.client.ja4`
    case ja4 = "tls.client.ja4"
}

import HydrantRecords

/// The fields each dataset carries (SCHEMA.md), which decides whether a rule's mapped fields can ever be present,
/// and the fields a keyword (unbound value) searches in each dataset.
public enum DatasetCatalogue {
    /// Fields common to every network dataset, including those the enrich stage adds.
    static let common: Set<String> = [
        "@timestamp", "event.dataset", "event.ingested", "observer.name", "source.ip", "source.port",
        "destination.ip", "destination.port", "network.transport", "network.iana_number", "network.type",
        "network.community_id", "network.vlan.id", "network.inner.vlan.id", "network.direction", "event.duration",
        "source.geo.country_iso_code", "source.geo.city_name", "destination.geo.country_iso_code",
        "destination.geo.city_name", "source.as.number", "source.as.organization.name", "destination.as.number",
        "destination.as.organization.name", "source.asset.name", "source.asset.zone", "source.asset.owner",
        "source.asset.criticality", "destination.asset.name", "destination.asset.zone", "destination.asset.owner",
        "destination.asset.criticality", "threat.indicator.type", "threat.indicator.value",
        "threat.indicator.matched.field", "threat.feed.name", "threat.indicator.count",
    ]

    static let flow: Set<String> = [
        "event.start", "event.end", "event.action", "event.outcome", "source.bytes", "source.packets",
        "destination.bytes", "destination.packets", "network.bytes", "network.packets", "network.protocol",
        "network.state", "network.history", "icmp.type", "icmp.code",
    ]

    static let dns: Set<String> = [
        "dns.id", "dns.question.name", "dns.question.type", "dns.question.class", "dns.response_code",
        "dns.header_flags", "dns.answers.data", "dns.answers.type", "dns.answers.ttl", "dns.resolved_ip",
        "dns.question.registered_domain", "dns.question.subdomain",
    ]

    static let http: Set<String> = [
        "http.request.method", "http.version", "url.original", "url.domain", "url.path", "user_agent.original",
        "http.request.referrer", "http.request.body.bytes", "http.response.body.bytes", "http.response.status_code",
        "http.response.mime_type",
    ]

    static let tls: Set<String> = [
        "tls.client.server_name", "tls.version", "tls.version_protocol", "tls.client.ja3", "tls.client.ja4",
        "tls.client.supported_ciphers", "tls.next_protocol", "tls.server.ja3s",
    ]

    /// The fields of `dataset` (nil for a dataset rules do not run on).
    public static func fields(of dataset: Dataset) -> Set<String>? {
        switch dataset {
        case .networkFlow, .flowlogVPC, .flowlogNetFlow: return common.union(flow)
        case .networkDNS: return common.union(dns)
        case .networkHTTP: return common.union(http)
        case .networkTLS: return common.union(tls)
        case .alert: return nil
        }
    }

    /// The text fields a keyword searches: the application-level strings of the record (names, URLs, agents),
    /// never addresses or counters, so that a keyword such as `IPC$` cannot match by accident on a number.
    public static func keywordFields(of dataset: Dataset) -> [String] {
        switch dataset {
        case .networkDNS: return ["dns.question.name", "dns.answers.data"]
        case .networkHTTP: return ["url.original", "url.domain", "user_agent.original", "http.request.referrer",
                                   "http.response.mime_type"]
        case .networkTLS: return ["tls.client.server_name"]
        case .networkFlow, .flowlogVPC, .flowlogNetFlow, .alert: return []
        }
    }

    /// Fields whose JSON value is a list (a test matches when any element matches).
    static let listFields: Set<String> = [
        "dns.header_flags", "dns.answers.data", "dns.answers.type", "dns.answers.ttl", "dns.resolved_ip",
        "tls.client.supported_ciphers",
    ]
}

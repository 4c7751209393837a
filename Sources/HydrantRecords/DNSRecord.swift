/// One DNS query and its response (`network.dns`), from UDP or TCP; a response whose query was not seen makes a
/// record of its own, and a query whose response never came one without response fields.
public struct DNSRecord: ConnectionRecord, Hashable {
    /// The dataset of DNS records.
    public static let dataset = Dataset.networkDNS
    /// What one DNS record stands for.
    public static let summary = "One DNS query and its response (UDP or TCP; mDNS and LLMNR too)."

    /// The query time (the response time when the query was not seen).
    public var timestamp: Timestamp
    /// The client and server.
    public var connection: Connection
    /// Transaction id.
    public var id: UInt16
    /// Query name, lower case, no trailing dot.
    public var questionName: String?
    /// The query name's registered domain (public suffix plus one label, by the Public Suffix List); nil when
    /// the list is not installed or the name is itself a public suffix.
    public var questionRegisteredDomain: String?
    /// The labels of the query name below its registered domain (`a.b` of `a.b.example.com`); nil when there are
    /// none or the registered domain is unknown.
    public var questionSubdomain: String?
    /// Query type in presentation form (`A`, `TYPE65`, …).
    public var questionType: String?
    /// Query class (`IN`, …).
    public var questionClass: String?
    /// Response code name; nil when no response was seen.
    public var responseCode: String?
    /// Header flags set (`AA`, `TC`, `RD`, `RA`, `AD`, `CD`), of the response when seen.
    public var headerFlags: [String]
    /// Answer data in presentation form.
    public var answerData: [String]
    /// Answer types, one per answer.
    public var answerTypes: [String]
    /// Answer TTLs in seconds, one per answer.
    public var answerTTLs: [Int64]
    /// The A and AAAA answers.
    public var resolvedIPs: [String]
    /// Response time minus query time, when both were seen.
    public var duration: Int64?

    /// A record of transaction `id` between the endpoints of `connection`.
    public init(timestamp: Timestamp, connection: Connection, id: UInt16) {
        self.timestamp = timestamp
        self.connection = connection
        self.id = id
        headerFlags = []
        answerData = []
        answerTypes = []
        answerTTLs = []
        resolvedIPs = []
    }

    /// The field table of `network.dns`.
    public static let fields: [FieldDescriptor<DNSRecord>] = commonFields + [
        .int("event.duration", "Response time in nanoseconds, when the query and its response were seen.") { $0.duration },
        .int("dns.id", "Transaction id.") { Int64($0.id) },
        .string("dns.question.name", "Query name, lower case, no trailing dot.") { $0.questionName },
        .string("dns.question.registered_domain",
              "Public suffix plus one label of the query name (`example.co.uk`), by the Public Suffix List; absent when "
                + "Debian's `publicsuffix` list is not installed or the name is itself a public suffix.") {
            $0.questionRegisteredDomain
        },
        .string("dns.question.subdomain",
              "The query name's labels below its registered domain (`a.b` of `a.b.example.com`); absent when there are "
                + "none or the registered domain is absent.") {
            $0.questionSubdomain
        },
        .string("dns.question.type", "`A`, `AAAA`, `TXT`, `MX`, … (`TYPE65` style when unknown).") { $0.questionType },
        .string("dns.question.class", "`IN`, `CH`, … (`CLASS254` style when unknown).") { $0.questionClass },
        .string("dns.response_code", "`NOERROR`, `NXDOMAIN`, `SERVFAIL`, … (absent when no response was seen).") {
            $0.responseCode
        },
        .strings("dns.header_flags", "Flags set: `AA`, `TC`, `RD`, `RA`, `AD`, `CD` (the response's when seen).") {
            $0.headerFlags
        },
        .strings("dns.answers.data", "Answer data in presentation form (addresses, names, TXT text).") { $0.answerData },
        .strings("dns.answers.type", "Type of each answer.") { $0.answerTypes },
        .ints("dns.answers.ttl", "TTL of each answer, in seconds.") { $0.answerTTLs },
        .strings("dns.resolved_ip", "The A and AAAA answers.") { $0.resolvedIPs },
    ]
}

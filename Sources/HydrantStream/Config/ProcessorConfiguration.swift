/// One step of a stream's processor chain, applied in the order configured.
///
/// `append_delimiter` and `deaggregate_json` are Firehose's built-in processors; the others are Hydrant's: the
/// enrichment steps (`geoip`, `assets`, `direction`, `intel`, `dga`) add context fields, `http_transform` is
/// Firehose's Lambda transformation over HTTP, and `detect` evaluates Sigma rules and raises alerts.
public enum ProcessorConfiguration: Hashable, Sendable {
    /// Ends each record with a newline (Firehose's `AppendDelimiterToRecord`).
    case appendDelimiter
    /// Splits a record of concatenated or newline-separated JSON objects into one record per object
    /// (Firehose's `RecordDeAggregation` with `SubRecordType: JSON`; at most 500 sub-records per record).
    case deaggregateJSON
    /// GeoIP and ASN fields from MaxMind databases.
    case geoIP(GeoIPProcessorConfiguration)
    /// `source.asset.*` / `destination.asset.*` from an inventory file.
    case assets(AssetsProcessorConfiguration)
    /// `network.direction` from home networks.
    case direction(DirectionProcessorConfiguration)
    /// `threat.indicator.*` from indicator feeds.
    case intel(IntelProcessorConfiguration)
    /// `dns.question.entropy` and `dns.question.dga_score`.
    case dga(DGAProcessorConfiguration)
    /// Firehose's Lambda transformation contract, POSTed to a URL.
    case httpTransform(HTTPTransformConfiguration)
    /// Sigma rules evaluated on the records; alerts become `alert` records.
    case detect(DetectProcessorConfiguration)
    /// VPC Flow Logs lines (one per record) become `flowlog.vpc` JSON records.
    case vpcFlowLog(VPCFlowLogProcessorConfiguration)

    /// Every processor name accepted in `processors:`.
    public static let names = ["append_delimiter", "deaggregate_json", "geoip", "assets", "direction", "intel", "dga",
                               "http_transform", "detect", "vpc_flow_log"]
    /// The names that may be written as a bare string (no settings).
    public static let bareNames = ["append_delimiter", "deaggregate_json", "direction", "dga", "vpc_flow_log"]

    /// The name written in hydrant.yaml.
    public var name: String {
        switch self {
        case .appendDelimiter: "append_delimiter"
        case .deaggregateJSON: "deaggregate_json"
        case .geoIP: "geoip"
        case .assets: "assets"
        case .direction: "direction"
        case .intel: "intel"
        case .dga: "dga"
        case .httpTransform: "http_transform"
        case .detect: "detect"
        case .vpcFlowLog: "vpc_flow_log"
        }
    }

    /// Whether the step adds enrichment fields (consecutive enrichment steps run as one pass over each record).
    public var isEnrichment: Bool {
        switch self {
        case .geoIP, .assets, .direction, .intel, .dga: true
        default: false
        }
    }
}

/// Where a processor's settings were written, for start-up errors (a database that cannot be opened, a rule error).
public struct ProcessorSource: Hashable, Sendable, CustomStringConvertible {
    /// The location of the processor's entry in `processors:`.
    public let location: SourceLocation
    /// The key path, e.g. `streams[0].processors[2].geoip`.
    public let path: String

    /// A source.
    public init(location: SourceLocation, path: String) {
        self.location = location
        self.path = path
    }

    /// `file:line:column: path`.
    public var description: String { "\(location): \(path)" }
}

/// `geoip: {city:, country:, asn:}`: at least one database; City (or Country) is consulted before ASN.
public struct GeoIPProcessorConfiguration: Hashable, Sendable {
    /// A GeoLite2/GeoIP2 City database.
    public let city: String?
    /// A Country database (used when no City database knows the address).
    public let country: String?
    /// An ASN (or ISP) database.
    public let asn: String?
    /// Where the entry was written.
    public let source: ProcessorSource

    /// The databases in lookup order: City, Country, ASN.
    public var paths: [String] { [city, country, asn].compactMap { $0 } }

    /// A configuration.
    public init(city: String?, country: String?, asn: String?, source: ProcessorSource) {
        self.city = city
        self.country = country
        self.asn = asn
        self.source = source
    }
}

/// `assets: {path:}`: a CSV or YAML asset inventory.
public struct AssetsProcessorConfiguration: Hashable, Sendable {
    /// The inventory file.
    public let path: String
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(path: String, source: ProcessorSource) {
        self.path = path
        self.source = source
    }
}

/// `direction: {home_networks: [...]}`, or bare `direction` for the default home networks.
public struct DirectionProcessorConfiguration: Hashable, Sendable {
    /// The home networks as written (CIDR blocks or addresses); nil for HydrantEnrich's defaults (RFC 1918,
    /// RFC 4193, loopback, link-local).
    public let homeNetworks: [String]?
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(homeNetworks: [String]?, source: ProcessorSource) {
        self.homeNetworks = homeNetworks
        self.source = source
    }
}

/// `intel: [{feed:, path:}]`: threat-intelligence feeds.
public struct IntelProcessorConfiguration: Hashable, Sendable {
    /// One feed: its name (written to `threat.feed.name`) and file.
    public struct Feed: Hashable, Sendable {
        /// The feed name.
        public let feed: String
        /// The indicator file.
        public let path: String

        /// A feed.
        public init(feed: String, path: String) {
            self.feed = feed
            self.path = path
        }
    }

    /// The feeds, in the order matches are reported.
    public let feeds: [Feed]
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(feeds: [Feed], source: ProcessorSource) {
        self.feeds = feeds
        self.source = source
    }
}

/// `dga: {}` (or bare `dga`, or `dga: {public_suffix_list: PATH}`): DNS name scores.
public struct DGAProcessorConfiguration: Hashable, Sendable {
    /// The Public Suffix List file; Debian's `publicsuffix` package location by default.
    public let publicSuffixList: String
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(publicSuffixList: String = DGAProcessorConfiguration.defaultPublicSuffixList, source: ProcessorSource) {
        self.publicSuffixList = publicSuffixList
        self.source = source
    }

    /// Where Debian's `publicsuffix` package installs the list.
    public static let defaultPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat"
}

/// `http_transform: {url:, retries:, timeout_s:, buffer_size_mb:}`: Firehose's Lambda data transformation, POSTed
/// to `url` (firehose-reference §4).
public struct HTTPTransformConfiguration: Hashable, Sendable {
    /// Firehose's default `NumberOfRetries`.
    public static let defaultRetries = 3
    /// The allowed `retries`.
    public static let retriesRange: ClosedRange<Int> = 0...300
    /// The default time allowed for one invocation, in seconds.
    public static let defaultTimeoutSeconds = 60
    /// The allowed `timeout_s` (Lambda's limit is 5 minutes).
    public static let timeoutSecondsRange: ClosedRange<Int> = 1...300
    /// Firehose's default `BufferSizeInMBs`.
    public static let defaultBufferSizeMB = 1.0
    /// The allowed `buffer_size_mb` (Firehose: 0.2…3).
    public static let bufferSizeMBRange: ClosedRange<Double> = 0.2...3

    /// The transform's URL (`http://` or `https://`).
    public let url: String
    /// Invocations retried after the first failure.
    public let retries: Int
    /// Seconds allowed for one invocation.
    public let timeoutSeconds: Int
    /// The most record data (before base64) per invocation, in MiB.
    public let bufferSizeMB: Double
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(url: String, retries: Int = HTTPTransformConfiguration.defaultRetries,
                timeoutSeconds: Int = HTTPTransformConfiguration.defaultTimeoutSeconds,
                bufferSizeMB: Double = HTTPTransformConfiguration.defaultBufferSizeMB, source: ProcessorSource) {
        self.url = url
        self.retries = retries
        self.timeoutSeconds = timeoutSeconds
        self.bufferSizeMB = bufferSizeMB
        self.source = source
    }

    /// The byte bound of one invocation's record data.
    public var bufferSizeBytes: Int { Int(bufferSizeMB * 1024 * 1024) }
}

/// `detect: {rules:, placeholders:, allowed_lateness_s:, max_groups:}`: Sigma rules on the records.
public struct DetectProcessorConfiguration: Hashable, Sendable {
    /// The default lateness allowed before correlation windows close, in seconds.
    public static let defaultAllowedLatenessSeconds = 30
    /// The allowed `allowed_lateness_s`.
    public static let allowedLatenessSecondsRange: ClosedRange<Int> = 0...86_400
    /// The default bound on correlation groups per rule.
    public static let defaultMaxGroups = 1_000_000
    /// The allowed `max_groups`.
    public static let maxGroupsRange: ClosedRange<Int> = 1...100_000_000

    /// Rule files and directories.
    public let rules: [String]
    /// Values for `|expand` placeholders, by name.
    public let placeholders: [String: [String]]
    /// Event-time lateness before windows close, in seconds.
    public let allowedLatenessSeconds: Int
    /// Correlation groups kept per rule.
    public let maxGroups: Int
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration.
    public init(rules: [String], placeholders: [String: [String]] = [:],
                allowedLatenessSeconds: Int = DetectProcessorConfiguration.defaultAllowedLatenessSeconds,
                maxGroups: Int = DetectProcessorConfiguration.defaultMaxGroups, source: ProcessorSource) {
        self.rules = rules
        self.placeholders = placeholders
        self.allowedLatenessSeconds = allowedLatenessSeconds
        self.maxGroups = maxGroups
        self.source = source
    }
}

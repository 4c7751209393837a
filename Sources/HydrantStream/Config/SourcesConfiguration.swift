/// `sources:`: inputs `hydrant serve` runs besides the Firehose API, each feeding one of the delivery streams.
public struct SourcesConfiguration: Hashable, Sendable {
    /// `sources.netflow`: a NetFlow v5/v9 and IPFIX collector, or nil when absent.
    public let netflow: NetFlowSourceConfiguration?

    /// Sources; none by default.
    public init(netflow: NetFlowSourceConfiguration? = nil) {
        self.netflow = netflow
    }

    /// Whether no source is configured.
    public var isEmpty: Bool { netflow == nil }
}

/// `sources.netflow`: UDP ports receiving NetFlow v5/v9 and IPFIX export datagrams; the decoded `flowlog.netflow`
/// records go into `stream` as if a client had put them.
public struct NetFlowSourceConfiguration: Hashable, Sendable {
    /// The default bind address (every IPv4 interface).
    public static let defaultBind = "0.0.0.0"
    /// The default time a template lives without being re-announced, in seconds (RFC 7011 §8.4 lets collectors
    /// expire templates received over UDP; exporters re-send theirs every few minutes at most).
    public static let defaultTemplateTimeoutSeconds = 1800
    /// The allowed `template_timeout_s`; 0 keeps templates until they are replaced or withdrawn.
    public static let templateTimeoutSecondsRange: ClosedRange<Int> = 0...86_400
    /// The default time data may wait for its template, in seconds.
    public static let defaultPendingMaxAgeSeconds = 30
    /// The allowed `pending_max_age_s`.
    public static let pendingMaxAgeSecondsRange: ClosedRange<Int> = 1...3600
    /// The default bound on data held for templates, in MiB (over all exporters).
    public static let defaultPendingMaxMB = 4
    /// The allowed `pending_max_mb`.
    public static let pendingMaxMBRange: ClosedRange<Int> = 1...1024
    /// The default socket receive buffer, in MiB.
    public static let defaultReceiveBufferMB = 32
    /// The allowed `receive_buffer_mb`.
    public static let receiveBufferMBRange: ClosedRange<Int> = 1...1024

    /// The delivery stream receiving the records (one of `streams:`).
    public let stream: String
    /// `netflow_port`: the UDP port NetFlow exporters send to.
    public let netflowPort: Int?
    /// `ipfix_port`: the UDP port IPFIX exporters send to. Either port takes every version.
    public let ipfixPort: Int?
    /// `bind`: the IPv4 address the ports are bound on.
    public let bind: String
    /// `template_timeout_s`: seconds a template lives without refresh; 0 for no expiry.
    public let templateTimeoutSeconds: Int
    /// `pending_max_age_s`: seconds data may wait for its template.
    public let pendingMaxAgeSeconds: Int
    /// `pending_max_mb`: MiB of data held for templates, over all exporters.
    public let pendingMaxMB: Int
    /// `receive_buffer_mb`: the socket receive buffer per port, in MiB.
    public let receiveBufferMB: Int
    /// `apply_sampling`: multiply counters by the sampling interval the exporter announces.
    public let applySampling: Bool
    /// `keep_enterprise`: keep unmapped enterprise-specific IPFIX elements in `netflow.enterprise`.
    public let keepEnterprise: Bool
    /// `observer_name`: written to every record's `observer.name`.
    public let observerName: String?
    /// Where the section was written, for start-up errors (a port in use).
    public let location: SourceLocation

    /// A source; the reader checks every value.
    public init(stream: String, netflowPort: Int? = nil, ipfixPort: Int? = nil, bind: String = NetFlowSourceConfiguration.defaultBind,
                templateTimeoutSeconds: Int = NetFlowSourceConfiguration.defaultTemplateTimeoutSeconds,
                pendingMaxAgeSeconds: Int = NetFlowSourceConfiguration.defaultPendingMaxAgeSeconds,
                pendingMaxMB: Int = NetFlowSourceConfiguration.defaultPendingMaxMB,
                receiveBufferMB: Int = NetFlowSourceConfiguration.defaultReceiveBufferMB,
                applySampling: Bool = true, keepEnterprise: Bool = false, observerName: String? = nil,
                location: SourceLocation) {
        self.stream = stream
        self.netflowPort = netflowPort
        self.ipfixPort = ipfixPort
        self.bind = bind
        self.templateTimeoutSeconds = templateTimeoutSeconds
        self.pendingMaxAgeSeconds = pendingMaxAgeSeconds
        self.pendingMaxMB = pendingMaxMB
        self.receiveBufferMB = receiveBufferMB
        self.applySampling = applySampling
        self.keepEnterprise = keepEnterprise
        self.observerName = observerName
        self.location = location
    }

    /// The ports to bind, NetFlow's first.
    public var ports: [Int] { [netflowPort, ipfixPort].compactMap { $0 } }
}

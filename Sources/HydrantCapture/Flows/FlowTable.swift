import HydrantRecords

/// Timeouts and bounds of the flow table; all times are packet time.
public struct FlowTableConfiguration: Sendable {
    /// Inactive timeout of an established TCP flow (default 5 min).
    public var tcpEstablishedTimeout: Int64 = 300 * 1_000_000_000
    /// Inactive timeout of a half-open or not-yet-established TCP flow (default 30 s).
    public var tcpHalfOpenTimeout: Int64 = 30 * 1_000_000_000
    /// Inactive timeout of UDP flows (default 60 s).
    public var udpTimeout: Int64 = 60 * 1_000_000_000
    /// Inactive timeout of ICMP, ICMPv6 and other flows (default 60 s).
    public var icmpTimeout: Int64 = 60 * 1_000_000_000
    /// Interval of interim `flow_update` records for long flows (default 5 min).
    public var activeTimeout: Int64 = 300 * 1_000_000_000
    /// At most this many flows are tracked; past it the least recently active is emitted early.
    public var maxFlows: Int = 1_000_000
    /// Written to `observer.name` of every record.
    public var observerName: String?

    /// The defaults.
    public init() {}
}

/// Counters of the flow table.
public struct FlowStatistics: Sendable, Equatable {
    /// Flows created.
    public var created: Int = 0
    /// Records emitted (including interim updates).
    public var emitted: Int = 0
    /// Flows emitted early because the table was full.
    public var evicted: Int = 0

    /// Creates empty counters.
    public init() {}
}

/// Bidirectional flows keyed by 5-tuple and VLAN, with Zeek-compatible state and packet-time timeouts.
///
/// STUB: replaced by the flow work; the signatures are the contract.
public final class FlowTable {
    /// The configuration in force.
    public let configuration: FlowTableConfiguration
    /// Counters so far.
    public private(set) var statistics = FlowStatistics()

    /// Creates an empty table.
    public init(configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        self.configuration = configuration
    }

    /// Flows currently tracked.
    public var count: Int { 0 }

    /// Accounts one decoded packet; records of flows that ended or timed out by its time are appended to `output`.
    public func add(_ packet: DecodedPacket, into output: inout [FlowRecord]) {}

    /// Emits every flow whose timeout passed by `now` (packet time).
    public func expire(upTo now: Timestamp, into output: inout [FlowRecord]) {}

    /// Emits every open flow as `flow_shutdown` (end of input) and empties the table.
    public func flush(into output: inout [FlowRecord]) {}
}

import HydrantRecords

/// Counters of one capture run, for the closing summary.
public struct CaptureStatistics: Sendable, Equatable {
    /// Frames read from the sources.
    public var frames: Int = 0
    /// Bytes on the wire of those frames.
    public var wireBytes: Int64 = 0
    /// Decoder counters.
    public var decode = DecodeStatistics()
    /// Flow-table counters.
    public var flows = FlowStatistics()

    /// Creates empty counters.
    public init() {}
}

/// Turns captured frames into flow records: decoder and flow table, in plain synchronous code.
///
/// Records accumulate in `records`; the caller drains them in batches (`drainRecords`) so that encoding and
/// writing happen per batch, not per packet.
public final class CaptureEngine {
    private var decoder: PacketDecoder
    private let flowTable: FlowTable
    private var packet = DecodedPacket()
    private var frames = 0
    private var wireBytes: Int64 = 0
    /// Records emitted and not yet taken.
    public private(set) var records: [FlowRecord] = []

    /// Creates an engine with a flow-table configuration.
    public init(flows configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        decoder = PacketDecoder()
        flowTable = FlowTable(configuration: configuration)
        records.reserveCapacity(4096)
    }

    /// Decodes one frame and accounts it in its flow.
    @inline(__always)
    public func process(_ frame: CapturedFrame, linkType: LinkType) {
        frames &+= 1
        wireBytes &+= Int64(frame.wireLength)
        if decoder.decode(frame.bytes, linkType: linkType, timestamp: frame.timestamp, into: &packet) == .packet {
            flowTable.add(packet, into: &records)
        }
    }

    /// Emits the flows whose timeouts passed by `now`; a live capture calls this when no packets arrive.
    public func expire(upTo now: Timestamp) {
        flowTable.expire(upTo: now, into: &records)
    }

    /// Emits every open flow as `flow_shutdown`, at the end of input.
    public func finish() {
        flowTable.flush(into: &records)
    }

    /// Passes the records emitted so far to `body`, then clears them, keeping the buffer for the next batch.
    public func drainRecords(_ body: ([FlowRecord]) throws -> Void) rethrows {
        guard !records.isEmpty else { return }
        try body(records)
        records.removeAll(keepingCapacity: true)
    }

    /// Flows open now.
    public var openFlows: Int { flowTable.count }

    /// The run's counters so far.
    public var statistics: CaptureStatistics {
        var stats = CaptureStatistics()
        stats.frames = frames
        stats.wireBytes = wireBytes
        stats.decode = decoder.statistics
        stats.flows = flowTable.statistics
        return stats
    }
}

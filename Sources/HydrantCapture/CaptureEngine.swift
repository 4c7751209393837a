import Dispatch
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
    /// DNS, HTTP and TLS parser counters.
    public var application = ApplicationStatistics()

    /// Creates empty counters.
    public init() {}
}

/// A batch of decoded packets, and the application records made while decoding them, on its way from the decoding
/// thread to the flow thread.
///
/// Unchecked: a packet's `payload` points into the capture buffer, which the next read reuses, so the engine
/// clears every payload before the batch leaves the decoding thread; what crosses is plain values.
private struct PacketBatch: @unchecked Sendable {
    var packets: [DecodedPacket]
    var records: CaptureRecords
}

/// Turns captured frames into records in two stages: the caller's thread decodes frames and runs the DNS, HTTP and
/// TLS parsers (payloads are only valid there), and a thread of the engine's own runs the flow table over each batch
/// of decoded packets, in order.
///
/// Decoding, parsing and flow tracking are plain synchronous loops; the only concurrency is the hand-over of a batch
/// of `batchSize` packets with the application records made meanwhile, with at most `batchesInFlight` waiting (after
/// which `process` waits: backpressure, bounded memory). Records go to `sink` on the flow thread, flows in the order
/// the flow table emits them and application records in the order the parsers made them.
public final class CaptureEngine: @unchecked Sendable {
    // Unchecked: `decoder`, `analyzer`, `batch`, `applicationRecords` and the frame counters belong to the caller's
    // thread; `flowTable` and `output` are touched only on `flowQueue`. `statistics` and `openFlows` read the latter
    // through it.
    private var decoder = PacketDecoder()
    private let analyzer: ApplicationAnalyzer?
    private var packet = DecodedPacket()
    private var batch: [DecodedPacket] = []
    private var applicationRecords = CaptureRecords()
    private var frames = 0
    private var wireBytes: Int64 = 0

    private let flowTable: FlowTable
    private var output = CaptureRecords()
    private let flowQueue = DispatchQueue(label: "hydrant.flows")
    private let slots: DispatchSemaphore
    private let sink: @Sendable (CaptureRecords) -> Void
    private let batchSize: Int
    /// Sees UDP payloads to chosen ports before they are cleared; set before the first `process`.
    public var udpPayloadTap: UDPPayloadTap?

    /// Creates an engine; `application` nil (or with every dataset off) makes flow records only. `sink` receives each
    /// non-empty batch of records on the engine's flow thread.
    public init(flows configuration: FlowTableConfiguration = FlowTableConfiguration(),
                application: ApplicationConfiguration? = ApplicationConfiguration(), batchSize: Int = 8192,
                batchesInFlight: Int = 8, sink: @escaping @Sendable (CaptureRecords) -> Void) {
        flowTable = FlowTable(configuration: configuration)
        analyzer = application.flatMap { $0.anyEnabled ? ApplicationAnalyzer(configuration: $0) : nil }
        self.batchSize = max(batchSize, 1)
        slots = DispatchSemaphore(value: max(batchesInFlight, 1))
        self.sink = sink
        batch.reserveCapacity(self.batchSize)
    }

    /// Decodes one frame; a full batch of packets goes to the flow thread.
    @inline(__always)
    public func process(_ frame: CapturedFrame, linkType: LinkType) {
        frames &+= 1
        wireBytes &+= Int64(frame.wireLength)
        guard decoder.decode(frame.bytes, linkType: linkType, timestamp: frame.timestamp, wireLength: frame.wireLength,
                             into: &packet) == .packet else {
            return
        }
        if let analyzer { packet.applicationProtocol = analyzer.analyze(packet) }
        if let udpPayloadTap { udpPayloadTap.offer(packet) }
        packet.payload = UnsafeRawBufferPointer(start: nil, count: 0)
        batch.append(packet)
        if batch.count >= batchSize { handOver() }
    }

    /// Emits the flows whose timeouts passed by `now`; a live capture calls this when no packets arrive.
    public func expire(upTo now: Timestamp) {
        analyzer?.expire(upTo: now)
        handOver(force: true)
        slots.wait()
        flowQueue.async {
            defer { self.slots.signal() }
            self.flowTable.expire(upTo: now, into: &self.output.flows)
            self.deliver()
        }
    }

    /// Processes what is pending, emits every open flow as `flow_shutdown` (end of input) and waits until the
    /// sink has received every record.
    public func finish() {
        analyzer?.flush()
        handOver(force: true)
        flowQueue.sync {
            flowTable.flush(into: &output.flows)
            deliver()
        }
    }

    /// Waits until every packet handed over so far has gone through the flow table and its records to the sink.
    public func drain() {
        handOver()
        flowQueue.sync {}
    }

    /// Flows open now (waits for the flow thread to catch up).
    public var openFlows: Int { flowQueue.sync { flowTable.count } }

    /// The run's counters so far (waits for the flow thread to catch up).
    public var statistics: CaptureStatistics {
        var stats = CaptureStatistics()
        stats.frames = frames
        stats.wireBytes = wireBytes
        stats.decode = decoder.statistics
        stats.application = analyzer?.statistics ?? ApplicationStatistics()
        stats.flows = flowQueue.sync { flowTable.statistics }
        return stats
    }

    /// Sends the batch (and the application records made meanwhile) to the flow thread; unless `force`d, only when
    /// packets are waiting.
    private func handOver(force: Bool = false) {
        analyzer?.takeRecords(into: &applicationRecords)
        guard !batch.isEmpty || (force && !applicationRecords.isEmpty) else { return }
        var records = CaptureRecords()
        records.takeApplicationRecords(from: &applicationRecords)
        let full = PacketBatch(packets: batch, records: records)
        batch.removeAll(keepingCapacity: true)
        slots.wait()
        flowQueue.async {
            defer { self.slots.signal() }
            var full = full
            for packet in full.packets { self.flowTable.add(packet, into: &self.output.flows) }
            self.output.takeApplicationRecords(from: &full.records)
            self.deliver()
        }
    }

    /// On the flow thread: passes the records emitted so far to the sink.
    private func deliver() {
        guard !output.isEmpty else { return }
        sink(output)
        output.removeAll()
    }
}

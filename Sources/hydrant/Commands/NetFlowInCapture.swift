import HydrantCapture
import HydrantFlowLogs
import HydrantRecords
import Synchronization

/// NetFlow/IPFIX export found inside a capture (`replay --netflow-port`): UDP datagrams to the given ports are
/// decoded as flow export on the capture's decoding thread, and their records are written beside the packet
/// records as `flowlog.netflow`, in packet time (a datagram's capture time is its receive time).
///
/// The records travel to the output through `output`, which wraps the run's real output: the decoding thread puts
/// them in a locked pending list, and the writer thread encodes and writes that list whenever it next writes.
/// Without ports nothing is wrapped or tapped, and the capture path is unchanged.
final class NetFlowInCapture: @unchecked Sendable {
    // Unchecked: `decoder` and `truncated` belong to the decoding thread (the tap runs there, and the summary is
    // read after the engine finished); `pending` is locked.
    private let ports: [UInt16]
    private let decoder: FlowExportDecoder
    private let pending: PendingNetFlowRecords
    private var truncated = 0
    /// The output the run's record writer should use: the real one, or a wrapper that also writes NetFlow records.
    let output: any RecordOutput

    /// Wraps `output` when `ports` is not empty. Sampling is applied as exporters announce it, like `collect`.
    init(ports: [UInt16], observerName: String?, output wrapped: any RecordOutput) throws {
        self.ports = ports
        let pending = PendingNetFlowRecords()
        self.pending = pending
        var configuration = FlowExportDecoder.Configuration()
        configuration.observerName = observerName
        decoder = FlowExportDecoder(configuration: configuration)
        if ports.isEmpty {
            output = wrapped
        } else {
            guard let encodedOutput = wrapped as? any EncodedRecordOutput else {
                throw RuntimeFailure("the output cannot take NetFlow records")
            }
            output = MergingOutput(encodedOutput, pending: pending)
        }
    }

    /// The tap for the capture engine (nil without ports); every 1024 pending records it asks `writer` to write
    /// them (an empty capture batch makes the writer thread drain the pending list, with its backpressure).
    func tap(feeding writer: BackgroundRecordWriter) -> UDPPayloadTap? {
        guard !ports.isEmpty else { return nil }
        return UDPPayloadTap(destinationPorts: ports) { [self] packet in
            guard packet.payload.count >= packet.payloadLength else {
                truncated += 1
                return
            }
            let (before, after) = pending.records.withLock { records in
                let before = records.count
                decoder.decode(packet.payload, from: packet.source, receivedAt: packet.timestamp, into: &records)
                return (before, records.count)
            }
            // Once per 1024 records held, not on every datagram while the writer catches up.
            if before / 1024 != after / 1024 { try? writer.write(CaptureRecords()) }
        }
    }

    /// Summary lines for stderr (none without ports); read after the engine finished.
    var summary: [String] {
        guard !ports.isEmpty else { return [] }
        let s = decoder.totals
        var line = "  netflow (udp \(ports.map(String.init).joined(separator: ", "))): \(s.datagrams) datagrams from "
            + "\(decoder.statistics.count) exporters, \(s.flowRecords) flow records, \(s.optionsRecords) options records, "
            + "\(s.addresslessRecords) addressless records, \(s.pendingRecordsReleased) held records released, "
            + "\(s.templates) templates, \(s.malformedDatagrams) malformed datagrams, \(s.malformedSets) malformed sets, "
            + "\(truncated) truncated by the capture"
        if let last = s.lastMalformation { line += "; last malformation: \(last)" }
        return [line]
    }
}

/// The run's output, plus the NetFlow records pending from the decoding thread, written before each capture batch
/// and at flush and close. Used on the record writer's thread only, like any output.
private final class MergingOutput: RecordOutput {
    private let wrapped: any EncodedRecordOutput
    private let pending: PendingNetFlowRecords
    private var taken: [NetFlowRecord] = []
    private var encoder = NetFlowLineEncoder()
    private var encoded = EncodedRecords(reservingRecords: 1024)

    init(_ wrapped: any EncodedRecordOutput, pending: PendingNetFlowRecords) {
        self.wrapped = wrapped
        self.pending = pending
    }

    var recordsWritten: Int { wrapped.recordsWritten }

    func write(_ records: CaptureRecords) throws {
        try drain()
        if !records.isEmpty { try wrapped.write(records) }
    }

    func flush() throws {
        try drain()
        try wrapped.flush()
    }

    func close() throws {
        try drain()
        try wrapped.close()
    }

    private func drain() throws {
        // Swap the lists so the lock is held for no longer than the swap, and both keep their storage.
        pending.records.withLock { swap(&$0, &taken) }
        guard !taken.isEmpty else { return }
        encoded.removeAll()
        encoded.append(contentsOf: taken, with: &encoder)
        taken.removeAll(keepingCapacity: true)
        try wrapped.write(encoded)
    }
}

/// NetFlow records decoded on the capture's decoding thread and not yet written.
private final class PendingNetFlowRecords: Sendable {
    let records = Mutex<[NetFlowRecord]>([])
}

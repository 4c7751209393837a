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

/// Turns captured frames into records in up to three stages: the caller's thread decodes frames, a thread of the
/// engine's own runs the DNS, HTTP and TLS parsers (when any dataset of theirs is on), and another runs the flow
/// table, each over the same batches of packets, in order.
///
/// Payloads point into the capture buffer, which the next read reuses, so the decoding thread copies the payloads
/// the parsers read (TCP segments and DNS datagrams, see `ApplicationAnalyzer.wantsPayload`) into the batch's
/// arena; the parsers run beside decoding instead of after it, so with every dataset on two cores share the work.
/// A replayed capture file that libpcap reads through a mapping is the exception: there the packets point at the
/// payloads in the mapping (the batch keeps the file open, and its pages resident, until it is done), and nothing is
/// copied.
/// Decoding, parsing and flow tracking are plain synchronous loops; the only concurrency is the hand-over of a batch
/// of at most `batchSize` packets (or of a few MiB of copied payload), with at most `batchesInFlight` between the
/// decoding thread and the sink (after which `process` waits: backpressure, bounded memory). Batches are reused.
/// Records go to `sink` on the flow thread, flows in the order the flow table emits them and application records in
/// the order the parsers made them, each batch's application records after its flow records.
public final class CaptureEngine: @unchecked Sendable {
    // Unchecked: `decoder`, `packet`, `batch`, `copied`, `current` and the frame counters belong to the caller's
    // thread (which only asks `analyzer` for its configuration); `analyzer` is otherwise touched only on
    // `analyzerQueue`, `flowTable` and `output` only on `flowQueue`. `statistics` and `openFlows` read them
    // through their queues.
    private var decoder = PacketDecoder()
    private let analyzer: ApplicationAnalyzer?
    private var packet = DecodedPacket()
    /// The packets and copied payloads being gathered; they trade storage with `current` on a hand-over.
    private var batch: [DecodedPacket] = []
    /// The payloads of `batch` copied to the arena, by packet index.
    private var copied: [CopiedPayload] = []
    /// The batch whose arena takes the payloads being copied.
    private var current: PacketBatch {
        didSet { arena = Unmanaged.passUnretained(current.arena) }
    }
    /// `current`'s arena, which `current` keeps alive: used through `_withUnsafeGuaranteedRef`, which spares the
    /// retain and release a class reference costs per packet (even an `unowned(unsafe)` one is retained for a call).
    private var arena: Unmanaged<PayloadArena>
    /// The mapped file `current` keeps open (its identity only; `current.file` holds it), nil until its first frame
    /// from one.
    private var currentFile: UnsafeMutableRawPointer?
    /// The offset in that file after which `current` is handed over early, so batches in flight keep a bounded
    /// stretch of the file's pages resident.
    private var fileHandOverOffset = 0
    /// The file offset after `current`'s last packet from that file.
    private var currentFileEnd = 0
    /// Whether the parsers run, so payloads are copied.
    private let copiesPayloads: Bool
    /// The UDP ports whose payloads the parsers read (nil when DNS is off).
    private let dnsUDPPorts: PortSet?
    private var frames = 0
    private var wireBytes: Int64 = 0

    private let flowTable: FlowTable
    private var output = CaptureRecords()
    private let analyzerQueue = DispatchQueue(label: "hydrant.application")
    private let flowQueue = DispatchQueue(label: "hydrant.flows")
    private let slots: DispatchSemaphore
    private let pool: PacketBatchPool
    private let sink: @Sendable (CaptureRecords) -> Void
    private let batchSize: Int
    /// Copied payload after which a batch is handed over before it is full, so arenas stay a few MiB.
    private static let arenaHandOverBytes = 2 << 20
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
        // Without parsers nothing is copied, so the arena keeps its first (small) block.
        pool = PacketBatchPool(capacity: self.batchSize,
                               arenaBytes: analyzer == nil ? 0 : CaptureEngine.arenaHandOverBytes + 64 * 1024)
        let first = pool.take()
        current = first
        arena = Unmanaged.passUnretained(first.arena)
        copiesPayloads = analyzer != nil
        let parsing = application ?? ApplicationConfiguration()
        dnsUDPPorts = parsing.dns ? PortSet(parsing.dnsUDPPorts) : nil
        self.sink = sink
        batch.reserveCapacity(self.batchSize)
    }

    /// Decodes one frame; a full batch of packets goes on to the parsers and the flow table.
    @inline(__always)
    public func process(_ frame: CapturedFrame, linkType: LinkType) {
        frames &+= 1
        wireBytes &+= Int64(frame.wireLength)
        guard decoder.decode(frame.bytes, linkType: linkType, timestamp: frame.timestamp, wireLength: frame.wireLength,
                             into: &packet) == .packet else {
            return
        }
        if let udpPayloadTap { udpPayloadTap.offer(packet) }
        if copiesPayloads {
            let wanted = ApplicationAnalyzer.wantsPayload(packet, dnsUDPPorts: dnsUDPPorts)
            if let file = frame.mapped {
                // A replayed file: the payload is read where it lies in the mapping, which the batch keeps open, so the
                // packet keeps it (pointing into the mapping instead of the frame) and nothing is copied.
                if file.toOpaque() != currentFile { attach(file, at: frame.mappedOffset) }
                let end = frame.mappedOffset + frame.bytes.count
                currentFileEnd = end
                var full = end >= fileHandOverOffset
                if wanted, let inPlace = CaptureEngine.inPlace(packet.payload, of: frame) {
                    packet.payload = inPlace
                } else {
                    if wanted {
                        copy(packet.payload)
                        full = full || arena._withUnsafeGuaranteedRef({ $0.count }) >= CaptureEngine.arenaHandOverBytes
                    }
                    packet.payload = UnsafeRawBufferPointer(start: nil, count: 0)
                }
                batch.append(packet)
                if full || batch.count >= batchSize { handOver() }
                return
            }
            if wanted {
                copy(packet.payload)
                if arena._withUnsafeGuaranteedRef({ $0.count }) >= CaptureEngine.arenaHandOverBytes {
                    packet.payload = UnsafeRawBufferPointer(start: nil, count: 0)
                    batch.append(packet)
                    handOver()
                    return
                }
            }
        }
        packet.payload = UnsafeRawBufferPointer(start: nil, count: 0)
        batch.append(packet)
        if batch.count >= batchSize { handOver() }
    }

    /// Copies the payload of the packet about to be appended to the batch into the arena, noting where it went.
    @inline(__always)
    private func copy(_ payload: UnsafeRawBufferPointer) {
        let span = arena._withUnsafeGuaranteedRef { $0.append(payload) }
        if span.count > 0 { copied.append(CopiedPayload(packet: Int32(truncatingIfNeeded: batch.count), span: span)) }
    }

    /// Where `payload` lies in the mapped file `frame` came from; nil when it is not within the frame's bytes (a
    /// reassembled datagram's payload is in the decoder's own buffer, so it is copied to the arena instead).
    @inline(__always)
    private static func inPlace(_ payload: UnsafeRawBufferPointer, of frame: CapturedFrame) -> UnsafeRawBufferPointer? {
        guard let start = payload.baseAddress, let frameStart = frame.bytes.baseAddress,
              let mapping = frame.mapped?._withUnsafeGuaranteedRef({ $0.mapping }), let base = mapping.baseAddress else {
            return nil
        }
        let offset = start - frameStart
        guard offset >= 0, offset + payload.count <= frame.bytes.count else { return nil }
        return UnsafeRawBufferPointer(start: base + frame.mappedOffset + offset, count: payload.count)
    }

    /// Makes `current` keep the mapped `file` open, handing over the batch first when it holds another file's
    /// packets (a batch keeps one file).
    private func attach(_ file: Unmanaged<PcapHandle>, at offset: Int) {
        if currentFile != nil { handOver() }
        let handle = file.takeUnretainedValue()
        // Until a batch of it is done, nothing from this frame on may be given back.
        if handle.inUseFrom.load(ordering: .relaxed) == Int.max { handle.inUseFrom.store(offset, ordering: .releasing) }
        current.file = handle
        currentFileEnd = offset
        currentFile = file.toOpaque()
        fileHandOverOffset = offset + CaptureEngine.arenaHandOverBytes
    }

    /// Emits the flows whose timeouts passed by `now`; a live capture calls this when no packets arrive.
    public func expire(upTo now: Timestamp) {
        handOver()
        slots.wait()
        let batch = pool.take()
        analyze(batch) { analyzer in analyzer.expire(upTo: now) }
        flowStage {
            self.flowTable.expire(upTo: now, into: &self.output.flows)
            self.output.takeApplicationRecords(from: &batch.records)
            self.deliver()
            self.pool.recycle(batch)
        }
    }

    /// Processes what is pending, emits every open flow as `flow_shutdown` (end of input) and waits until the
    /// sink has received every record.
    public func finish() {
        handOver()
        slots.wait()
        let batch = pool.take()
        analyze(batch) { analyzer in analyzer.flush() }
        analyzerQueue.sync {}
        flowQueue.sync {
            defer { slots.signal() }
            output.takeApplicationRecords(from: &batch.records)
            flowTable.flush(into: &output.flows)
            deliver()
            pool.recycle(batch)
        }
    }

    /// Waits until every packet handed over so far has gone through the parsers and the flow table, and its records
    /// to the sink.
    public func drain() {
        handOver()
        analyzerQueue.sync {}
        flowQueue.sync {}
    }

    /// Flows open now (waits for the flow thread to catch up).
    public var openFlows: Int {
        analyzerQueue.sync {}
        return flowQueue.sync { flowTable.count }
    }

    /// The run's counters so far (waits for the parser and flow threads to catch up).
    public var statistics: CaptureStatistics {
        var stats = CaptureStatistics()
        stats.frames = frames
        stats.wireBytes = wireBytes
        stats.decode = decoder.statistics
        stats.application = analyzerQueue.sync { analyzer?.statistics } ?? ApplicationStatistics()
        stats.flows = flowQueue.sync { flowTable.statistics }
        return stats
    }

    /// Sends the current batch on, when it holds packets, and starts a new one.
    private func handOver() {
        guard !batch.isEmpty else { return }
        let batch = current
        // The engine keeps the batch's emptied arrays (with their capacity) for the next packets.
        swap(&batch.packets, &self.batch)
        swap(&batch.copied, &copied)
        batch.fileEnd = currentFileEnd
        current = pool.take()
        currentFile = nil
        slots.wait()
        analyze(batch) { _ in }
        flowStage {
            self.addToFlowTable(batch)
            self.output.takeApplicationRecords(from: &batch.records)
            self.deliver()
            self.pool.recycle(batch)
        }
    }

    /// On the parser thread, in order: runs the parsers over `batch`'s packets (setting each one's protocol), then
    /// `then`, and takes the records made into the batch. Without parsers, does nothing.
    private func analyze(_ batch: PacketBatch, then: @escaping @Sendable (ApplicationAnalyzer) -> Void) {
        guard analyzer != nil else { return }
        analyzerQueue.async {
            guard let analyzer = self.analyzer else { return }
            let arena = batch.arena
            let copied = batch.copied
            batch.packets.withUnsafeMutableBufferPointer { packets in
                guard let first = packets.baseAddress else { return }
                // Payloads read in place are in the packets already; the copied ones are put in before their packet.
                var nextCopied = 0
                var nextCopiedPacket = copied.isEmpty ? Int.max : Int(copied[0].packet)
                for index in packets.indices {
                    let packet = first + index
                    if index == nextCopiedPacket {
                        packet.pointee.payload = arena.bytes(copied[nextCopied].span)
                        nextCopied += 1
                        nextCopiedPacket = nextCopied < copied.count ? Int(copied[nextCopied].packet) : Int.max
                    }
                    // Read where it lies, not copied out for the call.
                    packet.pointee.applicationProtocol = analyzer.analyze(at: UnsafePointer(packet))
                    if let id = analyzer.takeCommunityID() { batch.communityIDs.append((index, id)) }
                }
            }
            then(analyzer)
            _ = analyzer.takeCommunityID()  // made for no packet of this batch
            analyzer.takeRecords(into: &batch.records)
        }
    }

    /// On the flow thread: runs `batch`'s packets through the flow table, handing it the Community IDs the parsers
    /// made for them.
    private func addToFlowTable(_ batch: PacketBatch) {
        let ids = batch.communityIDs
        guard !ids.isEmpty else {
            for packet in batch.packets { flowTable.add(packet, into: &output.flows) }
            return
        }
        // The packets between two with an ID go through the same loop as without parsers, instead of each asking
        // whether it is the next one with an ID.
        batch.packets.withUnsafeBufferPointer { packets in
            var start = 0
            for (index, id) in ids where index >= start && index < packets.count {
                for plain in start..<index { flowTable.add(packets[plain], into: &output.flows) }
                flowTable.add(packets[index], communityID: id, into: &output.flows)
                start = index + 1
            }
            for plain in start..<packets.count { flowTable.add(packets[plain], into: &output.flows) }
        }
    }

    /// Runs `body` on the flow thread after the parsers are done with everything handed over before it, then frees
    /// a slot.
    private func flowStage(_ body: @escaping @Sendable () -> Void) {
        let run: @Sendable () -> Void = {
            self.flowQueue.async {
                defer { self.slots.signal() }
                body()
            }
        }
        if analyzer == nil { run() } else { analyzerQueue.async(execute: run) }
    }

    /// On the flow thread: passes the records emitted so far to the sink.
    private func deliver() {
        guard !output.isEmpty else { return }
        sink(output)
        output.removeAll()
    }
}

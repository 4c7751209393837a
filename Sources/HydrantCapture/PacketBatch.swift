import Synchronization

/// A batch of decoded packets on its way through `CaptureEngine`'s stages: filled on the decoding thread, read by the
/// application analyzer on its thread (which sets each packet's protocol and adds the records it made), then run
/// through the flow table on the flow thread, and finally emptied and put back in a `PacketBatchPool`.
///
/// A class so each stage changes it in place (no copy of thousands of packets on a hand-over). Unchecked: packets'
/// `payload` fields are empty or point into the mapped `file` (which the batch keeps open) when the batch is handed
/// over, the other payloads the analyzer reads are in `arena` (located by `copied`), and a batch belongs to one stage
/// at a time, handed on by dispatch queue submissions.
final class PacketBatch: @unchecked Sendable {
    /// The packets; a payload is either empty or read in place in `file`.
    var packets: [DecodedPacket] = []
    /// The payloads copied to `arena`, in packet order (only when the analyzer runs on its own thread). The analyzer
    /// puts each in its packet before looking at it.
    var copied: [CopiedPayload] = []
    /// The payloads the analyzer reads, copied out of the capture buffer.
    let arena: PayloadArena
    /// The application records made while analyzing these packets.
    var records = CaptureRecords()
    /// Community IDs the analyzer made for packets' connections, by packet index in increasing order, for the flow
    /// table to reuse instead of hashing the same endpoints again.
    var communityIDs: [(packet: Int, id: String)] = []
    /// The mapped capture file the packets were read from, kept open while packets point into it.
    var file: PcapHandle?
    /// The file offset after the last of these packets, from which `file`'s pages are still read once the batch is done.
    var fileEnd = 0

    /// An empty batch with room for `capacity` packets and `arenaBytes` of payload.
    init(capacity: Int, arenaBytes: Int) {
        packets.reserveCapacity(capacity)
        arena = PayloadArena(capacity: arenaBytes)
    }

    /// Empties the batch, keeping its storage.
    func removeAll() {
        packets.removeAll(keepingCapacity: true)
        copied.removeAll(keepingCapacity: true)
        arena.removeAll()
        records.removeAll()
        communityIDs.removeAll(keepingCapacity: true)
        // The pages before this batch's end are no longer read by it (nor by any earlier batch, done before it).
        file?.inUseFrom.store(fileEnd, ordering: .releasing)
        file = nil
        fileEnd = 0
    }
}

/// Emptied batches waiting to be filled again, so the packet arrays and payload arenas of a long capture are
/// allocated once (a fresh multi-megabyte block per batch would cost page faults on every hand-over).
final class PacketBatchPool: Sendable {
    private let free = Mutex<[PacketBatch]>([])
    private let capacity: Int
    private let arenaBytes: Int

    /// A pool of batches of `capacity` packets and arenas of `arenaBytes`.
    init(capacity: Int, arenaBytes: Int) {
        self.capacity = capacity
        self.arenaBytes = arenaBytes
    }

    /// An empty batch, recycled when one is free.
    func take() -> PacketBatch {
        free.withLock { $0.popLast() } ?? PacketBatch(capacity: capacity, arenaBytes: arenaBytes)
    }

    /// Empties `batch` and keeps it for a later `take`.
    func recycle(_ batch: PacketBatch) {
        batch.removeAll()
        free.withLock { $0.append(batch) }
    }
}

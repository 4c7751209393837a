import HydrantRecords

/// Where one packet's payload lies in a `PayloadArena`; a zero count means none.
struct PayloadSpan {
    /// Byte offset in the arena.
    var start: UInt
    /// Payload bytes.
    var count: Int32

    /// No payload.
    static let none = PayloadSpan(start: 0, count: 0)
}

/// A payload copied to a batch's arena, and the index of its packet in the batch.
struct CopiedPayload {
    /// The packet's index in `PacketBatch.packets`.
    var packet: Int32
    /// Where its payload is in the batch's arena.
    var span: PayloadSpan
}

/// Payload bytes copied out of the capture buffer for one batch of packets, so the application analyzer can read
/// them on its own thread after the capture buffer has been reused.
///
/// A `JSONLineBuffer` (manually managed memory, grown by doubling, kept when emptied) with offsets handed out per
/// payload, so copying a payload in is one capacity check and a `memcpy`. Unchecked: an arena is filled on the
/// decoding thread, handed over whole, read on the analyzer thread and emptied on the flow thread, one thread at a
/// time (the hand-overs are dispatch queue submissions, which order the memory accesses).
final class PayloadArena: @unchecked Sendable {
    private let buffer: JSONLineBuffer

    /// An empty arena with room for `capacity` bytes.
    init(capacity: Int) {
        buffer = JSONLineBuffer(capacity: max(capacity, 4096))
    }

    /// Bytes held.
    var count: Int { buffer.count }

    /// Copies `bytes` to the end of the arena and says where they went. Offsets are 32-bit: an arena is handed over
    /// long before 2 GiB (`CaptureEngine` does so at a few MiB), so a span that would not fit is recorded as empty.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) -> PayloadSpan {
        let offset = buffer.count
        guard !bytes.isEmpty, offset + bytes.count <= Int(Int32.max) else { return .none }
        buffer.append(bytes)
        return PayloadSpan(start: UInt(offset), count: Int32(truncatingIfNeeded: bytes.count))
    }

    /// The bytes of `span`, valid until the arena is emptied or grows.
    @inline(__always)
    func bytes(_ span: PayloadSpan) -> UnsafeRawBufferPointer {
        guard span.count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return buffer.unsafeBytes(at: Int(span.start), count: Int(span.count))
    }

    /// Forgets the bytes held, keeping the memory (up to what a normal batch needs).
    func removeAll() { buffer.removeAll() }
}

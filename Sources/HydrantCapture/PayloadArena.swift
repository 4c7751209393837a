/// Where one packet's payload lies in a `PayloadArena`; a zero count means the packet carries none for the analyzer.
struct PayloadSpan {
    /// Byte offset in the arena.
    var offset: Int32
    /// Payload bytes.
    var count: Int32

    /// No payload.
    static let none = PayloadSpan(offset: 0, count: 0)
}

/// Payload bytes copied out of the capture buffer for one batch of packets, so the application analyzer can read
/// them on its own thread after the capture buffer has been reused.
///
/// One block of raw memory, grown by doubling and reused from batch to batch (emptied, never freed), so copying a
/// payload in is a bounds check and a `memcpy`. Unchecked: an arena is filled on the decoding thread, handed over
/// whole, read on the analyzer thread and emptied on the flow thread, one thread at a time (the hand-overs are
/// dispatch queue submissions, which order the memory accesses).
final class PayloadArena: @unchecked Sendable {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes held.
    private(set) var count = 0

    /// An empty arena with room for `capacity` bytes.
    init(capacity: Int) {
        self.capacity = max(capacity, 4096)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// Copies `bytes` to the end of the arena and says where they went. Offsets are 32-bit: an arena is handed over
    /// long before 2 GiB (`CaptureEngine` does so at a few MiB), so a span that would not fit is recorded as empty.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) -> PayloadSpan {
        guard let source = bytes.baseAddress, !bytes.isEmpty,
              count + bytes.count <= Int(Int32.max) else { return .none }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        let span = PayloadSpan(offset: Int32(truncatingIfNeeded: count), count: Int32(truncatingIfNeeded: bytes.count))
        count += bytes.count
        return span
    }

    /// The bytes of `span`, valid until the arena is emptied or grows.
    @inline(__always)
    func bytes(_ span: PayloadSpan) -> UnsafeRawBufferPointer {
        guard span.count > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + Int(span.offset), count: Int(span.count))
    }

    /// Forgets the bytes held, keeping the memory.
    func removeAll() { count = 0 }

    private func grow(toHold needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}

/// A growable byte buffer in manually managed memory, which record encoders write into through a raw pointer.
///
/// An encoder reserves the worst-case size of what it is about to write once (`reserve`), then stores bytes with
/// no capacity or uniqueness check per byte, and sets `count` when done. Unlike `[UInt8]` it is a reference: one
/// owner (an output's thread) uses it at a time. After an oversized record (a very long string) `removeAll` gives
/// the extra memory back, so a hostile input cannot keep the buffer large.
public final class JSONLineBuffer {
    /// The start of the storage; moves when the buffer grows.
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    /// Bytes allocated at `base`.
    @usableFromInline var allocated: Int
    /// Bytes written.
    @usableFromInline var used: Int
    /// The capacity made at creation, kept across `removeAll`.
    public let initialCapacity: Int

    /// Capacity kept by `removeAll` (beyond `initialCapacity`): what a normal batch of records grows to.
    static let retainedCapacity = 4 << 20

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 64 << 10) {
        initialCapacity = max(capacity, 64)
        allocated = initialCapacity
        base = .allocate(capacity: initialCapacity)
        used = 0
    }

    deinit { base.deallocate() }

    /// Bytes written.
    @inlinable public var count: Int { used }

    /// Bytes the buffer holds room for before it must grow.
    @inlinable public var capacity: Int { allocated }

    /// Whether nothing is written.
    @inlinable public var isEmpty: Bool { used == 0 }

    /// Makes room for at least `bytes` more bytes after `count`.
    @inlinable public func reserve(_ bytes: Int) {
        if allocated &- used < bytes { grow(toHold: used + bytes) }
    }

    @usableFromInline @inline(never)
    func grow(toHold wanted: Int) {
        precondition(wanted >= used, "JSONLineBuffer cannot hold a negative size")
        var size = max(allocated, 64)
        while size < wanted { size = size > Int.max / 2 ? wanted : size * 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: used)
        base.deallocate()
        base = bigger
        allocated = size
    }

    /// Appends bytes.
    @inlinable public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        UnsafeMutableRawPointer(base + used).copyMemory(from: source, byteCount: bytes.count)
        used += bytes.count
    }

    /// Appends one byte.
    public func append(_ byte: UInt8) {
        reserve(1)
        base[used] = byte
        used += 1
    }

    /// Drops everything after the first `count` bytes.
    public func removeLast(toCount count: Int) {
        precondition((0...used).contains(count), "JSONLineBuffer.removeLast(toCount:) past the end")
        used = count
    }

    /// Empties the buffer. Its storage is kept unless an oversized record grew it past what a normal batch needs;
    /// then it goes back to its initial capacity.
    public func removeAll() {
        used = 0
        if allocated > max(initialCapacity, Self.retainedCapacity) {
            base.deallocate()
            base = .allocate(capacity: initialCapacity)
            allocated = initialCapacity
        }
    }

    /// Calls `body` with the bytes written.
    @inlinable public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: base, count: used))
    }

    /// The `count` bytes written at `offset`, valid until the buffer next grows or is emptied; for holders that
    /// keep offsets into the buffer (a batch's payloads) and read them back later.
    @inlinable public func unsafeBytes(at offset: Int, count: Int) -> UnsafeRawBufferPointer {
        precondition(offset >= 0 && count >= 0 && offset <= used - count, "JSONLineBuffer read past what was written")
        return UnsafeRawBufferPointer(start: base + offset, count: count)
    }

    /// A copy of the bytes written.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

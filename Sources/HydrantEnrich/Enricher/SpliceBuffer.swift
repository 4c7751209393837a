/// Growable bytes in manually managed memory that the enricher writes records into through a pointer.
///
/// A record's writer reserves the most it can write once (`reserve`), then copies the untouched spans of the record
/// and the spliced members with no capacity or uniqueness check per piece, which `[UInt8].append` would make. The
/// owner frees the memory (`deallocate`); a value is used by one task at a time.
struct SpliceBuffer {
    /// The start of the storage; moves when the buffer grows, so pointers into it last only until the next
    /// `reserve` or `append`.
    private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes allocated at `base`.
    private(set) var capacity: Int
    /// Bytes written.
    private(set) var count = 0
    /// The capacity made at creation, which `removeAll` goes back to after an oversized batch.
    let initialCapacity: Int

    /// Capacity kept by `removeAll`: what a normal batch grows to. A batch of huge records grows the buffer past it
    /// for that batch only, so hostile input cannot keep the memory.
    static let retainedCapacity = 4 << 20

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int) {
        initialCapacity = max(capacity, 64)
        self.capacity = initialCapacity
        base = .allocate(capacity: initialCapacity)
    }

    /// Frees the storage; the value must not be used afterwards.
    func deallocate() { base.deallocate() }

    /// Makes room for at least `bytes` more bytes after `count`.
    @inline(__always)
    mutating func reserve(_ bytes: Int) {
        if capacity &- count < bytes { grow(toHold: count + bytes) }
    }

    @inline(never)
    private mutating func grow(toHold wanted: Int) {
        var size = capacity
        while size < wanted { size = size > Int.max / 2 ? wanted : size * 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    /// Writes `length` bytes from `source`; room for them must have been reserved.
    @inline(__always)
    mutating func write(_ source: UnsafePointer<UInt8>, count length: Int) {
        assert(length >= 0 && capacity - count >= length, "SpliceBuffer written past its reservation")
        (base + count).update(from: source, count: length)
        count &+= length
    }

    /// Writes `bytes`; room for them must have been reserved.
    @inline(__always)
    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let source = bytes.baseAddress { write(source, count: bytes.count) }
    }

    /// Writes a constant; room for it must have been reserved.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        write(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Writes one byte; room for it must have been reserved.
    @inline(__always)
    mutating func write(_ byte: UInt8) {
        assert(capacity - count >= 1, "SpliceBuffer written past its reservation")
        base[count] = byte
        count &+= 1
    }

    /// Appends `bytes`, reserving room for them.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(bytes.count)
        write(bytes)
    }

    /// The bytes written in `range`.
    @inline(__always)
    func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// The bytes written.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    /// Empties the buffer, going back to the initial capacity when it grew past `retainedCapacity`.
    mutating func removeAll() {
        count = 0
        if capacity > max(initialCapacity, Self.retainedCapacity) {
            base.deallocate()
            base = .allocate(capacity: initialCapacity)
            capacity = initialCapacity
        }
    }
}

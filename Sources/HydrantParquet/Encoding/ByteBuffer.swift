/// A growable, contiguous byte buffer for page and chunk assembly.
///
/// Pages are built with millions of small little-endian stores; a raw allocation with one capacity check per store
/// is cheaper than `[UInt8]`, whose every append also checks uniqueness. Single-owner by construction (a column writer
/// owns its buffers), so a class with manual memory is safe.
final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var count: Int = 0
    private(set) var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity &* 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        fresh.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    @inline(__always)
    func append(byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    @inline(__always)
    func appendLE(_ value: UInt32) {
        reserve(4)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt32.self)
        count &+= 4
    }

    @inline(__always)
    func appendLE(_ value: UInt64) {
        reserve(8)
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count &+= 8
    }

    @inline(__always)
    func append(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        (base + count).copyMemory(from: source, byteCount: raw.count)
        count &+= raw.count
    }

    func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    func append(_ other: ByteBuffer) { append(other.bytes) }

    /// Unsigned LEB128, as used by Thrift compact and the RLE hybrid run headers.
    @inline(__always)
    func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(byte: UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(byte: UInt8(truncatingIfNeeded: v))
    }

    /// Makes `count` bytes writable at the end and returns where they start; the caller commits with `commit(_:)`.
    func writableTail(_ extra: Int) -> UnsafeMutableRawPointer {
        reserve(extra)
        return base + count
    }

    func commit(_ written: Int) { count &+= written }

    /// Overwrites four bytes at `offset` (a length prefix reserved earlier).
    func patchLE(_ value: UInt32, at offset: Int) {
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    func removeAll() { count = 0 }

    func toArray() -> [UInt8] { Array(bytes) }
}

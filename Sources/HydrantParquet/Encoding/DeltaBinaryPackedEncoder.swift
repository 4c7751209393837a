/// DELTA_BINARY_PACKED of Encodings.md, for INT32 and INT64 pages.
///
/// Layout: a header (block size, miniblocks per block, value count, first value as zigzag ULEB128), then blocks of
/// up to 128 deltas, each with its minimum delta (zigzag ULEB128), one bit-width byte per miniblock of 32 deltas,
/// and the miniblocks bit-packed (LSB first) as `delta - minimum`. Deltas wrap in the column's width
/// (two's complement), so INT32 bit widths stay within 32 and INT64 ones within 64, as readers require. The last
/// miniblock with values is padded with zero bits to 32 values; miniblocks after it have width 0 and no bytes.
enum DeltaBinaryPackedEncoder {
    /// Deltas per block, miniblocks per block and values per miniblock (the sizes Arrow's and parquet-mr's
    /// writers use).
    static let blockSize = 128
    static let miniblocksPerBlock = 4
    static let miniblockSize = 32

    /// Appends the encoding of `count` little-endian values of `width` bytes (4 or 8) at `values` to `out`.
    static func encode(_ values: UnsafeRawPointer, count: Int, width: Int, into out: ByteBuffer) {
        if width == 4 {
            encode(count: count, into: out, wide: false) { Int64(Int32(bitPattern: UInt32(littleEndian: values.loadUnaligned(fromByteOffset: $0 &* 4, as: UInt32.self)))) }
        } else {
            encode(count: count, into: out, wide: true) { Int64(bitPattern: UInt64(littleEndian: values.loadUnaligned(fromByteOffset: $0 &* 8, as: UInt64.self))) }
        }
    }

    /// The encoder over value `i` = `value(i)`; `wide` selects 64-bit (INT64) or 32-bit (INT32) delta arithmetic.
    @inline(__always)
    private static func encode(count: Int, into out: ByteBuffer, wide: Bool, _ value: (Int) -> Int64) {
        out.appendVarint(UInt64(blockSize))
        out.appendVarint(UInt64(miniblocksPerBlock))
        out.appendVarint(UInt64(count))
        out.appendVarint(zigzag(count > 0 ? value(0) : 0))
        guard count > 1 else { return }
        // One block's deltas, computed once and then packed against the block's minimum.
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: blockSize) { block in
            var previous = value(0)
            var i = 1
            while i < count {
                let n = min(blockSize, count - i)
                var minimum = Int64.max
                for k in 0..<n {
                    let current = value(i &+ k)
                    // Wrapping subtraction in the column's width: the reader adds back with the same wrap.
                    let delta = wide ? current &- previous : Int64(Int32(truncatingIfNeeded: current &- previous))
                    block[k] = delta
                    if delta < minimum { minimum = delta }
                    previous = current
                }
                out.appendVarint(zigzag(minimum))
                let widthsAt = out.count
                let miniblocks = (n + miniblockSize - 1) / miniblockSize
                for _ in 0..<miniblocksPerBlock { out.append(byte: 0) }
                for m in 0..<miniblocks {
                    let start = m * miniblockSize
                    let end = min(n, start + miniblockSize)
                    var bits: UInt64 = 0
                    for k in start..<end { bits |= relative(block[k], minimum, wide) }
                    let bitWidth = 64 - bits.leadingZeroBitCount
                    out.base.storeBytes(of: UInt8(bitWidth), toByteOffset: widthsAt + m, as: UInt8.self)
                    pack(block, from: start, to: end, minimum: minimum, wide: wide, bitWidth: bitWidth, into: out)
                }
                i &+= n
            }
        }
    }

    /// `delta - minimum` as the unsigned number the reader adds back, in the column's width.
    @inline(__always)
    private static func relative(_ delta: Int64, _ minimum: Int64, _ wide: Bool) -> UInt64 {
        wide ? UInt64(bitPattern: delta &- minimum) : UInt64(UInt32(truncatingIfNeeded: delta &- minimum))
    }

    /// Bit-packs one miniblock (32 slots; those past `end` are zero) at `bitWidth` bits per value.
    @inline(__always)
    private static func pack(_ block: UnsafeMutableBufferPointer<Int64>, from start: Int, to end: Int, minimum: Int64,
                             wide: Bool, bitWidth: Int, into out: ByteBuffer) {
        guard bitWidth > 0 else { return }
        let byteCount = miniblockSize * bitWidth / 8
        let dest = out.writableTail(byteCount)
        var written = 0
        var accumulator: UInt64 = 0
        var filled = 0
        for k in start..<(start + miniblockSize) {
            let v: UInt64 = k < end ? relative(block[k], minimum, wide) : 0
            accumulator |= v &<< UInt64(filled)
            if filled &+ bitWidth >= 64 {
                dest.storeBytes(of: accumulator.littleEndian, toByteOffset: written, as: UInt64.self)
                written &+= 8
                let consumed = 64 &- filled
                accumulator = consumed < 64 ? v &>> UInt64(consumed) : 0
                filled = filled &+ bitWidth &- 64
            } else {
                filled &+= bitWidth
            }
        }
        // 32 values fill a whole number of 32-bit halves: what is left is 0 or 32 bits.
        var left = filled
        while left > 0 {
            dest.storeBytes(of: UInt8(truncatingIfNeeded: accumulator), toByteOffset: written, as: UInt8.self)
            accumulator >>= 8
            written &+= 1
            left -= 8
        }
        out.commit(written)
    }

    /// Zigzag mapping (0, -1, 1, -2, … to 0, 1, 2, 3, …) of the header's signed values.
    @inline(__always)
    static func zigzag(_ v: Int64) -> UInt64 {
        UInt64(bitPattern: (v &<< 1) ^ (v >> 63))
    }
}

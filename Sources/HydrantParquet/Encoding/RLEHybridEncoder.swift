/// The RLE / bit-packing hybrid of Encodings.md, used for definition and repetition levels and dictionary indices.
///
/// Runs of at least eight equal values become RLE runs; everything else goes into bit-packed groups of eight values
/// (LSB first). A bit-packed run only ends on a group boundary, so padding appears only after the last value, where
/// the reader stops by count.
enum RLEHybridEncoder {
    /// Bits needed to represent `maxValue` (0 for 0).
    static func bitWidth(forMax maxValue: UInt64) -> Int {
        maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount
    }

    /// Appends the encoding of `values` (each below `1 << bitWidth`) to `out`, without a length prefix.
    static func encode<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: ByteBuffer
    ) {
        let n = values.count
        guard n > 0 else { return }
        let valueBytes = (bitWidth + 7) / 8
        var i = 0
        while i < n {
            let run = runLength(values, at: i)
            if run >= 8 {
                out.appendVarint(UInt64(run) << 1)
                var v = UInt64(values[i])
                for _ in 0..<valueBytes {
                    out.append(byte: UInt8(truncatingIfNeeded: v))
                    v >>= 8
                }
                i += run
                continue
            }
            // Bit-packed section: whole groups of eight until a long run begins or the values end.
            var end = i
            repeat {
                end = min(end + 8, n)
            } while end < n && runLength(values, at: end) < 8
            let groups = (end - i + 7) / 8
            out.appendVarint(UInt64(groups) << 1 | 1)
            pack(values, from: i, to: end, groups: groups, bitWidth: bitWidth, into: out)
            i = end
        }
    }

    @inline(__always)
    private static func runLength<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, at start: Int) -> Int {
        let first = values[start]
        var j = start + 1
        let n = values.count
        while j < n && values[j] == first { j += 1 }
        return j - start
    }

    private static func pack<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, from start: Int, to end: Int, groups: Int, bitWidth: Int, into out: ByteBuffer
    ) {
        let byteCount = groups * bitWidth  // eight values per group, so bitWidth bytes per group
        guard byteCount > 0 else { return }
        let dest = out.writableTail(byteCount).assumingMemoryBound(to: UInt8.self)
        var written = 0
        var accumulator: UInt64 = 0
        var bits = 0
        let total = groups * 8
        var k = 0
        while k < total {
            let index = start + k
            let v: UInt64 = index < end ? UInt64(values[index]) : 0
            accumulator |= v << UInt64(bits)
            bits += bitWidth
            while bits >= 8 {
                dest[written] = UInt8(truncatingIfNeeded: accumulator)
                written += 1
                accumulator >>= 8
                bits -= 8
            }
            // A value wider than the bits left in the accumulator's top would be lost by the shift above; widths
            // here are at most 32, and `bits` stays below 8 after draining, so 8 + 32 < 64 always fits.
            k += 1
        }
        if bits > 0 {
            dest[written] = UInt8(truncatingIfNeeded: accumulator)
            written += 1
        }
        out.commit(written)
    }
}

/// A 64-bit hash of a text's bytes for the fixed tables that remember recent texts (`RecentStrings`,
/// `QueryNameSplits`): eight bytes a step, folded by a full-width multiply, instead of `Hasher`'s SipHash over a
/// `String`. Not keyed: those tables replace an entry on a collision, so chosen collisions cost a miss, not memory.
enum TextHash {
    /// The hash of `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var hash = 0x9e37_79b9_7f4a_7c15 ^ UInt64(truncatingIfNeeded: count)
        var offset = 0
        while offset + 8 <= count {
            hash = fold(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self), 0xa076_1d64_78bd_642f)
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            while offset < count {
                tail = tail << 8 | UInt64(bytes[offset])
                offset += 1
            }
            hash = fold(hash ^ tail, 0xe703_7ed1_a0b4_28db)
        }
        return fold(hash, 0x8ebc_6af0_9c88_c6e3)
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}

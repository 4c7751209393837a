/// Where each value of the top 16 bits of a sorted key array begins, so that a search bisects only the slice of
/// entries sharing the key's top bits (a handful of entries in one or two cache lines) instead of the whole array:
/// with a million indicators, two cache misses instead of twenty.
///
/// Costs 256 KiB, so tables build one only when they are large (`minimumCount`).
struct TopBuckets: Sendable {
    /// Tables smaller than this are bisected whole: they fit in cache anyway.
    static let minimumCount = 4096

    /// `starts[t]` is the index of the first entry whose top bits are at least `t`; `starts[65536]` is the count.
    private let starts: [Int32]

    /// Indexes `count` entries whose top bits, read by `top`, never decrease; nil when the table is small.
    init?(count: Int, top: (Int) -> Int) {
        guard count >= Self.minimumCount, count < Int(Int32.max) else { return nil }
        var starts = [Int32](repeating: 0, count: 65_537)
        var index = 0
        for bucket in 0..<65_536 {
            starts[bucket] = Int32(index)
            while index < count, top(index) <= bucket { index += 1 }
        }
        starts[65_536] = Int32(count)
        self.starts = starts
    }

    /// The bytes the index occupies.
    var byteCount: Int { starts.count * MemoryLayout<Int32>.stride }

    /// The entries whose top bits equal `top` (0…65535).
    @inline(__always)
    func slice(_ top: Int) -> Range<Int> {
        Int(starts[top])..<Int(starts[top + 1])
    }
}

import HydrantRecords

/// A 128-bit IPv6 address as a sortable key.
struct IPv6Key: Comparable, Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    static func < (lhs: IPv6Key, rhs: IPv6Key) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// The next key, or nil after the last address.
    var successor: IPv6Key? {
        if low != .max { return IPv6Key(high: high, low: low + 1) }
        if high != .max { return IPv6Key(high: high + 1, low: 0) }
        return nil
    }
}

/// A key of an interval map: ordered, with a successor.
protocol IntervalKey: Comparable, Sendable {
    var successor: Self? { get }
    /// The key's top 16 bits, for `TopBuckets`.
    var top16: Int { get }
    /// The smallest key whose top 8 bits are `top`.
    static func first(top8 top: Int) -> Self
    /// The 8 bits below the top 16.
    var next8: Int { get }
    /// The smallest key whose top 24 bits are `top`.
    static func first(top24 top: Int) -> Self
}

extension UInt32: IntervalKey {
    var successor: UInt32? { self == .max ? nil : self + 1 }
    var top16: Int { Int(self >> 16) }
    static func first(top8 top: Int) -> UInt32 { UInt32(truncatingIfNeeded: top) << 24 }
    var next8: Int { Int(self >> 8 & 0xFF) }
    static func first(top24 top: Int) -> UInt32 { UInt32(truncatingIfNeeded: top) << 8 }
}

extension IPv6Key: IntervalKey {
    var top16: Int { Int(high >> 48) }
    static func first(top8 top: Int) -> IPv6Key { IPv6Key(high: UInt64(truncatingIfNeeded: top) << 56, low: 0) }
    var next8: Int { Int(high >> 40 & 0xFF) }
    static func first(top24 top: Int) -> IPv6Key { IPv6Key(high: UInt64(truncatingIfNeeded: top) << 40, low: 0) }
}

/// Non-overlapping address ranges, each mapped to a value index, flattened from nested CIDR blocks so that the most
/// specific block owns each address. A lookup is one binary search, whatever the number of prefix lengths.
struct IntervalMap<Key: IntervalKey>: Sendable {
    /// Where each segment starts, ascending; a segment runs up to the next start.
    let starts: [Key]
    /// The value index of each segment, or -1 for addresses no block covers.
    let values: [Int32]
    /// Narrows a lookup to the segments sharing the key's top bits; nil for small maps.
    private let buckets: TopBuckets?
    /// For small maps: the value index of each block of keys sharing the top 8 bits when one segment covers all of
    /// it (`mixed` when a segment starts inside it), so that most lookups (private addresses in the reserved or home
    /// ranges, say) are one load.
    private let topBytes: [Int32]
    /// For large maps: which of `subBlocks`' tables a bucket has (-1 for none), by the key's top 16 bits; empty when
    /// no bucket has one. A bucket holding many segments (an asset inventory's /24s inside one /16) gets a table of
    /// the value of each of its 256 blocks of keys sharing the next 8 bits, or `mixed` when a segment starts inside
    /// one, so that most lookups there are three loads instead of a bisection of the bucket.
    private let subBlockTables: [Int32]
    /// 256 values per table.
    private let subBlocks: [Int32]
    /// Buckets with at least this many segments get a table (at most 1 KiB for 32 segments: 32 bytes a segment).
    static var subBlockMinimum: Int { 32 }
    static var mixed: Int32 { -2 }

    /// Blocks given as `(first, last, prefix length, value)`; blocks nest or are disjoint (as CIDR blocks always
    /// are). A more specific block wins; of two identical blocks the later one in `blocks` wins.
    init(blocks: [(first: Key, last: Key, length: Int, value: Int32)]) {
        let order = blocks.indices.sorted { a, b in
            let x = blocks[a], y = blocks[b]
            if x.first != y.first { return x.first < y.first }
            if x.length != y.length { return x.length < y.length }
            return a < b
        }
        var stack: [(last: Key, value: Int32)] = []
        var starts: [Key] = []
        var values: [Int32] = []
        func emit(_ start: Key, _ value: Int32) {
            if let lastStart = starts.last, lastStart == start {
                values[values.count - 1] = value
            } else if values.last != value {
                starts.append(start)
                values.append(value)
            }
        }
        func close(before limit: Key?) {
            while let top = stack.last, limit.map({ top.last < $0 }) ?? true {
                stack.removeLast()
                if let next = top.last.successor { emit(next, stack.last?.value ?? -1) }
            }
        }
        for index in order {
            let block = blocks[index]
            close(before: block.first)
            stack.append((block.last, block.value))
            emit(block.first, block.value)
        }
        close(before: nil)
        // A leading "nothing" segment is implied by an empty search result; drop it to keep lookups simple.
        if values.first == -1, starts.count > 0 {
            starts.removeFirst()
            values.removeFirst()
        }
        self.starts = starts
        self.values = values
        let buckets = TopBuckets(count: starts.count) { starts[$0].top16 }
        self.buckets = buckets
        topBytes = buckets == nil ? Self.topByteValues(starts, values) : []
        (subBlockTables, subBlocks) = buckets.map { Self.subBlockValues(starts, values, $0) } ?? ([], [])
    }

    /// `subBlockTables` and `subBlocks` for segments starting at `starts` with `values`.
    private static func subBlockValues(_ starts: [Key], _ values: [Int32], _ buckets: TopBuckets) -> ([Int32], [Int32]) {
        var tables: [Int32] = []
        var blocks: [Int32] = []
        for top in 0..<65_536 {
            let slice = buckets.slice(top)
            guard slice.count >= subBlockMinimum else { continue }
            if tables.isEmpty { tables = [Int32](repeating: -1, count: 65_536) }
            tables[top] = Int32(blocks.count >> 8)
            // The segment holding each block's first key, then whether another starts inside the block.
            var next = slice.lowerBound
            for sub in 0..<256 {
                let first = Key.first(top24: top << 8 | sub)
                while next < slice.upperBound, starts[next] <= first { next += 1 }
                let value = next == 0 ? -1 : values[next - 1]
                let startsInside = next < slice.upperBound && starts[next].next8 == sub
                blocks.append(startsInside ? mixed : value)
            }
        }
        return (tables, blocks)
    }

    /// `topBytes` for segments starting at `starts` with `values`.
    private static func topByteValues(_ starts: [Key], _ values: [Int32]) -> [Int32] {
        var table = [Int32](repeating: 0, count: 256)
        var next = 0
        for top in 0..<256 {
            let first = Key.first(top8: top)
            // The segment holding the block's first key, then whether another starts inside the block.
            while next < starts.count, starts[next] <= first { next += 1 }
            let value = next == 0 ? -1 : values[next - 1]
            let startsInside = next < starts.count && starts[next].top16 >> 8 == top
            table[top] = startsInside ? mixed : value
        }
        return table
    }

    /// The value index at `key`, or -1.
    @inline(__always)
    func lookup(_ key: Key) -> Int32 {
        if !topBytes.isEmpty {
            let known = topBytes[key.top16 >> 8]
            if known != Self.mixed { return known }
        }
        // Every start before the key's bucket is below the key and every start after it above, so the answer is
        // the last start at or below the key within the bucket, or the one just before the bucket.
        var low = 0
        var high = starts.count
        if let buckets {
            if !subBlockTables.isEmpty {
                let table = subBlockTables[key.top16]
                if table >= 0 {
                    let known = subBlocks[Int(table) << 8 | key.next8]
                    if known != Self.mixed { return known }
                }
            }
            let slice = buckets.slice(key.top16)
            low = slice.lowerBound
            high = slice.upperBound
        }
        while low < high {
            let middle = (low + high) >> 1
            if starts[middle] <= key { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? -1 : values[low - 1]
    }

    /// The bytes the map occupies (element storage and the bucket index).
    var byteCount: Int {
        starts.count * MemoryLayout<Key>.stride + values.count * MemoryLayout<Int32>.stride + (buckets?.byteCount ?? 0)
            + topBytes.count * MemoryLayout<Int32>.stride
            + (subBlockTables.count + subBlocks.count) * MemoryLayout<Int32>.stride
    }
}

/// Longest-prefix matching of addresses against CIDR blocks, IPv4 and IPv6, each block carrying a value.
/// IPv4-mapped IPv6 addresses match IPv4 blocks.
public struct PrefixTable<Value: Sendable>: Sendable {
    private let v4: IntervalMap<UInt32>
    private let v6: IntervalMap<IPv6Key>
    /// The values, in the order the blocks were given.
    public let values: [Value]
    /// The blocks, in the order given (parallel to `values`).
    public let prefixes: [IPPrefix]

    /// A table of `entries`; the most specific block wins, and of two identical blocks the later one.
    public init(_ entries: [(prefix: IPPrefix, value: Value)]) {
        var blocks4: [(first: UInt32, last: UInt32, length: Int, value: Int32)] = []
        var blocks6: [(first: IPv6Key, last: IPv6Key, length: Int, value: Int32)] = []
        for (index, entry) in entries.enumerated() {
            let prefix = entry.prefix
            if prefix.address.isIPv6 {
                blocks6.append((prefix.firstIPv6, prefix.lastIPv6, prefix.length, Int32(index)))
            } else {
                blocks4.append((UInt32(truncatingIfNeeded: prefix.address.low), prefix.lastIPv4, prefix.length,
                                Int32(index)))
            }
        }
        v4 = IntervalMap(blocks: blocks4)
        v6 = IntervalMap(blocks: blocks6)
        values = entries.map(\.value)
        prefixes = entries.map(\.prefix)
    }

    /// The index (into `values`) of the most specific block holding `address`, or nil.
    @inline(__always)
    public func index(of address: IPAddress) -> Int? {
        let found: Int32
        if let v4Value = address.ipv4Value {
            found = v4.lookup(v4Value)
        } else {
            found = v6.lookup(IPv6Key(high: address.high, low: address.low))
        }
        return found < 0 ? nil : Int(found)
    }

    /// The value of the most specific block holding `address`, or nil.
    @inline(__always)
    public func lookup(_ address: IPAddress) -> Value? {
        index(of: address).map { values[$0] }
    }

    /// The number of blocks.
    public var count: Int { values.count }
}

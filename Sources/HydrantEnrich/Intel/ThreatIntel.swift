import HydrantRecords

/// Every indicator of the configured feeds, compiled into sorted arrays searched by bisection: addresses as
/// integers, CIDR blocks flattened into an interval map, domains, URLs and fingerprints as 64-bit hashes of their
/// normalised text. Each indicator costs 8 to 24 bytes plus a share of the array slack, far under 64 bytes.
///
/// Immutable; a changed feed file rebuilds the whole value (see `ReloadableResource`).
public final class ThreatIntel: Sendable {
    struct V4Entry: Sendable { var address: UInt32; var feed: UInt16 }
    struct V6Entry: Sendable { var key: IPv6Key; var feed: UInt16 }
    struct HashEntry: Sendable { var hash: UInt64; var feed: UInt16 }
    struct V4Block: Sendable { var first: UInt32; var length: UInt8; var feed: UInt16 }
    struct V6Block: Sendable { var first: IPv6Key; var length: UInt8; var feed: UInt16 }

    /// The feed names, indexed by the entries' `feed`.
    public let feeds: [String]
    let v4: [V4Entry]
    let v6: [V6Entry]
    let v4Blocks: [V4Block]
    let v6Blocks: [V6Block]
    let v4BlockMap: IntervalMap<UInt32>
    let v6BlockMap: IntervalMap<IPv6Key>
    let domains: [HashEntry]
    let urls: [HashEntry]
    let ja3: [HashEntry]
    let ja4: [HashEntry]
    /// Narrow searches of the large tables to the entries sharing the key's top 16 bits.
    private let v4Buckets: TopBuckets?
    private let domainBuckets: TopBuckets?

    /// Loads and compiles `sources`; throws with file and line on the first bad indicator, or when a file is missing.
    public init(sources: [IntelFeedSource]) throws(EnrichError) {
        guard sources.count <= Int(UInt16.max) else { throw EnrichError(path: nil, "intel: at most 65535 feeds") }
        var v4: [V4Entry] = []
        var v6: [V6Entry] = []
        var v4Blocks: [V4Block] = []
        var v6Blocks: [V6Block] = []
        var domains: [HashEntry] = []
        var urls: [HashEntry] = []
        var ja3: [HashEntry] = []
        var ja4: [HashEntry] = []
        for (index, source) in sources.enumerated() {
            let feed = UInt16(index)
            try IndicatorParser.parse(path: source.path) { indicator in
                switch indicator {
                case .address(let address):
                    if let value = address.ipv4Value {
                        v4.append(V4Entry(address: value, feed: feed))
                    } else {
                        v6.append(V6Entry(key: IPv6Key(high: address.high, low: address.low), feed: feed))
                    }
                case .prefix(let prefix):
                    if prefix.address.isIPv6 {
                        v6Blocks.append(V6Block(first: prefix.firstIPv6, length: UInt8(prefix.length), feed: feed))
                    } else {
                        v4Blocks.append(V4Block(first: UInt32(truncatingIfNeeded: prefix.address.low),
                                                length: UInt8(prefix.length), feed: feed))
                    }
                case .domain(let hash): domains.append(HashEntry(hash: hash, feed: feed))
                case .url(let hash): urls.append(HashEntry(hash: hash, feed: feed))
                case .ja3(let hash): ja3.append(HashEntry(hash: hash, feed: feed))
                case .ja4(let hash): ja4.append(HashEntry(hash: hash, feed: feed))
                }
            }
        }
        feeds = sources.map(\.feed)
        self.v4 = Self.sortedUnique(v4, key: { ($0.address, $0.feed) }, less: { $0 < $1 })
        self.v6 = Self.sortedUnique(v6, key: { ($0.key, $0.feed) }, less: { $0 < $1 })
        self.domains = Self.sortedUnique(domains, key: { ($0.hash, $0.feed) }, less: { $0 < $1 })
        self.urls = Self.sortedUnique(urls, key: { ($0.hash, $0.feed) }, less: { $0 < $1 })
        self.ja3 = Self.sortedUnique(ja3, key: { ($0.hash, $0.feed) }, less: { $0 < $1 })
        self.ja4 = Self.sortedUnique(ja4, key: { ($0.hash, $0.feed) }, less: { $0 < $1 })
        self.v4Blocks = v4Blocks
        self.v6Blocks = v6Blocks
        let sortedV4 = self.v4
        let sortedDomains = self.domains
        v4Buckets = TopBuckets(count: sortedV4.count) { Int(sortedV4[$0].address >> 16) }
        domainBuckets = TopBuckets(count: sortedDomains.count) { Int(sortedDomains[$0].hash >> 48) }
        v4BlockMap = IntervalMap(blocks: v4Blocks.enumerated().map { index, block in
            let prefix = IPPrefix(address: IPAddress(ipv4: block.first), length: Int(block.length))
            return (block.first, prefix.lastIPv4, Int(block.length), Int32(index))
        })
        v6BlockMap = IntervalMap(blocks: v6Blocks.enumerated().map { index, block in
            let prefix = IPPrefix(address: IPAddress(ipv6High: block.first.high, low: block.first.low),
                                  length: Int(block.length))
            return (block.first, prefix.lastIPv6, Int(block.length), Int32(index))
        })
    }

    /// Sorts by (key, feed) and drops repeats of the same indicator in the same feed.
    private static func sortedUnique<Entry, Key: Equatable>(_ entries: [Entry], key: (Entry) -> (Key, UInt16),
                                                            less: (Key, Key) -> Bool) -> [Entry] {
        var sorted = entries
        sorted.sort { a, b in
            let (x, f) = key(a), (y, g) = key(b)
            return x == y ? f < g : less(x, y)
        }
        var out: [Entry] = []
        out.reserveCapacity(sorted.count)
        for entry in sorted {
            if let last = out.last, key(last) == key(entry) { continue }
            out.append(entry)
        }
        return out
    }

    /// The number of indicators held (after removing repeats within a feed).
    public var count: Int {
        v4.count + v6.count + v4Blocks.count + v6Blocks.count + domains.count + urls.count + ja3.count + ja4.count
    }

    /// The bytes the tables occupy (element storage; array headers and capacity slack excluded).
    public var tableBytes: Int {
        v4.count * MemoryLayout<V4Entry>.stride + v6.count * MemoryLayout<V6Entry>.stride
            + v4Blocks.count * MemoryLayout<V4Block>.stride + v6Blocks.count * MemoryLayout<V6Block>.stride
            + (domains.count + urls.count + ja3.count + ja4.count) * MemoryLayout<HashEntry>.stride
            + v4BlockMap.byteCount + v6BlockMap.byteCount
            + (v4Buckets?.byteCount ?? 0) + (domainBuckets?.byteCount ?? 0)
    }

    // MARK: Hot-path lookups (first feed and count)

    @inline(__always)
    static func range<Entry>(_ entries: [Entry], within slice: Range<Int>? = nil, lessThan: (Entry) -> Bool,
                             equal: (Entry) -> Bool) -> (first: Int, count: Int) {
        var low = slice?.lowerBound ?? 0
        var high = slice?.upperBound ?? entries.count
        while low < high {
            let middle = (low + high) >> 1
            if lessThan(entries[middle]) { low = middle + 1 } else { high = middle }
        }
        var end = low
        while end < entries.count, equal(entries[end]) { end += 1 }
        return (low, end - low)
    }

    /// Exact address matches: (first feed, count), or nil.
    @inline(__always)
    func addressMatch(_ address: IPAddress) -> (feed: UInt16, count: Int)? {
        if let value = address.ipv4Value {
            let found = Self.range(v4, within: v4Buckets?.slice(Int(value >> 16)), lessThan: { $0.address < value },
                                   equal: { $0.address == value })
            return found.count == 0 ? nil : (v4[found.first].feed, found.count)
        }
        let key = IPv6Key(high: address.high, low: address.low)
        let found = Self.range(v6, lessThan: { $0.key < key }, equal: { $0.key == key })
        return found.count == 0 ? nil : (v6[found.first].feed, found.count)
    }

    /// The most specific listed block holding `address`: its index (v4 blocks, or v6 blocks when `isV6`), or nil.
    @inline(__always)
    func blockMatch(_ address: IPAddress) -> (index: Int, isV6: Bool)? {
        if let value = address.ipv4Value {
            let index = v4BlockMap.lookup(value)
            return index < 0 ? nil : (Int(index), false)
        }
        let index = v6BlockMap.lookup(IPv6Key(high: address.high, low: address.low))
        return index < 0 ? nil : (Int(index), true)
    }

    @inline(__always)
    static func hashMatch(_ entries: [HashEntry], _ hash: UInt64, buckets: TopBuckets? = nil) -> (feed: UInt16, count: Int)? {
        guard !entries.isEmpty else { return nil }
        let found = range(entries, within: buckets?.slice(Int(hash >> 48)), lessThan: { $0.hash < hash },
                          equal: { $0.hash == hash })
        return found.count == 0 ? nil : (entries[found.first].feed, found.count)
    }

    /// Domain matches of `name` and its parent domains, longest first: the start of the listed suffix within
    /// `name`, its first feed, and the count over all suffixes.
    @inline(__always)
    func domainMatch(_ name: UnsafeBufferPointer<UInt8>) -> (suffixStart: Int, feed: UInt16, count: Int)? {
        guard !domains.isEmpty, !name.isEmpty else { return nil }
        var end = name.count
        if name[end - 1] == UInt8(ascii: ".") { end -= 1 }
        var first: (Int, UInt16)?
        var total = 0
        var start = 0
        while start < end {
            if let found = Self.hashMatch(domains, FNVHash.hash(UnsafeBufferPointer(rebasing: name[start..<end])),
                                          buckets: domainBuckets) {
                if first == nil { first = (start, found.feed) }
                total += found.count
            }
            while start < end, name[start] != UInt8(ascii: ".") { start += 1 }
            start += 1
        }
        guard let (suffix, feed) = first else { return nil }
        return (suffix, feed, total)
    }

    /// The text of block `index` (`203.0.113.0/24`).
    func appendBlockText(_ index: Int, isV6: Bool, to out: inout [UInt8]) {
        let prefix: IPPrefix
        if isV6 {
            let block = v6Blocks[index]
            prefix = IPPrefix(address: IPAddress(ipv6High: block.first.high, low: block.first.low), length: Int(block.length))
        } else {
            let block = v4Blocks[index]
            prefix = IPPrefix(address: IPAddress(ipv4: block.first), length: Int(block.length))
        }
        prefix.address.appendText(to: &out)
        out.append(UInt8(ascii: "/"))
        appendDecimal(prefix.length, to: &out)
    }

    // MARK: Public lookups

    /// The match for an address: exact listings first, then the most specific listed block.
    public func lookup(address: IPAddress) -> IntelHit? {
        let type: IndicatorType = address.ipv4Value == nil ? .ipv6 : .ipv4
        let exact = addressMatch(address)
        let block = blockMatch(address)
        let total = (exact?.count ?? 0) + (block == nil ? 0 : 1)
        if let exact {
            return IntelHit(type: type, indicator: (address.ipv4Value.map { IPAddress(ipv4: $0) } ?? address).description,
                            feed: feeds[Int(exact.feed)], count: total)
        }
        guard let block else { return nil }
        var text: [UInt8] = []
        appendBlockText(block.index, isV6: block.isV6, to: &text)
        let feed = block.isV6 ? v6Blocks[block.index].feed : v4Blocks[block.index].feed
        return IntelHit(type: type, indicator: String(decoding: text, as: UTF8.self), feed: feeds[Int(feed)], count: total)
    }

    /// The match for a domain name: the longest listed domain that is the name or one of its parents.
    public func lookup(domain: String) -> IntelHit? {
        var name = Array(domain.utf8)
        return name.withUnsafeMutableBufferPointer { buffer -> IntelHit? in
            let bytes = UnsafeBufferPointer(buffer)
            guard let found = domainMatch(bytes) else { return nil }
            var end = bytes.count
            if end > 0, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[found.suffixStart..<end]), as: UTF8.self)
            return IntelHit(type: .domain, indicator: text.lowercased(), feed: feeds[Int(found.feed)], count: found.count)
        }
    }

    /// The match for a URL (`http://host/path`, or `host/path`).
    public func lookup(url: String) -> IntelHit? {
        var text = Array(url.utf8)
        return text.withUnsafeMutableBufferPointer { buffer -> IntelHit? in
            let bytes = UnsafeBufferPointer(buffer)
            guard let hash = IndicatorParser.urlHash(bytes), let found = Self.hashMatch(urls, hash),
                  let parts = URLParts(bytes) else { return nil }
            let shown = String(decoding: UnsafeBufferPointer(rebasing: bytes[parts.host]), as: UTF8.self)
                + (parts.path.isEmpty ? "/" : String(decoding: UnsafeBufferPointer(rebasing: bytes[parts.path]), as: UTF8.self))
            return IntelHit(type: .url, indicator: shown, feed: feeds[Int(found.feed)], count: found.count)
        }
    }

    /// The match for a JA3 or JA4 fingerprint.
    public func lookup(fingerprint: String, type: IndicatorType) -> IntelHit? {
        let table: [HashEntry] = type == .ja4 ? ja4 : ja3
        guard let found = Self.hashMatch(table, FNVHash.hash(fingerprint)) else { return nil }
        return IntelHit(type: type, indicator: fingerprint.lowercased(), feed: feeds[Int(found.feed)], count: found.count)
    }
}

/// Appends a non-negative integer in decimal.
@inline(__always)
func appendDecimal(_ value: Int, to out: inout [UInt8]) {
    if value >= 10 { appendDecimal(value / 10, to: &out) }
    out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
}

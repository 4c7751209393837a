import HeapModule

/// Correlation matches waiting for the watermark, handed out in event-time order (arrival order among equal
/// times).
///
/// The order lives in a heap of small plain keys (time, arrival sequence, slot); each match's payload (the rule it
/// came from, its correlation field values, its Community ID) sits in slot-indexed storage reused through a free
/// list. Buffering a match therefore allocates nothing once the storage has grown, and sifting it through the heap
/// moves no references.
struct CorrelationReorderBuffer {
    /// A buffered match's place in the order.
    struct Key: Comparable {
        /// Event time, in nanoseconds.
        let time: Int64
        /// Arrival order: breaks ties between equal times.
        let sequence: UInt64
        /// Where the match's payload is stored.
        let slot: Int32

        static func < (a: Key, b: Key) -> Bool { a.time != b.time ? a.time < b.time : a.sequence < b.sequence }
        static func == (a: Key, b: Key) -> Bool { a.time == b.time && a.sequence == b.sequence }
    }

    /// Field values per match: one per correlation entry (`CorrelationEngine`'s entry table).
    let width: Int
    private var heap = Heap<Key>()
    private var sources: [Int32] = []
    /// The bytes of a slot's Community ID and field values, back to back, in the slot's `regionSize` bytes of one
    /// flat array (no array object per slot: reusing a slot allocates nothing and checks no uniqueness), and per
    /// slot `width + 1` spans into them (the Community ID first). Bytes that do not fit the region (long DNS names)
    /// go to the slot's overflow array; a span start at or beyond `regionSize` points there.
    private var region: [UInt8] = []
    private var regionFill: [Int32] = []
    private var overflow: [Int32: [UInt8]] = [:]
    private var spanStart: [Int32] = []
    /// Span lengths; -1 for an absent value.
    private var spanLength: [Int32] = []
    private var freeSlots: [Int32] = []

    /// Bytes per slot held in the flat region: a Community ID and a few addresses, ports and names.
    static let regionSize = 128

    init(width: Int) { self.width = width }

    /// Matches buffered.
    var count: Int { heap.count }

    /// The buffered matches' keys, in no particular order.
    var keys: [Key] { heap.unordered }

    /// Buffers a match from `source` (an index of the engine's source table, -1 for a rule nothing references);
    /// returns the slot its field values go to (`setValue`).
    mutating func add(time: Int64, sequence: UInt64, source: Int32, communityID: InlineText?) -> Int32 {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            sources[Int(slot)] = source
            if regionFill[Int(slot)] > Int32(Self.regionSize) { overflow.removeValue(forKey: slot) }
            regionFill[Int(slot)] = 0
        } else {
            slot = Int32(sources.count)
            sources.append(source)
            region.append(contentsOf: repeatElement(0, count: Self.regionSize))
            regionFill.append(0)
            spanStart.append(contentsOf: repeatElement(0, count: width + 1))
            spanLength.append(contentsOf: repeatElement(-1, count: width + 1))
        }
        let base = Int(slot) * (width + 1)
        for i in base..<(base + width + 1) { spanLength[i] = -1 }
        store(communityID, slot: Int(slot), span: base)
        heap.insert(Key(time: time, sequence: sequence, slot: slot))
        return slot
    }

    /// Sets one field value of a buffered match (once per entry: a second call leaves the first bytes unused).
    @inline(__always)
    mutating func setValue(_ value: InlineText?, slot: Int32, entry: Int) {
        store(value, slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry)
    }

    private mutating func store(_ value: InlineText?, slot: Int, span: Int) {
        guard let value else { spanLength[span] = -1; return }
        let fill = Int(regionFill[slot])
        let size = Self.regionSize
        spanLength[span] = Int32(value.count)
        if fill + value.count <= size {
            // Fits the region: `regionFill` stays at most `regionSize` while nothing overflowed.
            spanStart[span] = Int32(fill)
            regionFill[slot] = Int32(fill + value.count)
            let offset = slot * size + fill
            region.withUnsafeMutableBufferPointer { buffer in
                value.withBytes { bytes in
                    guard let target = buffer.baseAddress, let source = bytes.baseAddress else { return }
                    (target + offset).update(from: source, count: bytes.count)
                }
            }
        } else {
            // Overflowing slots are marked by a fill beyond the region, so that reusing them drops their array.
            let key = Int32(slot)
            let start = overflow[key]?.count ?? 0
            spanStart[span] = Int32(size + start)
            regionFill[slot] = Int32(size + 1)
            value.withBytes { overflow[key, default: []].append(contentsOf: $0) }
        }
    }

    private func load(slot: Int, span: Int) -> InlineText? {
        let length = Int(spanLength[span])
        guard length >= 0 else { return nil }
        let start = Int(spanStart[span])
        let size = Self.regionSize
        if start >= size {
            guard let bytes = overflow[Int32(slot)], start - size + length <= bytes.count else { return nil }
            return bytes.withUnsafeBufferPointer { InlineText(UnsafeBufferPointer(rebasing: $0[(start - size)..<(start - size + length)])) }
        }
        let offset = slot * size + start
        return region.withUnsafeBufferPointer { InlineText(UnsafeBufferPointer(rebasing: $0[offset..<(offset + length)])) }
    }

    /// The earliest buffered match, when its time is at most `time`.
    func first(atMost time: Int64) -> Key? {
        guard let first = heap.min, first.time <= time else { return nil }
        return first
    }

    /// Removes the earliest match from the order (its payload stays until `take`).
    mutating func removeFirst() { _ = heap.popMin() }

    /// The source of a buffered match.
    func source(_ slot: Int32) -> Int32 { sources[Int(slot)] }

    /// A field value of a buffered match.
    func value(_ slot: Int32, entry: Int) -> InlineText? { load(slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry) }

    /// Moves a match's payload out (its values into `into`, which must have `width` elements) and frees its slot.
    mutating func take(_ slot: Int32, into: inout [InlineText?]) -> (source: Int32, communityID: InlineText?) {
        let base = Int(slot) * (width + 1)
        for entry in 0..<width { into[entry] = load(slot: Int(slot), span: base + 1 + entry) }
        let communityID = load(slot: Int(slot), span: base)
        freeSlots.append(slot)
        return (sources[Int(slot)], communityID)
    }

    /// The Community ID of a buffered match.
    func communityID(_ slot: Int32) -> InlineText? { load(slot: Int(slot), span: Int(slot) * (width + 1)) }
}

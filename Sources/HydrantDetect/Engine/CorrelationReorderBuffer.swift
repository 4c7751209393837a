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
    /// Per slot, the bytes of its Community ID and field values back to back (each slot's array keeps its
    /// capacity when the slot is reused), and per slot `width + 1` spans into them (the Community ID first): a
    /// buffered match takes the bytes it holds, not `width` fixed-size values, so releasing it touches few
    /// cache lines however many correlation entries the rule set has.
    private var payloads: [[UInt8]] = []
    private var spanStart: [Int32] = []
    /// Span lengths; -1 for an absent value.
    private var spanLength: [Int32] = []
    private var freeSlots: [Int32] = []

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
            payloads[Int(slot)].removeAll(keepingCapacity: true)
        } else {
            slot = Int32(sources.count)
            sources.append(source)
            payloads.append([])
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
        spanStart[span] = Int32(payloads[slot].count)
        spanLength[span] = Int32(value.count)
        value.withBytes { payloads[slot].append(contentsOf: $0) }
    }

    private func load(slot: Int, span: Int) -> InlineText? {
        let length = Int(spanLength[span])
        guard length >= 0 else { return nil }
        let start = Int(spanStart[span])
        return payloads[slot].withUnsafeBufferPointer { InlineText(UnsafeBufferPointer(rebasing: $0[start..<(start + length)])) }
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
        take(slot, entries: 0..<width, into: &into)
    }

    /// Moves a match's Community ID and the values of `entries` out (into `into`, which must have `width`
    /// elements; the other elements are left as they were) and frees its slot. A match's source feeds only some
    /// correlations, which read only some entries: loading just those saves copying the rest.
    mutating func take<Entries: Sequence<Int>>(_ slot: Int32, entries: Entries,
                                                into: inout [InlineText?]) -> (source: Int32, communityID: InlineText?) {
        let base = Int(slot) * (width + 1)
        for entry in entries { into[entry] = load(slot: Int(slot), span: base + 1 + entry) }
        let communityID = load(slot: Int(slot), span: base)
        freeSlots.append(slot)
        return (sources[Int(slot)], communityID)
    }

    /// The Community ID of a buffered match.
    func communityID(_ slot: Int32) -> InlineText? { load(slot: Int(slot), span: Int(slot) * (width + 1)) }
}

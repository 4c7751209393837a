import HeapModule

/// Correlation matches waiting for the watermark, handed out in event-time order (arrival order among equal
/// times).
///
/// The order lives in a heap of small plain keys (time, arrival sequence, slot); each match's payload (the rule it
/// came from, its correlation field values, its Community ID) sits in slot-indexed storage reused through a free
/// list. Buffering a match therefore allocates nothing once the storage has grown, and sifting it through the heap
/// moves no references. The storage is manually managed memory owned by this buffer (one per correlation engine):
/// a slot's bytes live in a fixed-size stretch of one flat block, so storing and loading a value is a copy with no
/// uniqueness check of nested arrays; the rare payload longer than the stretch moves to an array of its own.
final class CorrelationReorderBuffer {
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
    /// Bytes kept in place per slot: a Community ID and a few addresses, ports and names fit.
    static let inlineBytes = 128
    private var heap = Heap<Key>()
    private var slotCapacity = 0
    private var slotsMade = 0
    private var sources: UnsafeMutablePointer<Int32>
    /// Per slot, `width + 1` spans (the Community ID first) into the slot's bytes: start, and length (-1: absent).
    private var spanStart: UnsafeMutablePointer<Int32>
    private var spanLength: UnsafeMutablePointer<Int32>
    /// Per slot, its bytes used, and its `inlineBytes` stretch of `bytes`.
    private var used: UnsafeMutablePointer<Int32>
    private var bytes: UnsafeMutablePointer<UInt8>
    /// Payloads that outgrew their stretch, by slot (their bytes continue here, from the start).
    private var spilled: [Int32: [UInt8]] = [:]
    private var freeSlots: [Int32] = []

    init(width: Int) {
        self.width = width
        sources = .allocate(capacity: 1)
        spanStart = .allocate(capacity: 1)
        spanLength = .allocate(capacity: 1)
        used = .allocate(capacity: 1)
        bytes = .allocate(capacity: 1)
    }

    deinit {
        sources.deallocate()
        spanStart.deallocate()
        spanLength.deallocate()
        used.deallocate()
        bytes.deallocate()
    }

    /// Matches buffered.
    var count: Int { heap.count }

    /// The buffered matches' keys, in no particular order.
    var keys: [Key] { heap.unordered }

    /// Buffers a match from `source` (an index of the engine's source table, -1 for a rule nothing references);
    /// returns the slot its field values go to (`setValue`).
    func add(time: Int64, sequence: UInt64, source: Int32, communityID: InlineText?) -> Int32 {
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
            if !spilled.isEmpty { spilled.removeValue(forKey: slot) }
        } else {
            if slotsMade == slotCapacity { grow() }
            slot = Int32(slotsMade)
            slotsMade += 1
        }
        let s = Int(slot)
        sources[s] = source
        used[s] = 0
        (spanLength + s * (width + 1)).update(repeating: -1, count: width + 1)
        store(communityID, slot: s, span: s * (width + 1))
        heap.insert(Key(time: time, sequence: sequence, slot: slot))
        return slot
    }

    /// Sets one field value of a buffered match (once per entry: a second call leaves the first bytes unused).
    @inline(__always)
    func setValue(_ value: InlineText?, slot: Int32, entry: Int) {
        store(value, slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry)
    }

    private func store(_ value: InlineText?, slot: Int, span: Int) {
        guard let value else {
            spanLength[span] = -1
            return
        }
        let start = Int(used[slot])
        spanStart[span] = Int32(start)
        spanLength[span] = Int32(value.count)
        used[slot] = Int32(start + value.count)
        value.withBytes { text in
            guard let base = text.baseAddress, !text.isEmpty else { return }
            if start + text.count <= Self.inlineBytes, spilled.isEmpty || spilled[Int32(slot)] == nil {
                (bytes + slot * Self.inlineBytes + start).update(from: base, count: text.count)
                return
            }
            var spill = spilled[Int32(slot)] ?? Array(UnsafeBufferPointer(start: bytes + slot * Self.inlineBytes, count: start))
            spilled[Int32(slot)] = nil
            spill.append(contentsOf: text)
            spilled[Int32(slot)] = spill
        }
    }

    private func load(slot: Int, span: Int) -> InlineText? {
        let length = Int(spanLength[span])
        guard length >= 0 else { return nil }
        let start = Int(spanStart[span])
        if !spilled.isEmpty, let spill = spilled[Int32(slot)] {
            return spill.withUnsafeBufferPointer { InlineText(UnsafeBufferPointer(rebasing: $0[start..<(start + length)])) }
        }
        return InlineText(UnsafeBufferPointer(start: bytes + slot * Self.inlineBytes + start, count: length))
    }

    private func grow() {
        let capacity = max(64, slotCapacity * 2)
        func moved<T>(_ old: UnsafeMutablePointer<T>, _ count: Int, _ newCount: Int) -> UnsafeMutablePointer<T> {
            let fresh = UnsafeMutablePointer<T>.allocate(capacity: newCount)
            fresh.moveInitialize(from: old, count: count)
            old.deallocate()
            return fresh
        }
        sources = moved(sources, slotsMade, capacity)
        spanStart = moved(spanStart, slotsMade * (width + 1), capacity * (width + 1))
        spanLength = moved(spanLength, slotsMade * (width + 1), capacity * (width + 1))
        used = moved(used, slotsMade, capacity)
        bytes = moved(bytes, slotsMade * Self.inlineBytes, capacity * Self.inlineBytes)
        slotCapacity = capacity
    }

    /// The earliest buffered match, when its time is at most `time`.
    func first(atMost time: Int64) -> Key? {
        guard let first = heap.min, first.time <= time else { return nil }
        return first
    }

    /// Removes the earliest match from the order (its payload stays until `take`).
    func removeFirst() { _ = heap.popMin() }

    /// The source of a buffered match.
    func source(_ slot: Int32) -> Int32 { sources[Int(slot)] }

    /// A field value of a buffered match.
    func value(_ slot: Int32, entry: Int) -> InlineText? { load(slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry) }

    /// Moves a match's payload out (its values into `into`, which must have `width` elements) and frees its slot.
    func take(_ slot: Int32, into: inout [InlineText?]) -> (source: Int32, communityID: InlineText?) {
        take(slot, entries: 0..<width, into: &into)
    }

    /// Moves a match's Community ID and the values of `entries` out (into `into`, which must have `width`
    /// elements; the other elements are left as they were) and frees its slot. A match's source feeds only some
    /// correlations, which read only some entries: loading just those saves copying the rest.
    func take<Entries: Sequence<Int>>(_ slot: Int32, entries: Entries,
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

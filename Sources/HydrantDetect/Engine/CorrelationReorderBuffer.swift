import CByteSearch
import DequeModule

/// Correlation matches waiting for the watermark, handed out in event-time order (arrival order among equal
/// times).
///
/// The order lives in small plain keys (time, arrival sequence, slot): a match no earlier than the last one queued
/// joins a queue, which stays sorted and costs a constant step in and out; any other goes through a heap
/// (`CorrelationReorderHeap`). How many
/// arrive in order depends on the source: DNS and HTTP records come at their event time, but a flow record is
/// stamped with its start and written at its end, so most flow matches are late and take the heap (on the rules
/// benchmark's records, 23% of matches were queued). Each match's payload (the rule it
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
    /// Matches that arrived in order: sorted, since each was at least the one before it.
    private var ordered = Deque<Key>()
    /// Matches that arrived earlier than the last of `ordered`.
    private let heap = CorrelationReorderHeap()
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
    /// Freed slots, a stack (at most `slotsMade`, so it never outgrows `slotCapacity`): in flat memory, since an
    /// array's push and pop checked its buffer's uniqueness per match.
    private var freeSlots: UnsafeMutablePointer<Int32>
    private var freeCount = 0

    init(width: Int) {
        self.width = width
        sources = .allocate(capacity: 1)
        spanStart = .allocate(capacity: 1)
        spanLength = .allocate(capacity: 1)
        used = .allocate(capacity: 1)
        bytes = .allocate(capacity: 1)
        freeSlots = .allocate(capacity: 1)
    }

    deinit {
        sources.deallocate()
        spanStart.deallocate()
        spanLength.deallocate()
        used.deallocate()
        bytes.deallocate()
        freeSlots.deallocate()
    }

    /// Matches buffered.
    var count: Int { ordered.count + heap.count }

    /// The buffered matches' keys, in no particular order.
    var keys: [Key] { Array(ordered) + heap.unordered }

    /// Buffers a match from `source` (an index of the engine's source table, -1 for a rule nothing references);
    /// returns the slot its field values go to (`setValue`).
    func add(time: Int64, sequence: UInt64, source: Int32, communityID: InlineText?) -> Int32 {
        guard let communityID else { return add(time: time, sequence: sequence, source: source, communityIDBytes: nil) }
        return communityID.withBytes { add(time: time, sequence: sequence, source: source, communityIDBytes: $0) }
    }

    /// Buffers a match whose Community ID is the text of `communityIDBytes` (nil: none); see `add(time:…)`.
    func add(time: Int64, sequence: UInt64, source: Int32, communityIDBytes: UnsafeBufferPointer<UInt8>?) -> Int32 {
        let slot: Int32
        if freeCount > 0 {
            freeCount -= 1
            slot = freeSlots[freeCount]
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
        if let communityIDBytes { store(communityIDBytes, slot: s, span: s * (width + 1)) }
        let key = Key(time: time, sequence: sequence, slot: slot)
        if let last = ordered.last, key < last { heap.insert(key) } else { ordered.append(key) }
        return slot
    }

    /// Sets one field value of a buffered match (once per entry: a second call leaves the first bytes unused).
    @inline(__always)
    func setValue(_ value: InlineText?, slot: Int32, entry: Int) {
        store(value, slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry)
    }

    /// Sets one field value of a buffered match from the value's bytes (as `setValue` with the text of `text`).
    @inline(__always)
    func setValue(bytes text: UnsafeBufferPointer<UInt8>, slot: Int32, entry: Int) {
        store(text, slot: Int(slot), span: Int(slot) * (width + 1) + 1 + entry)
    }

    private func store(_ value: InlineText?, slot: Int, span: Int) {
        guard let value else {
            spanLength[span] = -1
            return
        }
        value.withBytes { store($0, slot: slot, span: span) }
    }

    private func store(_ text: UnsafeBufferPointer<UInt8>, slot: Int, span: Int) {
        let start = Int(used[slot])
        spanStart[span] = Int32(start)
        spanLength[span] = Int32(text.count)
        used[slot] = Int32(start + text.count)
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
        sources = FlatStorage.regrown(sources, count: slotsMade, capacity: capacity)
        spanStart = FlatStorage.regrown(spanStart, count: slotsMade * (width + 1), capacity: capacity * (width + 1))
        spanLength = FlatStorage.regrown(spanLength, count: slotsMade * (width + 1), capacity: capacity * (width + 1))
        used = FlatStorage.regrown(used, count: slotsMade, capacity: capacity)
        bytes = FlatStorage.regrown(bytes, count: slotsMade * Self.inlineBytes, capacity: capacity * Self.inlineBytes)
        freeSlots = FlatStorage.regrown(freeSlots, count: freeCount, capacity: capacity)
        slotCapacity = capacity
    }

    /// The earliest buffered match, when its time is at most `time`.
    func first(atMost time: Int64) -> Key? {
        guard let first = earliest, first.time <= time else { return nil }
        return first
    }

    /// The earliest buffered match: the smaller of the queue's first and the heap's least.
    private var earliest: Key? {
        guard let queued = ordered.first else { return heap.min }
        guard let least = heap.min, least < queued else { return queued }
        return least
    }

    /// Removes and returns the earliest buffered match when its time is at most `time` (its payload stays until
    /// `take` or `discard`): `first(atMost:)` and `removeFirst()` in one look at the queue and the heap.
    @inline(__always)
    func popFirst(atMost time: Int64) -> Key? {
        if let queued = ordered.first {
            if let least = heap.min, least < queued {
                guard least.time <= time else { return nil }
                return heap.popMin()
            }
            guard queued.time <= time else { return nil }
            return ordered.removeFirst()
        }
        guard let least = heap.min, least.time <= time else { return nil }
        return heap.popMin()
    }

    /// Starts loading the payload of the earliest buffered match into the cache: it was stored about the lateness
    /// span earlier and is cold by the time it is released, so the load overlaps the processing of the match before.
    @inline(__always)
    func prefetchEarliest() {
        guard let next = earliest else { return }
        let payload = UnsafeRawPointer(bytes + Int(next.slot) * Self.inlineBytes)
        hydrant_prefetch(payload)
        hydrant_prefetch(payload + 64)
    }

    /// Removes the earliest match from the order (its payload stays until `take`).
    func removeFirst() {
        if let queued = ordered.first, heap.min.map({ queued < $0 }) ?? true {
            ordered.removeFirst()
        } else {
            _ = heap.popMin()
        }
    }

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
        recycle(slot)
        return (sources[Int(slot)], communityID)
    }

    /// Points `values` at a buffered match's Community ID and values where they lie (or, for the rare payload that
    /// outgrew its stretch, copies them) and returns its source. The spans stay valid until the slot is reused, so
    /// the caller processes the match, then hands the slot back with `discard`; nothing may be added in between.
    /// Per match this sets three pointers where `take` copied each value it read.
    func view(_ slot: Int32, into values: CorrelationMatchValues) -> Int32 {
        let s = Int(slot)
        let base = s * (width + 1)
        if !spilled.isEmpty, let spill = spilled[slot] {
            values.startMatch()
            spill.withUnsafeBufferPointer { spill in
                for entry in 0..<width { values.set(entry, span(base + 1 + entry, in: spill)) }
                values.setCommunityID(span(base, in: spill))
            }
        } else {
            // Every span of a slot that did not spill lies within its stretch (`store` spills any that would not).
            values.view(starts: spanStart + base, lengths: spanLength + base, bytes: bytes + s * Self.inlineBytes)
        }
        return sources[s]
    }

    /// Frees the slot of a match that `view` handed out.
    func discard(_ slot: Int32) { recycle(slot) }

    @inline(__always)
    private func recycle(_ slot: Int32) {
        guard freeCount < slotsMade else { return }  // a slot freed twice: only a caller's bug could do that
        freeSlots[freeCount] = slot
        freeCount += 1
    }

    @inline(__always)
    private func span(_ span: Int, in payload: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let length = Int(spanLength[span])
        guard length >= 0 else { return nil }
        let start = Int(spanStart[span])
        guard let base = payload.baseAddress, start + length <= payload.count else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        return UnsafeBufferPointer(start: base + start, count: length)
    }

    /// The Community ID of a buffered match.
    func communityID(_ slot: Int32) -> InlineText? { load(slot: Int(slot), span: Int(slot) * (width + 1)) }
}

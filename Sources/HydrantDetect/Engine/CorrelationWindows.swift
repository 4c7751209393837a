/// The windows of one correlation's groups, by the slot the group store gives each group: per slot the window's
/// running aggregates, its entries in a shared pool of fixed-size chunks, and for `value_count` its distinct
/// values in one table for the whole correlation.
///
/// Most groups are short-lived and small (57% of the rules benchmark's correlation matches made a new group, and
/// most groups see one or two matches), so what a group costs to make and to grow is most of a match's work. As
/// an object per slot with arrays of entries and of distinct values, a new slot cost an allocation, its first
/// entries two or three reallocations, and each `value_count` match a copy of its value into a 48-byte text and a
/// search of the group's values. Here a slot is a plain record in one flat block; entries are trivial 64-byte
/// records written into chunks of `chunkEntries` taken from a free list (a window is a linked run of chunks from
/// its first live entry to its last), and a chunk goes back to the list as soon as the window's head moves past
/// it or the group is cleared; a distinct value is a row of one open-addressing table keyed by the slot and the
/// value's bytes, with the number of the slot's live entries holding it, removed when that number reaches zero.
/// Memory therefore follows the live entries and groups, which the engine bounds (timespans, sweeps,
/// `maximumGroups`), and everything is reused without allocating once it has grown.
final class CorrelationWindows {
    /// One match in a window.
    struct Entry {
        /// Event time, in nanoseconds.
        var timestamp: Int64
        /// The value as a number (`Double(value)`), parsed once when the match arrives (for the types that sum or
        /// rank values); valid when `hasNumber`.
        var number: Double
        /// The referenced rule's position in the correlation's `rules`.
        var rule: Int32
        /// `value_count`: the row of the value in the distinct-value table; -1 when the match had no value.
        var valueID: Int32
        /// The Community ID's length in bytes; -1 when absent.
        var communityIDLength: Int32
        var hasNumber: Bool
        /// The Community ID's bytes when it fits (a Community ID v1 is 30 bytes); longer ones are kept by entry
        /// index in `longCommunityIDs`.
        var communityID: (UInt64, UInt64, UInt64, UInt64)
    }

    /// Bytes of a Community ID held in its entry.
    static let inlineCommunityID = 32
    /// Entries per chunk: most windows hold one or two entries, and a larger chunk costs memory per group
    /// without saving much (a chunk boundary is one link to follow).
    static let chunkShift: Int32 = 1
    static let chunkEntries = 1 << Int(chunkShift)
    private static let chunkMask: Int32 = (1 << chunkShift) - 1

    /// One group's window: where its live entries are and the running aggregates over them, so that deciding the
    /// window after each match costs what changed rather than the whole window.
    private struct Window {
        /// Entry indexes of the first and last live entries (-1 when empty).
        var head: Int32 = -1
        var tail: Int32 = -1
        var count: Int32 = 0
        /// `value_count`: distinct values among the live entries.
        var distinctLive: Int32 = 0
        /// `temporal`: referenced rules with at least one live entry.
        var rulesPresent: Int32 = 0
        /// `value_sum`/`value_avg`: live entries with a numeric value, and those that are integers of magnitude
        /// below 2^53 summed exactly (with the sum of their magnitudes, which bounds every partial sum).
        var numbers: Int32 = 0
        var integers: Int32 = 0
        var overflowed = false
        /// An upward condition held: the group stays quiet until its window has emptied.
        var quiet = false
        var integerSum: Int64 = 0
        var magnitudeSum: Int64 = 0
        var lastUpdate: Int64 = 0
    }

    let type: CorrelationType
    /// Referenced rules (`temporal` counts live entries per rule).
    let ruleCount: Int

    private var windows: UnsafeMutablePointer<Window>
    private var slotCapacity = 0
    /// `temporal`: per slot, `ruleCount` live-entry counts.
    private var ruleCounts: UnsafeMutablePointer<Int32>

    /// The entries of every window: entry `i` is the `i % chunkEntries`th of chunk `i / chunkEntries`.
    private var pool: UnsafeMutablePointer<Entry>
    /// Per chunk: the next chunk of its window, or of the free list.
    private var nextChunk: UnsafeMutablePointer<Int32>
    private var chunksMade: Int32 = 0
    private var chunkCapacity: Int32 = 0
    private var freeChunk: Int32 = -1
    /// Chunks on the free list.
    private(set) var freeChunks = 0
    private var longCommunityIDs: [Int32: [UInt8]] = [:]

    /// `value_count`: rows keyed by the slot's four bytes and the value's bytes; per row, the live entries that
    /// hold it.
    private let distinct: CorrelationGroupStore?
    /// `distinct`, unretained for the per-match path.
    private let distinctRef: Unmanaged<CorrelationGroupStore>?
    private var distinctCounts: UnsafeMutablePointer<Int32>
    private var distinctCapacity = 0
    private var keyScratch: UnsafeMutablePointer<UInt8>
    private var keyCapacity = 64

    /// Windows of a correlation of `type` over `ruleCount` referenced rules.
    init(type: CorrelationType, ruleCount: Int) {
        self.type = type
        self.ruleCount = type == .temporal ? max(ruleCount, 0) : 0
        windows = .allocate(capacity: 1)
        ruleCounts = .allocate(capacity: 1)
        pool = .allocate(capacity: 1)
        nextChunk = .allocate(capacity: 1)
        let distinct = type == .valueCount ? CorrelationGroupStore(parts: 0) : nil
        self.distinct = distinct
        distinctRef = distinct.map { .passUnretained($0) }
        distinctCounts = .allocate(capacity: 1)
        keyScratch = .allocate(capacity: keyCapacity)
    }

    deinit {
        windows.deallocate()
        ruleCounts.deallocate()
        pool.deallocate()
        nextChunk.deallocate()
        distinctCounts.deallocate()
        keyScratch.deallocate()
    }

    /// Chunks holding live entries.
    var chunksInUse: Int { Int(chunksMade) - freeChunks }

    /// Distinct values held over all windows (`value_count`).
    var distinctValues: Int { distinct?.count ?? 0 }

    /// Starts an empty window in `slot` (a new group's).
    func open(_ slot: Int32) {
        let s = Int(slot)
        if s >= slotCapacity { growSlots(to: s + 1) }
        windows[s] = Window()
        if ruleCount > 0 { (ruleCounts + s * ruleCount).update(repeating: 0, count: ruleCount) }
    }

    /// Empties the window in `slot` (its group is gone): its chunks and distinct values go back for reuse.
    func clear(_ slot: Int32) {
        let s = Int(slot)
        guard s >= 0, s < slotCapacity else { return }
        let window = windows + s
        if distinct != nil || !longCommunityIDs.isEmpty {
            while window.pointee.count > 0 { dropFirst(window, slot: s) }
        } else if window.pointee.count > 0 {
            var chunk = window.pointee.head >> Self.chunkShift
            let last = window.pointee.tail >> Self.chunkShift
            while true {
                let next = nextChunk[Int(chunk)]
                release(chunk: chunk)
                if chunk == last { break }
                chunk = next
            }
        }
        window.pointee = Window()
    }

    /// Live entries of the window in `slot`.
    @inline(__always)
    func count(_ slot: Int32) -> Int { Int(windows[Int(slot)].count) }

    /// Whether the window in `slot` holds no live entry.
    @inline(__always)
    func isEmpty(_ slot: Int32) -> Bool { windows[Int(slot)].count == 0 }

    /// Whether the group in `slot` stays quiet (its upward condition held and its window has not emptied since).
    @inline(__always)
    func isQuiet(_ slot: Int32) -> Bool { windows[Int(slot)].quiet }

    /// Sets whether the group in `slot` stays quiet.
    @inline(__always)
    func setQuiet(_ slot: Int32, _ quiet: Bool) { windows[Int(slot)].quiet = quiet }

    /// When the group in `slot` last took a match (nanoseconds; 0 for a new group).
    @inline(__always)
    func lastUpdate(_ slot: Int32) -> Int64 { windows[Int(slot)].lastUpdate }

    /// The time of the first live entry in `slot`, or nil when the window is empty.
    @inline(__always)
    func firstTime(_ slot: Int32) -> Int64? {
        let window = windows[Int(slot)]
        return window.count > 0 ? pool[Int(window.head)].timestamp : nil
    }

    /// Whether no entry of `slot` can count in a window of a match at `time` or later.
    func expired(_ slot: Int32, at time: Int64, timespan: Int64) -> Bool {
        let window = windows[Int(slot)]
        guard window.count > 0 else { return true }
        return time &- pool[Int(window.tail)].timestamp > timespan
    }

    /// Drops the live entries of `slot` that are more than `timespan` before `time`.
    @inline(__always)
    func slide(_ slot: Int32, to time: Int64, timespan: Int64) {
        let window = windows + Int(slot)
        while window.pointee.count > 0, time &- pool[Int(window.pointee.head)].timestamp > timespan {
            dropFirst(window, slot: Int(slot))
        }
    }

    /// Drops the first `count` live entries of `slot`.
    func advance(_ slot: Int32, by count: Int) {
        let window = windows + Int(slot)
        for _ in 0..<count where window.pointee.count > 0 { dropFirst(window, slot: Int(slot)) }
    }

    /// Appends a match at `time` (`rule`: its rule's position in the correlation's `rules`; `value`: the value
    /// field's bytes, nil when the match had none; `number`: the value as a number for the types that read one)
    /// to the window in `slot`, which becomes the group's last update.
    func append(_ slot: Int32, time: Int64, rule: Int, value: UnsafeBufferPointer<UInt8>?, number: Double?,
                communityID: UnsafeBufferPointer<UInt8>?) {
        let s = Int(slot)
        let index: Int32
        let tail = windows[s].tail
        if windows[s].count == 0 {
            index = takeChunk() << Self.chunkShift
            windows[s].head = index
        } else if tail & Self.chunkMask == Self.chunkMask {
            let chunk = takeChunk()
            nextChunk[Int(tail >> Self.chunkShift)] = chunk
            index = chunk << Self.chunkShift
        } else {
            index = tail + 1
        }
        var entry = Entry(timestamp: time, number: number ?? 0, rule: Int32(truncatingIfNeeded: rule), valueID: -1,
                          communityIDLength: -1, hasNumber: number != nil, communityID: (0, 0, 0, 0))
        if let communityID {
            entry.communityIDLength = Int32(truncatingIfNeeded: communityID.count)
            if communityID.count > Self.inlineCommunityID {
                longCommunityIDs[index] = Array(communityID)
            } else if let base = communityID.baseAddress, !communityID.isEmpty {
                withUnsafeMutableBytes(of: &entry.communityID) {
                    $0.baseAddress?.copyMemory(from: base, byteCount: communityID.count)
                }
            }
        }
        if distinct != nil, let value { entry.valueID = holdValue(value, slot: slot) }
        (pool + Int(index)).initialize(to: entry)
        let window = windows + s
        window.pointee.tail = index
        window.pointee.count += 1
        window.pointee.lastUpdate = time
        account(entry, window, slot: s, adding: true)
    }

    /// The metric of the whole live window of `slot`, when the running aggregates give it exactly as a fresh
    /// computation would; nil when it must be computed from the entries.
    @inline(__always)
    func liveMetric(_ slot: Int32) -> Double? {
        let window = windows[Int(slot)]
        switch type {
        case .eventCount: return Double(window.count)
        case .valueCount: return Double(window.distinctLive)
        case .temporal: return Double(window.rulesPresent)
        case .valueSum, .valueAverage:
            // Integers summed in any order give the same Double while every partial sum stays below 2^53.
            guard window.integers == window.numbers, !window.overflowed, window.magnitudeSum < (1 << 53) else { return nil }
            let sum = Double(window.integerSum)
            if type == .valueSum { return sum }
            return window.numbers == 0 ? 0 : sum / Double(window.numbers)
        case .valuePercentile, .temporalOrdered: return nil
        }
    }

    /// The live entries of `slot`, in order, from the first as long as `include` holds.
    func entries(_ slot: Int32, while include: (Entry) -> Bool = { _ in true }) -> [Entry] {
        var found: [Entry] = []
        forEachLive(slot) { _, entry in
            guard include(entry) else { return false }
            found.append(entry)
            return true
        }
        return found
    }

    /// The distinct Community IDs of the first `count` live entries of `slot`, in order, at most `limit`.
    func communityIDs(_ slot: Int32, first count: Int, limit: Int) -> [String] {
        var seen = Set<ShortText>()
        var ids: [String] = []
        var visited = 0
        forEachLive(slot) { index, entry in
            guard visited < count, seen.count < limit else { return false }
            visited += 1
            guard entry.communityIDLength >= 0 else { return true }
            let text: ShortText
            if entry.communityIDLength > Int32(Self.inlineCommunityID) {
                guard let long = longCommunityIDs[index] else { return true }
                text = long.withUnsafeBufferPointer { ShortText(bytes: $0) }
            } else {
                var words = entry.communityID
                text = withUnsafeBytes(of: &words) { raw in
                    ShortText(bytes: UnsafeBufferPointer(start: raw.baseAddress?.assumingMemoryBound(to: UInt8.self),
                                                         count: Int(entry.communityIDLength)))
                }
            }
            if seen.insert(text).inserted, let id = text.string { ids.append(id) }
            return true
        }
        return ids
    }

    /// Calls `body` with each live entry of `slot` (and its index) in order until it returns false.
    private func forEachLive(_ slot: Int32, _ body: (Int32, Entry) -> Bool) {
        let window = windows[Int(slot)]
        var index = window.head
        for _ in 0..<window.count {
            guard body(index, pool[Int(index)]) else { return }
            if index & Self.chunkMask == Self.chunkMask {
                index = nextChunk[Int(index >> Self.chunkShift)] << Self.chunkShift
            } else {
                index += 1
            }
        }
    }

    private func dropFirst(_ window: UnsafeMutablePointer<Window>, slot: Int) {
        let index = window.pointee.head
        let entry = pool[Int(index)]
        account(entry, window, slot: slot, adding: false)
        if entry.communityIDLength > Int32(Self.inlineCommunityID) { longCommunityIDs[index] = nil }
        window.pointee.count -= 1
        let chunk = index >> Self.chunkShift
        if window.pointee.count == 0 {
            release(chunk: chunk)
            window.pointee.head = -1
            window.pointee.tail = -1
        } else if index & Self.chunkMask == Self.chunkMask {
            window.pointee.head = nextChunk[Int(chunk)] << Self.chunkShift
            release(chunk: chunk)
        } else {
            window.pointee.head = index + 1
        }
    }

    @inline(__always)
    private func account(_ entry: Entry, _ window: UnsafeMutablePointer<Window>, slot: Int, adding: Bool) {
        switch type {
        case .valueCount:
            // `append` counted the value in when it found its row.
            if !adding && entry.valueID >= 0 { dropValue(entry.valueID, window) }
        case .valueSum, .valueAverage:
            guard entry.hasNumber else { return }
            let number = entry.number
            window.pointee.numbers += adding ? 1 : -1
            guard number.rounded() == number, abs(number) < 9_007_199_254_740_992 else { return }
            window.pointee.integers += adding ? 1 : -1
            let whole = Int64(number)
            let size = Int64(whole.magnitude)  // below 2^53, so it fits
            let (sum, o1) = adding ? window.pointee.integerSum.addingReportingOverflow(whole)
                : window.pointee.integerSum.subtractingReportingOverflow(whole)
            let (magnitude, o2) = adding ? window.pointee.magnitudeSum.addingReportingOverflow(size)
                : window.pointee.magnitudeSum.subtractingReportingOverflow(size)
            window.pointee.integerSum = sum
            window.pointee.magnitudeSum = magnitude
            if o1 || o2 { window.pointee.overflowed = true }
        case .temporal:
            let rule = Int(entry.rule)
            guard rule >= 0 && rule < ruleCount else { return }
            let counted = ruleCounts + slot * ruleCount + rule
            if adding {
                if counted.pointee == 0 { window.pointee.rulesPresent += 1 }
                counted.pointee += 1
            } else {
                counted.pointee -= 1
                if counted.pointee == 0 { window.pointee.rulesPresent -= 1 }
            }
        case .eventCount, .valuePercentile, .temporalOrdered:
            return
        }
    }

    /// Counts one more live entry of `slot` holding `value`; returns its row.
    private func holdValue(_ value: UnsafeBufferPointer<UInt8>, slot: Int32) -> Int32 {
        guard let distinctRef else { return -1 }
        let length = 4 + value.count
        if length > keyCapacity {
            keyScratch.deallocate()
            keyCapacity = max(length, keyCapacity * 2)
            keyScratch = .allocate(capacity: keyCapacity)
        }
        UnsafeMutableRawPointer(keyScratch).storeBytes(of: slot.littleEndian, as: Int32.self)
        if let base = value.baseAddress, !value.isEmpty { (keyScratch + 4).update(from: base, count: value.count) }
        let key = UnsafeBufferPointer(start: UnsafePointer(keyScratch), count: length)
        var isNew = false
        let row = distinctRef._withUnsafeGuaranteedRef { distinct -> Int32 in
            let hash = distinct.hash(key)
            let found = distinct.find(key, hash: hash)
            if found >= 0 { return found }
            isNew = true
            return distinct.insert(key, hash: hash) { _ in -1 }
        }
        guard isNew else {
            distinctCounts[Int(row)] += 1
            return row
        }
        if Int(row) >= distinctCapacity { growDistinct(to: Int(row) + 1) }
        distinctCounts[Int(row)] = 1
        windows[Int(slot)].distinctLive += 1
        return row
    }

    /// Counts one fewer live entry holding the value of `row`, forgetting the value when none is left.
    private func dropValue(_ row: Int32, _ window: UnsafeMutablePointer<Window>) {
        distinctCounts[Int(row)] -= 1
        guard distinctCounts[Int(row)] == 0 else { return }
        distinctRef?._withUnsafeGuaranteedRef { $0.remove(row) }
        window.pointee.distinctLive -= 1
    }

    private func takeChunk() -> Int32 {
        if freeChunk >= 0 {
            let chunk = freeChunk
            freeChunk = nextChunk[Int(chunk)]
            freeChunks -= 1
            return chunk
        }
        if chunksMade == chunkCapacity { growChunks() }
        let chunk = chunksMade
        chunksMade += 1
        return chunk
    }

    private func release(chunk: Int32) {
        nextChunk[Int(chunk)] = freeChunk
        freeChunk = chunk
        freeChunks += 1
    }

    private func growSlots(to needed: Int) {
        let capacity = max(64, slotCapacity * 2, needed)
        windows = FlatStorage.regrown(windows, count: slotCapacity, capacity: capacity)
        (windows + slotCapacity).initialize(repeating: Window(), count: capacity - slotCapacity)
        if ruleCount > 0 {
            ruleCounts = FlatStorage.regrown(ruleCounts, count: slotCapacity * ruleCount, capacity: capacity * ruleCount)
            (ruleCounts + slotCapacity * ruleCount).initialize(repeating: 0, count: (capacity - slotCapacity) * ruleCount)
        }
        slotCapacity = capacity
    }

    private func growChunks() {
        let capacity = max(64, chunkCapacity * 2)
        pool = FlatStorage.regrown(pool, count: Int(chunksMade) << Int(Self.chunkShift),
                                    capacity: Int(capacity) << Int(Self.chunkShift))
        nextChunk = FlatStorage.regrown(nextChunk, count: Int(chunksMade), capacity: Int(capacity))
        chunkCapacity = capacity
    }

    private func growDistinct(to needed: Int) {
        let capacity = max(64, distinctCapacity * 2, needed)
        distinctCounts = FlatStorage.regrown(distinctCounts, count: distinctCapacity, capacity: capacity)
        distinctCounts.advanced(by: distinctCapacity).initialize(repeating: 0, count: capacity - distinctCapacity)
        distinctCapacity = capacity
    }
}

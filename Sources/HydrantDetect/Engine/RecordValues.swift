/// The values of the fields a dataset's rules read, for the record being evaluated: a flat arena of bytes and a
/// linked list of values per field slot (a list field contributes one value per element).
///
/// All storage is reused from record to record and held through raw pointers: `hold(record:)` copies the record to
/// the arena's start once and makes room for every value the scan can copy out of it, so a value read straight from
/// the record is entered by its place (no copy) and any other is a copy with no capacity or uniqueness check. One
/// instance belongs to one engine (one task at a time).
final class RecordValues {
    /// Kind of a JSON scalar.
    enum Kind: UInt8 { case string, number, bool }

    struct Entry {
        var start: Int32
        var length: Int32
        var lowerStart: Int32
        var kind: Kind
        var next: Int32
    }

    /// Value bytes: the record being scanned (`hold(record:)`), then unescaped values and lower-cased copies.
    private(set) var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private(set) var arenaCount = 0
    /// How many bytes at the start of the arena are the record being scanned.
    private var heldCount = 0
    private(set) var entries: UnsafeMutablePointer<Entry>
    private var entryCapacity: Int
    private(set) var entryCount = 0
    /// Per slot, the first and last value (-1: none).
    private(set) var heads: UnsafeMutablePointer<Int32>
    private var tails: UnsafeMutablePointer<Int32>
    /// The slots that hold at least one value, in the order they were first filled: resetting and visiting the
    /// present fields costs what the record holds, not what the rules read.
    private var filledSlots: UnsafeMutablePointer<Int32>
    private(set) var filledCount = 0
    private var slotCount = 0
    /// Per slot, whether a case-insensitive test reads it (only then is a lower-cased copy kept); every slot
    /// until `foldOnly(_:)` says otherwise.
    /// Held through a pointer: reading an array property of a class per value retains and releases its buffer.
    private var fold: UnsafeMutablePointer<Bool>
    private var foldCount = 0
    /// Non-ASCII lower-casing goes through `String`; its output lands here before it is copied in.
    private var foldScratch: [UInt8] = []

    init() {
        arenaCapacity = 4096
        arena = .allocate(capacity: arenaCapacity)
        entryCapacity = 64
        entries = .allocate(capacity: entryCapacity)
        heads = .allocate(capacity: 1)
        heads.initialize(to: -1)
        tails = .allocate(capacity: 1)
        tails.initialize(to: -1)
        filledSlots = .allocate(capacity: 1)
        fold = .allocate(capacity: 1)
    }

    deinit {
        arena.deallocate()
        entries.deallocate()
        heads.deallocate()
        tails.deallocate()
        filledSlots.deallocate()
        fold.deallocate()
    }

    /// Keeps lower-cased copies only for the slots flagged in `slots` (those a case-insensitive test reads).
    func foldOnly(_ slots: [Bool]) {
        fold.deallocate()
        fold = .allocate(capacity: max(slots.count, 1))
        fold.initialize(from: slots, count: slots.count)
        foldCount = slots.count
    }

    /// Clears the values for `slots` field slots.
    func reset(slots: Int) {
        arenaCount = 0
        heldCount = 0
        entryCount = 0
        if slotCount != slots {
            heads.deallocate()
            tails.deallocate()
            filledSlots.deallocate()
            slotCount = slots
            heads = .allocate(capacity: max(slots, 1))
            heads.initialize(repeating: -1, count: max(slots, 1))
            tails = .allocate(capacity: max(slots, 1))
            tails.initialize(repeating: -1, count: max(slots, 1))
            filledSlots = .allocate(capacity: max(slots, 1))
        } else {
            for i in 0..<filledCount {
                let slot = Int(filledSlots[i])
                heads[slot] = -1
                tails[slot] = -1
            }
        }
        filledCount = 0
    }

    /// Bytes past the held record that can always be read.
    static let paddingBytes = 16

    /// Clears the values of the record being scanned, keeping the number of slots and the held record.
    func clear() {
        let held = heldCount
        reset(slots: slotCount)
        heldCount = held
        arenaCount = held
    }

    /// Copies `record` to the start of the arena (right after `reset`), so that a value read from it is entered by
    /// its place (`appendHeld`) instead of copied on its own, and makes room for every other value the scan can
    /// copy out of it: unescaped values and lower-cased copies are each at most the record's length.
    /// At least `paddingBytes` more can be read past the record's copy (`RecordLayouts` reads whole words).
    func hold(record: UnsafeBufferPointer<UInt8>) {
        let count = record.count
        if 3 * count + Self.paddingBytes > arenaCapacity { growArena(toHold: 3 * count + Self.paddingBytes) }
        if let base = record.baseAddress { arena.update(from: base, count: count) }
        arenaCount = count
        heldCount = count
    }

    /// Makes room for every value a record of `recordLength` bytes can yield: values are pieces of the record
    /// (unescaping only shortens them) and each has at most one lower-cased copy of the same length.
    func reserve(recordLength: Int) {
        let needed = arenaCount + 2 * recordLength
        if needed > arenaCapacity { growArena(toHold: needed) }
    }

    /// The slots holding at least one value, in the order they were first filled.
    var filled: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: filledSlots, count: filledCount) }

    /// The bytes of the arena, valid until the next `reset`.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: arena, count: arenaCount) }

    /// The raw bytes of a value.
    @inline(__always) func raw(_ entry: Entry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena + Int(entry.start), count: Int(entry.length))
    }

    /// The lower-cased bytes of a value (its raw bytes when folding changes nothing or the slot is not folded).
    @inline(__always) func lower(_ entry: Entry) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena + Int(entry.lowerStart), count: Int(entry.length))
    }

    /// Appends a value for `slot`; `bytes` are already unescaped. Keeps a lower-cased copy when it differs and the
    /// slot is folded (otherwise `lowerStart` is `start`: nothing reads the folded form of such a slot).
    func append(slot: Int, kind: Kind, bytes: UnsafeBufferPointer<UInt8>) {
        let length = bytes.count
        // `hold(record:)` covers values scanned from the record; this covers any other caller.
        if arenaCount + 2 * length > arenaCapacity { growArena(toHold: arenaCount + 2 * length) }
        let start = arenaCount
        if let source = bytes.baseAddress { (arena + start).update(from: source, count: length) }
        arenaCount += length
        enter(slot: slot, kind: kind, start: start, length: length)
    }

    /// Appends for `slot` the value that is the `length` bytes at `start` of the record given to `hold(record:)`
    /// (not escaped, so its bytes are the value's): no copy.
    @inline(__always)
    func appendHeld(slot: Int, kind: Kind, start: Int, length: Int) {
        enter(slot: slot, kind: kind, start: start, length: length)
    }

    /// `appendHeld` for a record of at most `StructuralIndex.maximumBytes` bytes, so that every offset and length
    /// fits an `Int32` as it is: the scan along a record layout enters a dozen values per record through this.
    @inline(__always)
    func appendHeldFromShortRecord(slot: Int, kind: Kind, start: Int, length: Int) {
        var lowerStart = start
        if kind == .string && (slot >= foldCount || fold[slot]) { lowerStart = lowerCopy(start: start, length: length) }
        link(slot: slot, Entry(start: Int32(truncatingIfNeeded: start), length: Int32(truncatingIfNeeded: length),
                               lowerStart: Int32(truncatingIfNeeded: lowerStart), kind: kind, next: -1))
    }

    /// Enters the value whose raw bytes are at `start` of the arena, with a lower-cased copy when needed.
    @inline(__always)
    private func enter(slot: Int, kind: Kind, start: Int, length: Int) {
        var lowerStart = start
        if kind == .string && (slot >= foldCount || fold[slot]) { lowerStart = lowerCopy(start: start, length: length) }
        link(slot: slot, Entry(start: Int32(start), length: Int32(length), lowerStart: Int32(lowerStart), kind: kind,
                               next: -1))
    }

    /// Adds `entry` after the last value of `slot`.
    @inline(__always)
    private func link(slot: Int, _ entry: Entry) {
        if entryCount == entryCapacity { growEntries() }
        let index = Int32(truncatingIfNeeded: entryCount)
        (entries + entryCount).initialize(to: entry)
        entryCount &+= 1
        let tail = tails[slot]
        if tail >= 0 { entries[Int(tail)].next = index } else {
            heads[slot] = index
            filledSlots[filledCount] = Int32(truncatingIfNeeded: slot)
            filledCount &+= 1
        }
        tails[slot] = index
    }

    /// Where the lower-cased form of the `length` bytes at `start` of the arena begins: `start` itself when folding
    /// changes nothing, else a copy appended to the arena. Kept out of line: most values have no upper-case letter.
    @inline(never)
    private func lowerCopy(start: Int, length: Int) -> Int {
        let source = UnsafePointer(arena + start)
        // Whole words may be read (and written) past a value when the arena holds them.
        let wordsFit = start + length + 8 <= arenaCapacity && arenaCount + length + 8 <= arenaCapacity
        switch Self.foldNeeded(source, length, wholeWords: wordsFit) {
        case .none:
            return start
        case .ascii:
            let lowerStart = arenaCount
            Self.lowercaseASCII(source, length, into: arena + arenaCount, wholeWords: wordsFit)
            arenaCount += length
            return lowerStart
        case .unicode:
            foldScratch.removeAll(keepingCapacity: true)
            CaseFolding.lowercase(UnsafeBufferPointer(start: source, count: length), into: &foldScratch)
            // Unicode lower-casing can change the length; keep such values unfolded rather than misaligned.
            guard foldScratch.count == length else { return start }
            let lowerStart = arenaCount
            foldScratch.withUnsafeBufferPointer { folded in
                if let folded = folded.baseAddress { (arena + arenaCount).update(from: folded, count: length) }
            }
            arenaCount += length
            return lowerStart
        }
    }

    /// Whether the field has at least one value.
    @inline(__always) func isPresent(_ slot: Int) -> Bool { heads[slot] >= 0 }

    private enum Folding { case none, ascii, unicode }

    /// Whether lower-casing changes the `count` bytes at `base`: no (no upper-case letter), through the ASCII
    /// mapping, or through Unicode's (a byte above 0x7F), read a word at a time.
    @inline(__always)
    private static func foldNeeded(_ base: UnsafePointer<UInt8>, _ count: Int, wholeWords: Bool) -> Folding {
        let high: UInt64 = 0x8080_8080_8080_8080
        var upper: UInt64 = 0
        var i = 0
        while i + 8 <= count {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if word & high != 0 { return .unicode }
            upper |= upperFlags(word)
            i += 8
        }
        if i < count && wholeWords {
            // The tail as one word, the bytes past the value masked off.
            let keep = UInt64(littleEndian: UInt64.max &>> UInt64(truncatingIfNeeded: 64 &- 8 &* (count &- i)))
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & keep
            if word & high != 0 { return .unicode }
            upper |= upperFlags(word)
            i = count
        }
        while i < count {
            let byte = base[i]
            if byte >= 0x80 { return .unicode }
            if byte &- UInt8(ascii: "A") < 26 { upper = 1 }
            i += 1
        }
        return upper != 0 ? .ascii : .none
    }

    /// The high bit of every byte of `word` that is an ASCII upper-case letter (bytes are independent: no carry
    /// crosses a byte, since each sum stays below 0x100).
    @inline(__always)
    private static func upperFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = word & (ones &* 0x7F)
        let atLeastA = low7 &+ (ones &* (0x80 - 0x41))
        let pastZ = low7 &+ (ones &* (0x80 - 0x5B))
        return atLeastA & ~pastZ & ~word & (ones &* 0x80)
    }

    /// Writes the ASCII lower-case form of the `count` ASCII bytes at `source` to `target`, a word at a time (the
    /// tail too, when whole words may be read and written past both).
    @inline(__always)
    private static func lowercaseASCII(_ source: UnsafePointer<UInt8>, _ count: Int, into target: UnsafeMutablePointer<UInt8>,
                                       wholeWords: Bool) {
        var i = 0
        let end = wholeWords ? count : count & ~7
        while i < end {
            let word = UnsafeRawPointer(source + i).loadUnaligned(as: UInt64.self)
            // An upper-case letter's flag (0x80) shifted down two bits is the 0x20 that lower-cases it.
            UnsafeMutableRawPointer(target + i).storeBytes(of: word | (upperFlags(word) >> 2), as: UInt64.self)
            i += 8
        }
        while i < count {
            let byte = source[i]
            target[i] = byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
            i += 1
        }
    }

    private func growArena(toHold needed: Int) {
        let capacity = max(needed, arenaCapacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        grown.update(from: arena, count: arenaCount)
        arena.deallocate()
        arena = grown
        arenaCapacity = capacity
    }

    private func growEntries() {
        let capacity = entryCapacity * 2
        let grown = UnsafeMutablePointer<Entry>.allocate(capacity: capacity)
        grown.moveInitialize(from: entries, count: entryCount)
        entries.deallocate()
        entries = grown
        entryCapacity = capacity
    }
}

/// The values of the fields a dataset's rules read, for the record being evaluated: a flat arena of bytes and a
/// linked list of values per field slot (a list field contributes one value per element).
///
/// All storage is reused from record to record; nothing is allocated per record once capacities have grown.
struct RecordValues {
    /// Kind of a JSON scalar.
    enum Kind: UInt8 { case string, number, bool }

    struct Entry {
        var start: Int32
        var length: Int32
        var lowerStart: Int32
        var kind: Kind
        var next: Int32
    }

    var arena: [UInt8] = []
    var entries: [Entry] = []
    var heads: [Int32] = []
    var tails: [Int32] = []
    /// The slots that hold at least one value, in the order they were first filled: resetting and visiting the
    /// present fields costs what the record holds, not what the rules read.
    var filled: [Int32] = []
    /// Per slot, whether a case-insensitive test reads it (only then is a lower-cased copy kept); every slot
    /// until `foldOnly(_:)` says otherwise.
    private var fold: [Bool] = []

    /// Keeps lower-cased copies only for the slots flagged in `slots` (those a case-insensitive test reads).
    mutating func foldOnly(_ slots: [Bool]) { fold = slots }

    /// Clears the values for `slots` field slots.
    mutating func reset(slots: Int) {
        arena.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        if heads.count != slots {
            heads = Array(repeating: -1, count: slots)
            tails = Array(repeating: -1, count: slots)
        } else {
            for slot in filled { heads[Int(slot)] = -1; tails[Int(slot)] = -1 }
        }
        filled.removeAll(keepingCapacity: true)
    }

    /// Appends a value for `slot`; `bytes` are already unescaped. Keeps a lower-cased copy when it differs and the
    /// slot is folded (otherwise `lowerStart` is `start`: nothing reads the folded form of such a slot).
    mutating func append(slot: Int, kind: Kind, bytes: UnsafeBufferPointer<UInt8>) {
        let start = Int32(arena.count)
        arena.append(contentsOf: bytes)
        var lowerStart = start
        if kind == .string && (slot >= fold.count || fold[slot]) {
            var needsFolding = false
            for byte in bytes where byte &- UInt8(ascii: "A") < 26 || byte >= 0x80 { needsFolding = true; break }
            if needsFolding {
                lowerStart = Int32(arena.count)
                let before = arena.count
                CaseFolding.lowercase(bytes, into: &arena)
                // Unicode lower-casing can change the length; keep such values unfolded rather than misaligned.
                if arena.count - before != bytes.count {
                    arena.removeSubrange(before...)
                    lowerStart = start
                }
            }
        }
        let index = Int32(entries.count)
        entries.append(Entry(start: start, length: Int32(bytes.count), lowerStart: lowerStart, kind: kind, next: -1))
        if tails[slot] >= 0 { entries[Int(tails[slot])].next = index } else {
            heads[slot] = index
            filled.append(Int32(slot))
        }
        tails[slot] = index
    }

    /// Whether the field has at least one value.
    @inline(__always) func isPresent(_ slot: Int) -> Bool { heads[slot] >= 0 }
}

import Glibc

/// For one field slot, the indexed atoms that recently seen values fired: a value seen again replays its atoms
/// instead of running the slot's exact, prefix, suffix and substring indexes over its bytes once more.
///
/// Network records repeat their values (a few user agents, methods, server names and URLs make most of the
/// traffic), and a slot read by substring or suffix tests costs a table step per byte of each value, twice when
/// rules test it in both case forms. The memo is direct-mapped and bounded: a colliding value replaces the older
/// one, and when its byte or atom storage fills, it starts empty again. Hostile values therefore cost at most a
/// miss each and never grow it. A slot whose values rarely repeat (fewer than a quarter hits over a sample of
/// lookups) stops using it for a while and samples again later. One memo belongs to one engine.
final class IndexedValueMemo {
    /// Values longer than this are not remembered (rare, and the most likely to be unique).
    static let longestKey = 512
    private static let slotCount = 1024
    private static let keyCapacity = 64 * 1024
    private static let atomCapacity = 16 * 1024
    /// Lookups per sample of the hit rate, and the lookups skipped after a poor sample.
    private static let sample = 4096
    private static let pause = 15 * 4096

    /// Per entry: the key's hash (0: empty), where its bytes and its atoms are.
    private let hashes: UnsafeMutablePointer<UInt64>
    private let keyStart: UnsafeMutablePointer<Int32>
    private let keyLength: UnsafeMutablePointer<Int32>
    private let atomStart: UnsafeMutablePointer<Int32>
    private let atomCount: UnsafeMutablePointer<Int32>
    private let keys: UnsafeMutablePointer<UInt8>
    private var keysUsed = 0
    private let atoms: UnsafeMutablePointer<Int32>
    private var atomsUsed = 0
    /// The atoms fired by the value being looked up after a miss.
    private var recording: UnsafeMutablePointer<Int32>
    private var recordingCapacity = 64
    private(set) var recordedCount = 0

    private var lookups = 0
    private var hits = 0
    private var paused = 0

    init() {
        hashes = .allocate(capacity: Self.slotCount)
        hashes.initialize(repeating: 0, count: Self.slotCount)
        keyStart = .allocate(capacity: Self.slotCount)
        keyLength = .allocate(capacity: Self.slotCount)
        atomStart = .allocate(capacity: Self.slotCount)
        atomCount = .allocate(capacity: Self.slotCount)
        keys = .allocate(capacity: Self.keyCapacity)
        atoms = .allocate(capacity: Self.atomCapacity)
        recording = .allocate(capacity: recordingCapacity)
    }

    deinit {
        hashes.deallocate()
        keyStart.deallocate()
        keyLength.deallocate()
        atomStart.deallocate()
        atomCount.deallocate()
        keys.deallocate()
        atoms.deallocate()
        recording.deallocate()
    }

    /// Whether the memo is worth consulting for the next value (counts the lookup).
    @inline(__always)
    func shouldLookUp(_ count: Int) -> Bool {
        if paused > 0 {
            paused -= 1
            return false
        }
        return count <= Self.longestKey
    }

    /// The atoms remembered for the `count` bytes at `base` (hashed to `hash`), or nil after a miss.
    @inline(__always)
    func atoms(for base: UnsafePointer<UInt8>, _ count: Int, hash: UInt64) -> UnsafeBufferPointer<Int32>? {
        lookups += 1
        if lookups == Self.sample { resample() }
        let entry = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        guard hashes[entry] == hash, Int(keyLength[entry]) == count,
              memcmp(keys + Int(keyStart[entry]), base, count) == 0 else { return nil }
        hits += 1
        return UnsafeBufferPointer(start: atoms + Int(atomStart[entry]), count: Int(atomCount[entry]))
    }

    /// Starts recording the atoms of a value that missed.
    @inline(__always)
    func beginRecording() { recordedCount = 0 }

    /// Records one atom the value fired.
    @inline(__always)
    func record(_ atom: Int32) {
        if recordedCount == recordingCapacity {
            let grown = UnsafeMutablePointer<Int32>.allocate(capacity: recordingCapacity * 2)
            grown.initialize(from: recording, count: recordedCount)
            recording.deallocate()
            recording = grown
            recordingCapacity *= 2
        }
        recording[recordedCount] = atom
        recordedCount += 1
    }

    /// Remembers the recorded atoms for the value.
    func remember(_ base: UnsafePointer<UInt8>, _ count: Int, hash: UInt64) {
        guard count <= Self.longestKey, recordedCount <= Self.atomCapacity else { return }
        if keysUsed + count > Self.keyCapacity || atomsUsed + recordedCount > Self.atomCapacity { clear() }
        let entry = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
        hashes[entry] = hash
        keyStart[entry] = Int32(keysUsed)
        keyLength[entry] = Int32(count)
        (keys + keysUsed).update(from: base, count: count)
        keysUsed += count
        atomStart[entry] = Int32(atomsUsed)
        atomCount[entry] = Int32(recordedCount)
        (atoms + atomsUsed).update(from: recording, count: recordedCount)
        atomsUsed += recordedCount
    }

    private func clear() {
        hashes.update(repeating: 0, count: Self.slotCount)
        keysUsed = 0
        atomsUsed = 0
    }

    private func resample() {
        if hits * 4 < lookups {
            paused = Self.pause
            clear()
        }
        lookups = 0
        hits = 0
    }

    /// A hash of the bytes, a word at a time; never 0 (the empty entry's mark). The bytes after the last whole word
    /// are read in one or two loads that may overlap bytes already hashed (the last eight bytes, two overlapping
    /// halves, or the first, middle and last byte), never past the end: values are short, and a step per byte of the
    /// tail cost more than the words.
    @inline(__always)
    static func hash(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        let raw = UnsafeRawPointer(base)
        var h = UInt64(truncatingIfNeeded: count) &* k
        var i = 0
        while i &+ 8 <= count {
            h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* k
            h ^= h &>> 29
            i &+= 8
        }
        let rest = count &- i
        if rest > 0 {
            let tail: UInt64
            if count >= 8 {
                tail = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self))
            } else if rest >= 4 {
                let low = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                let high = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self))
                tail = UInt64(low) | UInt64(high) &<< 32
            } else {
                tail = UInt64(base[i]) | UInt64(base[i &+ rest &>> 1]) &<< 8 | UInt64(base[count &- 1]) &<< 16
            }
            h = (h ^ tail) &* k
        }
        h ^= h &>> 32
        return h == 0 ? 1 : h
    }
}

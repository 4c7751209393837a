import HydrantRecords

/// Everything the enricher looks up for one address: its GeoIP members, asset, home-network side and intel
/// listings, so that an address seen again costs one cache probe instead of a parse and five table searches.
struct EndpointAnswer {
    /// The address.
    var address: IPAddress
    /// Where its encoded GeoIP members lie in the enricher's GeoIP arena; `geoEnd < 0` when there are none to
    /// write (no databases, or a reserved address).
    var geoStart: Int32 = 0
    var geoEnd: Int32 = -1
    /// The index of its asset's member, or -1.
    var asset: Int32 = -1
    /// Whether it is in a home network (false when none are configured).
    var isHome = false
    /// Whether its exact address is listed, by which feed first, and how many times.
    var exactFeed: UInt16 = 0
    var exactCount: Int32 = 0
    /// The most specific listed block holding it (an index into the intel's v4 or v6 blocks), or -1.
    var block: Int32 = -1
    var blockIsV6 = false

    /// The GeoIP members' range in the arena, or nil.
    @inline(__always)
    var geo: Range<Int>? { geoEnd < 0 ? nil : Int(geoStart)..<Int(geoEnd) }
}

/// Answers by the address's spelling in the record (up to 16 bytes, every IPv4 address and short IPv6 ones), in a
/// direct-mapped table: a spelling has one slot, found by a hash of its bytes, and a newer spelling with the same
/// slot replaces it. A hit skips parsing the address too.
///
/// The spellings are kept apart from the answers, 16 bytes a slot in 64 KiB, so that a probe for an address seen
/// for the first time (most inside addresses: they rarely repeat) reads one small line of a table that mostly
/// stays in the first-level cache, instead of a 72-byte slot out of 288 KiB; the answers are read on hits only.
/// A `final class` over manually allocated storage: one enricher (one task) owns it.
final class EndpointCache {
    /// A spelling as two little-endian words, zero past its length.
    struct Spelling {
        var low: UInt64
        var high: UInt64
    }

    static let slotBits = 12
    static let slotCount = 1 << slotBits
    /// The longest spelling the cache keeps.
    static let longestKey = 16

    private let spellings: UnsafeMutablePointer<Spelling>
    /// Each slot's spelling length, 0xFF when the slot is empty.
    private let lengths: UnsafeMutablePointer<UInt8>
    private let answers: UnsafeMutablePointer<EndpointAnswer>

    init() {
        spellings = .allocate(capacity: Self.slotCount)
        spellings.initialize(repeating: Spelling(low: 0, high: 0), count: Self.slotCount)
        lengths = .allocate(capacity: Self.slotCount)
        lengths.initialize(repeating: 0xFF, count: Self.slotCount)
        answers = .allocate(capacity: Self.slotCount)
        answers.initialize(repeating: EndpointAnswer(address: IPAddress(ipv4: 0)), count: Self.slotCount)
    }

    deinit {
        spellings.deallocate()
        lengths.deallocate()
        answers.deallocate()
    }

    /// Forgets every answer (their GeoIP ranges or tables are gone).
    func removeAll() {
        lengths.update(repeating: 0xFF, count: Self.slotCount)
    }

    /// The key of the spelling at `range` of `record`: its bytes as two words and the slot they hash to; nil when
    /// it is too long to keep.
    @inline(__always)
    static func key(_ record: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> (low: UInt64, high: UInt64, slot: Int)? {
        let length = range.count
        guard length <= longestKey, let base = record.baseAddress else { return nil }
        var low: UInt64 = 0
        var high: UInt64 = 0
        if range.lowerBound + 16 <= record.count {
            // Two loads, then the bytes past the spelling masked off.
            let start = UnsafeRawPointer(base + range.lowerBound)
            low = UInt64(littleEndian: start.loadUnaligned(as: UInt64.self))
            high = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if length < 8 {
                low &= (1 &<< UInt64(length &* 8)) &- 1
                high = 0
            } else if length < 16 {
                high &= (1 &<< UInt64((length &- 8) &* 8)) &- 1
            }
        } else {
            var offset = 0
            while offset < length {
                let byte = UInt64(base[range.lowerBound + offset])
                if offset < 8 { low |= byte << UInt64(offset * 8) } else { high |= byte << UInt64((offset - 8) * 8) }
                offset += 1
            }
        }
        let mixed = (low &* 0x9E37_79B9_7F4A_7C15 ^ high &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        return (low, high, Int(truncatingIfNeeded: mixed >> UInt64(64 - slotBits)))
    }

    /// The answer remembered for a key, or nil.
    @inline(__always)
    func answer(_ key: (low: UInt64, high: UInt64, slot: Int), length: Int) -> EndpointAnswer? {
        let slot = key.slot & (Self.slotCount - 1)
        let spelling = spellings[slot]
        guard Int(lengths[slot]) == length, spelling.low == key.low, spelling.high == key.high else { return nil }
        return answers[slot]
    }

    /// Remembers `answer` for a key.
    @inline(__always)
    func remember(_ answer: EndpointAnswer, for key: (low: UInt64, high: UInt64, slot: Int), length: Int) {
        let slot = key.slot & (Self.slotCount - 1)
        spellings[slot] = Spelling(low: key.low, high: key.high)
        lengths[slot] = UInt8(truncatingIfNeeded: length)
        answers[slot] = answer
    }
}

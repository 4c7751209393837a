#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Bit masks of where a record's quotes and brackets are, one bit per byte, built in one pass sixteen bytes at a
/// time, so that the record walker finds the end of a string or the next bracket with a bit search instead of a
/// scan of its bytes.
///
/// The masks are only right for a record with no backslash and no control byte inside a string (no escapes, so
/// every quote opens or closes a string): `build` says whether the record is one. Records that are not, or are
/// longer than `maximumBytes`, are walked byte by byte; a walker must accept and reject the same records either
/// way. The enricher and the rule engine's scanner use it. One index belongs to one task at a time and is rebuilt
/// for each record.
public final class StructuralIndex {
    /// Records longer than this are walked without an index, so the masks take a fixed 12 KiB.
    public static let maximumBytes = 32 << 10
    static let maximumBlocks = maximumBytes / 64

    /// Quote bits, then bracket bits (`{`, `}`, `[`, `]`), `maximumBlocks` words each.
    private let storage: UnsafeMutablePointer<UInt64>
    /// Bits of backslashes and bytes below 0x20, which decide whether the masks can be used.
    private let specials: UnsafeMutablePointer<UInt64>

    /// An index with room for records of up to `maximumBytes`.
    public init() {
        storage = .allocate(capacity: 2 * Self.maximumBlocks)
        storage.initialize(repeating: 0, count: 2 * Self.maximumBlocks)
        specials = .allocate(capacity: Self.maximumBlocks)
        specials.initialize(repeating: 0, count: Self.maximumBlocks)
    }

    deinit {
        storage.deallocate()
        specials.deallocate()
    }

    /// Indexes `record` and returns its masks, or nil when it must be walked byte by byte: too long, or holding a
    /// backslash, a control byte other than tab, line feed or carriage return, or one of those three inside a
    /// string.
    public func build(_ record: UnsafeBufferPointer<UInt8>) -> StructuralMasks? {
        build(record, classify: Self.classify64)
    }

    /// `build` without the bracket bits (all zero in the result), for walkers that only look for string ends: about
    /// a third less work per block.
    public func buildQuotes(_ record: UnsafeBufferPointer<UInt8>) -> StructuralMasks? {
        build(record) { base in
            let bits = Self.classify64(base)
            return (bits.quotes, 0, bits.specials)
        }
    }

    @inline(__always)
    private func build(_ record: UnsafeBufferPointer<UInt8>,
                       classify: (UnsafePointer<UInt8>) -> (quotes: UInt64, brackets: UInt64, specials: UInt64))
        -> StructuralMasks? {
        let count = record.count
        guard count <= Self.maximumBytes, let base = record.baseAddress else { return nil }
        let blocks = (count + 63) >> 6
        let quotes = storage
        let brackets = storage + Self.maximumBlocks
        var anySpecial: UInt64 = 0
        var block = 0
        while block < blocks {
            let start = block << 6
            var masks: (quotes: UInt64, brackets: UInt64, specials: UInt64) = (0, 0, 0)
            if start + 64 <= count {
                masks = classify(base + start)
            } else if count >= 64 {
                // The last, partial block of a longer record: the 64 bytes ending with the record, shifted down past
                // the bytes the previous block already covered.
                let tail = classify(base + (count - 64))
                let shift = UInt64(64 - (count - start))
                masks = (tail.quotes >> shift, tail.brackets >> shift, tail.specials >> shift)
            } else {
                // A record shorter than a block: copied into a zeroed one, and the bits past the record cleared
                // (the padding zeros would count as control bytes).
                masks = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { padded in
                    guard let target = padded.baseAddress else { return (0, 0, 0) }
                    target.initialize(repeating: 0, count: 64)
                    target.update(from: base + start, count: count - start)
                    return classify(UnsafePointer(target))
                }
                let valid: UInt64 = (1 << UInt64(count - start)) - 1
                masks.quotes &= valid
                masks.brackets &= valid
                masks.specials &= valid
            }
            quotes[block] = masks.quotes
            brackets[block] = masks.brackets
            specials[block] = masks.specials
            anySpecial |= masks.specials
            block += 1
        }
        if anySpecial != 0, !onlyWhitespaceOutsideStrings(record, blocks: blocks) { return nil }
        return StructuralMasks(quotes: UnsafePointer(quotes), brackets: UnsafePointer(brackets), count: count)
    }

    /// Whether every special byte is a tab, line feed or carriage return outside a string (an even number of
    /// quotes before it); the rare path, for records with surrounding or pretty-printing whitespace.
    private func onlyWhitespaceOutsideStrings(_ record: UnsafeBufferPointer<UInt8>, blocks: Int) -> Bool {
        var quotesBefore = 0
        for block in 0..<blocks {
            var special = specials[block]
            let quotes = storage[block]
            while special != 0 {
                let bit = special.trailingZeroBitCount
                let byte = record[block << 6 + bit]
                guard byte == 0x09 || byte == 0x0A || byte == 0x0D else { return false }
                let below: UInt64 = bit == 0 ? 0 : (quotes & ((1 << UInt64(bit)) - 1))
                guard (quotesBefore + below.nonzeroBitCount) & 1 == 0 else { return false }
                special &= special - 1
            }
            quotesBefore += quotes.nonzeroBitCount
        }
        return true
    }

    /// The quote, bracket and special (backslash or below 0x20) bits of the 64 bytes at `base`.
    @inline(__always)
    static func classify64(_ base: UnsafePointer<UInt8>) -> (quotes: UInt64, brackets: UInt64, specials: UInt64) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return classify64SSE2(base)
        #else
        return classify64Words(base)
        #endif
    }

    #if arch(x86_64) && canImport(_Builtin_intrinsics)
    /// `classify64` with SSE2 (every x86-64 processor has it): compare sixteen bytes at once and gather the
    /// results' top bits.
    @inline(__always)
    static func classify64SSE2(_ base: UnsafePointer<UInt8>) -> (quotes: UInt64, brackets: UInt64, specials: UInt64) {
        let quote = _mm_set1_epi8(0x22)
        let open = _mm_set1_epi8(0x7B)
        let close = _mm_set1_epi8(0x7D)
        let fold = _mm_set1_epi8(0x20)
        let backslash = _mm_set1_epi8(0x5C)
        let control = _mm_set1_epi8(0x1F)
        var quotes: UInt64 = 0
        var brackets: UInt64 = 0
        var specials: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        for lane in 0..<4 {
            let bytes = _mm_loadu_si128(raw.advanced(by: lane << 4).assumingMemoryBound(to: __m128i.self))
            // Setting bit 5 folds `[` onto `{` and `]` onto `}`; no other byte folds onto either.
            let folded = _mm_or_si128(bytes, fold)
            let isQuote = _mm_cmpeq_epi8(bytes, quote)
            let isBracket = _mm_or_si128(_mm_cmpeq_epi8(folded, open), _mm_cmpeq_epi8(folded, close))
            // A byte is at most 0x1F exactly when the unsigned maximum of it and 0x1F is 0x1F.
            let isSpecial = _mm_or_si128(_mm_cmpeq_epi8(bytes, backslash),
                                         _mm_cmpeq_epi8(_mm_max_epu8(bytes, control), control))
            let shift = UInt64(lane << 4)
            quotes |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isQuote))) << shift
            brackets |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isBracket))) << shift
            specials |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isSpecial))) << shift
        }
        return (quotes, brackets, specials)
    }
    #endif

    /// `classify64` eight bytes at a time in general-purpose registers, for processors without SSE2 (and to check
    /// the SSE2 version against).
    @inline(__always)
    static func classify64Words(_ base: UnsafePointer<UInt8>) -> (quotes: UInt64, brackets: UInt64, specials: UInt64) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var quotes: UInt64 = 0
        var brackets: UInt64 = 0
        var specials: UInt64 = 0
        let raw = UnsafeRawPointer(base)
        for word in 0..<8 {
            let bytes = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: word << 3, as: UInt64.self))
            let folded = bytes | (ones &* 0x20)
            let isQuote = zeroBytes(bytes ^ (ones &* 0x22))
            let isBracket = zeroBytes(folded ^ (ones &* 0x7B)) | zeroBytes(folded ^ (ones &* 0x7D))
            // Bytes below 0x20: adding 0x60 to the low seven bits reaches the top bit from 0x20 up, and bytes with
            // the top bit set are not below 0x20 either.
            let low = ~(((bytes & (ones &* 0x7F)) &+ (ones &* 0x60)) | bytes) & (ones &* 0x80)
            let isSpecial = zeroBytes(bytes ^ (ones &* 0x5C)) | low
            let shift = UInt64(word << 3)
            quotes |= gather(isQuote) << shift
            brackets |= gather(isBracket) << shift
            specials |= gather(isSpecial) << shift
        }
        return (quotes, brackets, specials)
    }

    /// The top bit of each byte of `word` that is zero, and no other bit (exact: no borrow crosses bytes).
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((word & low7) &+ low7) | word | low7)
    }

    /// The top bits of the eight bytes of `flags` (which has no other bits set) as eight bits, byte 0 lowest.
    @inline(__always)
    static func gather(_ flags: UInt64) -> UInt64 {
        ((flags >> 7) &* 0x0102_0408_1020_4080) >> 56
    }
}

/// A record's quote and bracket bits from `StructuralIndex.build`, valid until the index is built again.
public struct StructuralMasks {
    /// One bit per byte of the record: set at every quote.
    public let quotes: UnsafePointer<UInt64>
    /// One bit per byte of the record: set at every `{`, `}`, `[` and `]` (none when built by `buildQuotes`).
    public let brackets: UnsafePointer<UInt64>
    /// The record's length: no bit is set at or past it.
    public let count: Int
    /// The number of 64-bit words of each mask.
    public let blocks: Int

    init(quotes: UnsafePointer<UInt64>, brackets: UnsafePointer<UInt64>, count: Int) {
        self.quotes = quotes
        self.brackets = brackets
        self.count = count
        blocks = (count + 63) >> 6
    }

    // The searches below run for every string of a record, so they use wrapping arithmetic and masking shifts
    // (`start` is checked to be in `0..<count`, and `count` is at most `StructuralIndex.maximumBytes`): a plain `<<`
    // by a variable amount compiles to a range check and two shifts.

    /// The first quote at or after `start`, or `count` when there is none.
    @inlinable
    public func nextQuote(from start: Int) -> Int {
        guard UInt(bitPattern: start) < UInt(bitPattern: count) else { return count }
        var block = start &>> 6
        var word = quotes[block] & (UInt64.max &<< UInt64(truncatingIfNeeded: start))
        while word == 0 {
            block &+= 1
            guard block < blocks else { return count }
            word = quotes[block]
        }
        return block &<< 6 | word.trailingZeroBitCount
    }

    /// The first quote or bracket at or after `start`, or `count` when there is none.
    @inlinable
    public func nextStructural(from start: Int) -> Int {
        guard UInt(bitPattern: start) < UInt(bitPattern: count) else { return count }
        var block = start &>> 6
        var word = (quotes[block] | brackets[block]) & (UInt64.max &<< UInt64(truncatingIfNeeded: start))
        while word == 0 {
            block &+= 1
            guard block < blocks else { return count }
            word = quotes[block] | brackets[block]
        }
        return block &<< 6 | word.trailingZeroBitCount
    }
}

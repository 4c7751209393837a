#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel
#endif

/// Where the bytes a compact record's grammar is made of lie among 64 consecutive bytes, one bit per byte (bit `i`
/// for byte `i`), so that `BulkRecordReader` checks a record with bit operations over whole words instead of token
/// by token. Built sixteen bytes at a time with SSE2 where there is SSE2.
struct TokenMasks: Equatable {
    /// `"`.
    var quotes: UInt64 = 0
    /// `{` and `}`; `[` and `]` are not here, so a record with arrays is left to the member walk.
    var braces: UInt64 = 0
    /// `:`.
    var colons: UInt64 = 0
    /// `,`.
    var commas: UInt64 = 0
    /// The bytes a number may hold, the loose set `RecordWalker.skipValue` accepts: `0-9 . e E + -`.
    var numberBytes: UInt64 = 0
    /// Nonzero when one of the bytes is a backslash or below 0x20 (escapes and control bytes: the record is then
    /// not checked in bulk). Not a position mask: with SSE2 it is the sixteen-byte lanes' flags or-ed together.
    var specials: UInt64 = 0

    /// The masks of the 64 bytes at `base`.
    @inline(__always)
    static func classify(_ base: UnsafePointer<UInt8>) -> TokenMasks {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        return classifySSE2(base)
        #else
        return classifyBytes(base)
        #endif
    }

    #if arch(x86_64) && canImport(_Builtin_intrinsics)
    /// `classify` with SSE2 (every x86-64 processor has it): sixteen compares at once, the results' top bits
    /// gathered with `movemask`.
    @inline(__always)
    static func classifySSE2(_ base: UnsafePointer<UInt8>) -> TokenMasks {
        let quote = _mm_set1_epi8(0x22)
        let open = _mm_set1_epi8(0x7B)
        let close = _mm_set1_epi8(0x7D)
        let colon = _mm_set1_epi8(0x3A)
        let comma = _mm_set1_epi8(0x2C)
        let slash = _mm_set1_epi8(0x2F)
        let plus = _mm_set1_epi8(0x2B)
        let fourteen = _mm_set1_epi8(14)
        let fold = _mm_set1_epi8(0x20)
        let lowerE = _mm_set1_epi8(0x65)
        let backslash = _mm_set1_epi8(0x5C)
        let control = _mm_set1_epi8(0x1F)
        var masks = TokenMasks()
        var special = _mm_setzero_si128()
        let raw = UnsafeRawPointer(base)
        for lane in 0..<4 {
            let bytes = _mm_loadu_si128(raw.advanced(by: lane << 4).assumingMemoryBound(to: __m128i.self))
            let isQuote = _mm_cmpeq_epi8(bytes, quote)
            let isBrace = _mm_or_si128(_mm_cmpeq_epi8(bytes, open), _mm_cmpeq_epi8(bytes, close))
            let isColon = _mm_cmpeq_epi8(bytes, colon)
            let isComma = _mm_cmpeq_epi8(bytes, comma)
            // `+` (0x2B) to `9` (0x39) is a wrapped difference from 0x2B of at most 14; `,` and `/` lie in between
            // and are not number bytes. Setting bit 5 folds `E` onto `e`, and nothing else onto it.
            let offset = _mm_sub_epi8(bytes, plus)
            let inRange = _mm_cmpeq_epi8(_mm_min_epu8(offset, fourteen), offset)
            let isE = _mm_cmpeq_epi8(_mm_or_si128(bytes, fold), lowerE)
            let isNumber = _mm_or_si128(_mm_andnot_si128(_mm_or_si128(isComma, _mm_cmpeq_epi8(bytes, slash)), inRange),
                                        isE)
            // A byte is at most 0x1F exactly when the unsigned maximum of it and 0x1F is 0x1F.
            special = _mm_or_si128(special, _mm_or_si128(_mm_cmpeq_epi8(bytes, backslash),
                                                         _mm_cmpeq_epi8(_mm_max_epu8(bytes, control), control)))
            let shift = UInt64(lane << 4)
            masks.quotes |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isQuote))) << shift
            masks.braces |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isBrace))) << shift
            masks.colons |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isColon))) << shift
            masks.commas |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isComma))) << shift
            masks.numberBytes |= UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(isNumber))) << shift
        }
        masks.specials = UInt64(UInt16(truncatingIfNeeded: _mm_movemask_epi8(special)))
        return masks
    }
    #endif

    /// `classify` byte by byte: for processors without SSE2, and the reference the SSE2 version is tested against
    /// (its `specials` is a position mask, so compare it for being zero only).
    static func classifyBytes(_ base: UnsafePointer<UInt8>) -> TokenMasks {
        var masks = TokenMasks()
        for index in 0..<64 {
            let byte = base[index]
            let bit: UInt64 = 1 << UInt64(index)
            switch byte {
            case UInt8(ascii: "\""): masks.quotes |= bit
            case UInt8(ascii: "{"), UInt8(ascii: "}"): masks.braces |= bit
            case UInt8(ascii: ":"): masks.colons |= bit
            case UInt8(ascii: ","): masks.commas |= bit
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                 UInt8(ascii: "+"), UInt8(ascii: "-"):
                masks.numberBytes |= bit
            case UInt8(ascii: "\\"), 0...0x1F: masks.specials |= bit
            default: break
            }
        }
        return masks
    }

    /// The masks moved down by `shift` bits (0 to 63), for a last block read as the 64 bytes ending the record;
    /// `specials` stays, as it covers bytes of the record either way.
    @inline(__always)
    func shiftedDown(by shift: Int) -> TokenMasks {
        let amount = UInt64(truncatingIfNeeded: shift)
        return TokenMasks(quotes: quotes &>> amount, braces: braces &>> amount, colons: colons &>> amount,
                          commas: commas &>> amount, numberBytes: numberBytes &>> amount, specials: specials)
    }
}

/// Bit masks of where a JSON document's tokens are — every quote, and every `{`, `}`, `[`, `]`, `:` and `,` outside
/// a string — one bit per byte, built in one pass sixteen bytes at a time, so that a validating walk steps from
/// token to token with bit searches instead of reading every byte (`JSONScanner.find` with an index).
///
/// Which quotes open a string is known from the parity of the quotes before them, so brackets and punctuation inside
/// strings are left out. That is only right when no string holds a backslash: `build` returns nil for a document
/// with a backslash, a control byte inside a string, a control byte other than tab, line feed or carriage return
/// anywhere, or more than `maximumBytes` bytes, and the caller walks it byte by byte instead. Both walks must
/// accept and reject the same documents and find the same values. One index belongs to one task at a time and is
/// rebuilt for each document.
public final class JSONTokenIndex {
    /// Documents longer than this are walked without an index, so the mask takes a fixed 4 KiB.
    public static let maximumBytes = 32 << 10
    static let maximumBlocks = maximumBytes / 64

    private let tokens: UnsafeMutablePointer<UInt64>

    /// An index with room for documents of up to `maximumBytes`.
    public init() {
        tokens = .allocate(capacity: Self.maximumBlocks)
        tokens.initialize(repeating: 0, count: Self.maximumBlocks)
    }

    deinit {
        tokens.deallocate()
    }

    /// Indexes `document` and returns its token mask, or nil when it must be walked byte by byte (see the type).
    public func build(_ document: UnsafeBufferPointer<UInt8>) -> JSONTokenMasks? {
        let count = document.count
        guard count <= Self.maximumBytes, let base = document.baseAddress else { return nil }
        let blocks = (count + 63) >> 6
        // All ones while the previous block ended inside a string.
        var carry: UInt64 = 0
        var block = 0
        while block < blocks {
            let start = block << 6
            var masks: (quotes: UInt64, operators: UInt64, specials: UInt64)
            if start + 64 <= count {
                masks = Self.tokenBits(base + start)
            } else if count >= 64 {
                // The last, partial block of a longer document: the 64 bytes ending with it, shifted down past the
                // bytes the previous block already covered.
                let tail = Self.tokenBits(base + (count - 64))
                let shift = UInt64(64 - (count - start))
                masks = (tail.quotes >> shift, tail.operators >> shift, tail.specials >> shift)
            } else {
                // A document shorter than a block: copied into a zeroed one, and the bits past it cleared (the padding
                // zeros would count as control bytes).
                masks = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { padded in
                    guard let target = padded.baseAddress else { return (0, 0, 0) }
                    target.initialize(repeating: 0, count: 64)
                    target.update(from: base + start, count: count - start)
                    return Self.tokenBits(UnsafePointer(target))
                }
                let valid: UInt64 = (1 << UInt64(count - start)) - 1
                masks.quotes &= valid
                masks.operators &= valid
                masks.specials &= valid
            }
            // Bit i of the prefix parity is set when an odd number of quotes are at or before byte i: from an opening
            // quote up to the byte before its closing one.
            var inside = masks.quotes
            inside ^= inside &<< 1
            inside ^= inside &<< 2
            inside ^= inside &<< 4
            inside ^= inside &<< 8
            inside ^= inside &<< 16
            inside ^= inside &<< 32
            inside ^= carry
            carry = UInt64(bitPattern: Int64(bitPattern: inside) &>> 63)
            if masks.specials != 0 {
                guard masks.specials & inside == 0 else { return nil }
                var special = masks.specials
                while special != 0 {
                    let byte = base[start + special.trailingZeroBitCount]
                    guard byte == 0x09 || byte == 0x0A || byte == 0x0D else { return nil }
                    special &= special &- 1
                }
            }
            tokens[block] = (masks.operators & ~inside) | masks.quotes
            block += 1
        }
        return JSONTokenMasks(tokens: UnsafePointer(tokens), count: count)
    }

    /// The quote, operator (bracket, colon, comma) and special (backslash or below 0x20) bits of the 64 bytes at
    /// `base`.
    @inline(__always)
    static func tokenBits(_ base: UnsafePointer<UInt8>) -> (quotes: UInt64, operators: UInt64, specials: UInt64) {
        let bits = StructuralIndex.classify64(base)
        return (bits.quotes, bits.brackets | bits.separators, bits.specials)
    }
}

/// A document's token bits from `JSONTokenIndex.build`, valid until the index is built again.
public struct JSONTokenMasks {
    /// One bit per byte of the document: set at every quote and at every bracket, colon and comma outside a string.
    public let tokens: UnsafePointer<UInt64>
    /// The document's length: no bit is set at or past it.
    public let count: Int
    /// The number of 64-bit words of the mask.
    public var blocks: Int { (count + 63) >> 6 }
}

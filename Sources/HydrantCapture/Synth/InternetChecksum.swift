/// The RFC 1071 Internet checksum: a one's-complement sum of big-endian 16-bit words.
///
/// Accumulate with `add`, then read `value` (the complemented, folded sum to store in a header). A header whose
/// checksum field is already filled in verifies when `value == 0`.
public struct InternetChecksum: Sendable {
    private var sum: UInt64 = 0

    /// An empty sum.
    public init() {}

    /// Adds bytes; an odd trailing byte is padded with zero, so only the last chunk may have an odd length.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var total = sum
        let count = bytes.count
        var index = 0
        // Eight bytes at a time: the sum of big-endian 32-bit halves folds to the same 16-bit result.
        while index + 8 <= count {
            let word = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            total &+= (word >> 32) &+ (word & 0xffff_ffff)
            index += 8
        }
        while index + 2 <= count {
            total &+= UInt64(bytes[index]) << 8 | UInt64(bytes[index + 1])
            index += 2
        }
        if index < count { total &+= UInt64(bytes[index]) << 8 }
        sum = total
    }

    /// Adds one 16-bit value.
    public mutating func add(_ word: UInt16) {
        sum &+= UInt64(word)
    }

    /// The checksum to store: the folded sum, complemented.
    public var value: UInt16 {
        var folded = sum
        while folded > 0xffff { folded = (folded & 0xffff) &+ (folded >> 16) }
        return ~UInt16(folded)
    }
}

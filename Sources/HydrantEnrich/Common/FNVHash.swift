/// 64-bit FNV-1a over bytes, lower-casing ASCII letters on the way, so indicators and record values hash alike
/// whatever their case, and a value split over two ranges (a URL's host and path) hashes as if it were one.
struct FNVHash {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    private(set) var value: UInt64 = FNVHash.offsetBasis

    @inline(__always)
    mutating func add(_ byte: UInt8) {
        let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
        value = (value ^ UInt64(folded)) &* FNVHash.prime
    }

    @inline(__always)
    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { add(byte) }
    }

    /// The hash of `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hasher = FNVHash()
        hasher.add(bytes)
        return hasher.value
    }

    /// The hash of a string's UTF-8.
    static func hash(_ text: String) -> UInt64 {
        var hasher = FNVHash()
        for byte in text.utf8 { hasher.add(byte) }
        return hasher.value
    }
}

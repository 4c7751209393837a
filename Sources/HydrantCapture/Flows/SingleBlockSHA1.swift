import Crypto

/// SHA-1 (FIPS 180-4) of a message short enough to pad into one 64-byte block (at most 55 bytes), computed in
/// stack memory: a Community ID hashes at most 40 bytes, once per flow record and per DNS, HTTP and TLS record, and
/// going through swift-crypto costs a heap-allocated context, its release and the digest's copies around a
/// compression function that is only a quarter of the work. Longer messages go to swift-crypto.
enum SingleBlockSHA1 {
    /// The longest message that fits one block with its `0x80` marker and 64-bit length.
    static let maximumCount = 55

    /// The five words of the digest, in order; each word's bytes are the digest's, most significant first.
    typealias Words = (UInt32, UInt32, UInt32, UInt32, UInt32)

    /// The digest of `message`.
    @inline(__always)
    static func digest(_ message: UnsafeRawBufferPointer) -> Words {
        guard message.count <= maximumCount else { return reference(message) }
        // The padded block as sixteen big-endian words: the message, 0x80, zeros, the length in bits.
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { words in
            words.initialize(repeating: 0)
            let bytes = UnsafeMutableRawBufferPointer(words)
            if let source = message.baseAddress, message.count > 0 {
                bytes.baseAddress.unsafelyUnwrapped.copyMemory(from: source, byteCount: message.count)
            }
            bytes[message.count] = 0x80
            let bits = UInt64(message.count) &* 8
            bytes[62] = UInt8(truncatingIfNeeded: bits >> 8)
            bytes[63] = UInt8(truncatingIfNeeded: bits)
            for index in 0..<16 { words[index] = UInt32(bigEndian: words[index]) }
            return compress(words)
        }
    }

    /// One compression of the initial state over `w` (sixteen words, used as the rolling message schedule).
    @inline(__always)
    private static func compress(_ w: UnsafeMutableBufferPointer<UInt32>) -> Words {
        @inline(__always) func rotl(_ value: UInt32, _ count: UInt32) -> UInt32 {
            value << count | value >> (32 &- count)
        }
        /// Word `t` of the message schedule; from 16 on, computed in place of word `t - 16`.
        @inline(__always) func word(_ t: Int) -> UInt32 {
            if t < 16 { return w[t] }
            let mixed = rotl(w[(t &- 3) & 15] ^ w[(t &- 8) & 15] ^ w[(t &- 14) & 15] ^ w[t & 15], 1)
            w[t & 15] = mixed
            return mixed
        }
        var a: UInt32 = 0x6745_2301
        var b: UInt32 = 0xEFCD_AB89
        var c: UInt32 = 0x98BA_DCFE
        var d: UInt32 = 0x1032_5476
        var e: UInt32 = 0xC3D2_E1F0
        @inline(__always) func round(_ f: UInt32, _ k: UInt32, _ t: Int) {
            let temp = rotl(a, 5) &+ f &+ e &+ k &+ word(t)
            e = d
            d = c
            c = rotl(b, 30)
            b = a
            a = temp
        }
        for t in 0..<20 { round((b & c) | (~b & d), 0x5A82_7999, t) }
        for t in 20..<40 { round(b ^ c ^ d, 0x6ED9_EBA1, t) }
        for t in 40..<60 { round((b & c) | (b & d) | (c & d), 0x8F1B_BCDC, t) }
        for t in 60..<80 { round(b ^ c ^ d, 0xCA62_C1D6, t) }
        return (0x6745_2301 &+ a, 0xEFCD_AB89 &+ b, 0x98BA_DCFE &+ c, 0x1032_5476 &+ d, 0xC3D2_E1F0 &+ e)
    }

    /// The digest through swift-crypto, for any length (and as the reference the tests compare with).
    static func reference(_ message: UnsafeRawBufferPointer) -> Words {
        var hasher = Insecure.SHA1()
        hasher.update(bufferPointer: message)
        let hash = hasher.finalize()
        var words: Words = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { out in
            hash.withUnsafeBytes { out.copyMemory(from: $0) }
        }
        // The bytes were copied in digest order; read each word as big-endian.
        return (UInt32(bigEndian: words.0), UInt32(bigEndian: words.1), UInt32(bigEndian: words.2),
                UInt32(bigEndian: words.3), UInt32(bigEndian: words.4))
    }
}

import Testing
@testable import HydrantCapture

@Suite("SingleBlockSHA1")
struct SingleBlockSHA1Tests {
    private static func hex(_ words: SingleBlockSHA1.Words) -> String {
        [words.0, words.1, words.2, words.3, words.4].map { word in
            let digits = String(word, radix: 16)
            return String(repeating: "0", count: 8 - digits.count) + digits
        }.joined()
    }

    private static func digest(_ bytes: [UInt8]) -> SingleBlockSHA1.Words {
        bytes.withUnsafeBytes { SingleBlockSHA1.digest($0) }
    }

    @Test("FIPS 180 example messages, one block and the first length past it")
    func knownDigests() {
        #expect(Self.hex(Self.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(Self.hex(Self.digest(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        // 56 bytes: one past what fits a block, so it takes the swift-crypto path.
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(twoBlocks.count == SingleBlockSHA1.maximumCount + 1)
        #expect(Self.hex(Self.digest(twoBlocks)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
    }

    @Test("every length that fits one block agrees with swift-crypto")
    func agreesWithReference() {
        var generator = SeededGenerator(seed: 0x5A1)
        for count in 0...SingleBlockSHA1.maximumCount {
            for _ in 0..<20 {
                let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let fast = bytes.withUnsafeBytes { SingleBlockSHA1.digest($0) }
                let reference = bytes.withUnsafeBytes { SingleBlockSHA1.reference($0) }
                #expect(Self.hex(fast) == Self.hex(reference), "length \(count)")
            }
        }
    }

    @Test("a message read from the middle of a buffer is hashed as its own bytes")
    func unalignedMessage() {
        let buffer: [UInt8] = Array(repeating: 0xFF, count: 3) + Array("abc".utf8) + Array(repeating: 0xEE, count: 60)
        let words = buffer.withUnsafeBytes { SingleBlockSHA1.digest(UnsafeRawBufferPointer(rebasing: $0[3..<6])) }
        #expect(Self.hex(words) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }
}

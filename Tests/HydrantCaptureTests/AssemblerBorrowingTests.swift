@testable import HydrantCapture
import Testing

/// `addBorrowing` lets a parser read a segment that continues an empty stream where it lies; `settle` copies what
/// the parser left. Whatever the segments and however much the parser consumes, the bytes it reads must be exactly
/// those of the copying `add`, and nothing may point into a segment once it is settled.
@Suite struct AssemblerBorrowingTests {
    /// One direction of a connection: the stream cut into segments, some sent twice, some overlapping, some late.
    private static func segments(seed: UInt64, length: Int) -> (stream: [UInt8], segments: [(UInt32, [UInt8])]) {
        var random = SeededGenerator(seed: seed)
        let stream = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
        var cuts: [(UInt32, [UInt8])] = []
        var offset = 0
        while offset < length {
            let count = min(Int.random(in: 1...700, using: &random), length - offset)
            cuts.append((UInt32(1 + offset), Array(stream[offset..<(offset + count)])))
            offset += count
        }
        var sent: [(UInt32, [UInt8])] = []
        var index = 0
        while index < cuts.count {
            switch Int.random(in: 0..<10, using: &random) {
            case 0 where index + 1 < cuts.count:
                // Two segments swapped.
                sent.append(cuts[index + 1])
                sent.append(cuts[index])
                index += 2
            case 1:
                // Sent twice.
                sent.append(cuts[index])
                sent.append(cuts[index])
                index += 1
            case 2 where index > 0:
                // Overlapping the previous segment's tail.
                let previous = cuts[index - 1]
                let back = min(previous.1.count, 5)
                sent.append((cuts[index].0 &- UInt32(back), Array(previous.1.suffix(back)) + cuts[index].1))
                index += 1
            default:
                sent.append(cuts[index])
                index += 1
            }
        }
        return (stream, sent)
    }

    @Test(arguments: 0..<40)
    func borrowingReadsTheSameBytesAsCopying(seed: Int) {
        let (stream, sent) = Self.segments(seed: UInt64(seed) &+ 0x5EED, length: 20_000)
        var random = SeededGenerator(seed: UInt64(seed))
        var copying = TCPStreamAssembler()
        var borrowing = TCPStreamAssembler()
        copying.synchronize(initialSequence: 0)
        borrowing.synchronize(initialSequence: 0)
        var readCopying: [UInt8] = []
        var readBorrowing: [UInt8] = []
        for (sequence, bytes) in sent {
            // The parser consumes a random share of what is there, the same for both.
            let share = Int.random(in: 0...4, using: &random)
            var segment = bytes
            segment.withUnsafeBufferPointer { copying.add(sequence: sequence, payload: $0) }
            let copyCount = copying.assembledCount * share / 4
            copying.withAssembled { readCopying.append(contentsOf: $0.prefix(copyCount)) }
            copying.consume(copyCount)
            segment.withUnsafeBufferPointer { payload in
                borrowing.addBorrowing(sequence: sequence, payload: payload)
                let count = borrowing.assembledCount * share / 4
                borrowing.withAssembled { readBorrowing.append(contentsOf: $0.prefix(count)) }
                borrowing.consume(count)
                borrowing.settle()
            }
            // The segment's memory is reused: a settled assembler must not read it any more.
            for index in segment.indices { segment[index] = 0xEE }
            #expect(borrowing.assembledCount == copying.assembledCount)
            #expect(borrowing.heldBytes == copying.heldBytes)
        }
        copying.withAssembled { readCopying.append(contentsOf: $0) }
        borrowing.withAssembled { readBorrowing.append(contentsOf: $0) }
        #expect(readCopying == stream)
        #expect(readBorrowing == readCopying)
        #expect(borrowing.retransmittedBytes == copying.retransmittedBytes)
        #expect(borrowing.gaveUp == copying.gaveUp)
    }

    /// A borrowed segment past the assembled-bytes bound gives up like a copied one, and skipped body bytes are
    /// dropped from a borrowed segment too.
    @Test func boundsAndSkippingApplyToBorrowedSegments() {
        var small = TCPStreamAssembler(limits: .init(maximumAssembledBytes: 10))
        small.synchronize(initialSequence: 0)
        let big = [UInt8](repeating: 1, count: 11)
        big.withUnsafeBufferPointer { small.addBorrowing(sequence: 1, payload: $0) }
        #expect(small.gaveUp == .assembledBufferFull)
        #expect(small.assembledCount == 0)

        var skipping = TCPStreamAssembler()
        skipping.synchronize(initialSequence: 0)
        skipping.skip(4)
        let bytes = Array("bodyHEAD".utf8)
        bytes.withUnsafeBufferPointer { payload in
            skipping.addBorrowing(sequence: 1, payload: payload)
            #expect(skipping.withAssembled { Array($0) } == Array("HEAD".utf8))
            skipping.consume(2)
            skipping.settle()
        }
        #expect(skipping.assembled == Array("AD".utf8))
        #expect(skipping.skipping == 0)
    }
}

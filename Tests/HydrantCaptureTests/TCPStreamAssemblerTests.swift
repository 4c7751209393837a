import HydrantCapture
import Testing

private extension TCPStreamAssembler {
    mutating func add(_ sequence: UInt32, _ text: String) {
        Array(text.utf8).withUnsafeBufferPointer { add(sequence: sequence, payload: $0) }
    }

    var text: String { String(decoding: assembled, as: UTF8.self) }
}

@Suite("TCP stream assembly")
struct TCPStreamAssemblerTests {
    @Test("in-order segments after a SYN are joined")
    func inOrder() {
        var stream = TCPStreamAssembler()
        stream.synchronize(initialSequence: 999)
        stream.add(1000, "GET / ")
        stream.add(1006, "HTTP/1.1")
        #expect(stream.text == "GET / HTTP/1.1")
        #expect(stream.retransmittedBytes == 0)
    }

    @Test("retransmissions, whole or overlapping, are dropped and counted")
    func retransmissions() {
        var stream = TCPStreamAssembler()
        stream.synchronize(initialSequence: 0)
        stream.add(1, "abcdef")
        stream.add(1, "abcdef")
        stream.add(4, "defghi")
        #expect(stream.text == "abcdefghi")
        #expect(stream.retransmittedBytes == 9)
    }

    @Test("out-of-order segments wait for the gap and are then joined in order")
    func outOfOrder() {
        var stream = TCPStreamAssembler()
        stream.synchronize(initialSequence: 0)
        stream.add(7, "ghi")
        stream.add(4, "def")
        #expect(stream.text.isEmpty)
        stream.add(1, "abc")
        #expect(stream.text == "abcdefghi")
        #expect(stream.outOfOrderSegments == 2)
    }

    @Test("sequence numbers wrap around 2^32")
    func wraparound() {
        var stream = TCPStreamAssembler()
        stream.synchronize(initialSequence: UInt32.max - 2)
        stream.add(UInt32.max - 1, "ab")
        stream.add(0, "cd")
        stream.add(4, "gh")
        stream.add(2, "ef")
        #expect(stream.text == "abcdefgh")
    }

    @Test("a capture that starts mid-connection follows from the first data segment")
    func midStream() {
        var stream = TCPStreamAssembler()
        stream.add(5000, "late")
        stream.add(5004, " start")
        #expect(stream.text == "late start")
    }

    @Test("the parser consumes what it used; unconsumed data is bounded")
    func consumeAndBound() {
        var stream = TCPStreamAssembler(limits: .init(maximumAssembledBytes: 8))
        stream.add(0, "12345")
        stream.consume(3)
        #expect(stream.text == "45")
        stream.add(5, "678")
        #expect(stream.text == "45678")
        stream.add(8, "9abcdef")
        #expect(stream.gaveUp == .assembledBufferFull)
        #expect(stream.assembled.isEmpty)
        stream.add(15, "more")
        #expect(stream.assembled.isEmpty, "nothing is taken after giving up")
    }

    @Test("a gap that is never filled stops the direction within the pending bounds")
    func unfilledGap() {
        var stream = TCPStreamAssembler(limits: .init(maximumPendingSegments: 4, maximumPendingBytes: 1000))
        stream.synchronize(initialSequence: 0)
        stream.add(1, "a")
        for index in 0..<4 { stream.add(UInt32(100 + 10 * index), "x") }
        #expect(stream.gaveUp == nil)
        stream.add(200, "y")
        #expect(stream.gaveUp == .gapNotFilled)
        var bytes = TCPStreamAssembler(limits: .init(maximumPendingBytes: 10))
        bytes.add(0, "a")
        bytes.add(50, String(repeating: "z", count: 11))
        #expect(bytes.gaveUp == .gapNotFilled)
    }

    @Test("a stopped direction ignores later segments")
    func stopped() {
        var stream = TCPStreamAssembler()
        stream.add(0, "SSH-2.0-x")
        stream.stop()
        stream.add(9, "more")
        #expect(stream.assembled.isEmpty)
        #expect(stream.stopped)
    }
}

/// Puts one direction of a TCP connection back in order for the application parsers (DNS over TCP, HTTP, TLS):
/// retransmitted bytes are dropped, out-of-order segments wait until the gap before them is filled, and everything is
/// bounded. When a bound is hit or a gap stays open the assembler gives up on the direction (it says why) and the
/// parsers stop; the flow record is unaffected.
///
/// Unchecked `Sendable`: a borrowed segment is pointed at only between `addBorrowing` and `settle`, on the caller's
/// thread; at rest (whenever the value could be sent) nothing is borrowed.
public struct TCPStreamAssembler: @unchecked Sendable {
    /// The bounds of one direction.
    public struct Limits: Hashable, Sendable {
        /// In-order bytes held for a parser that has not consumed them yet.
        public var maximumAssembledBytes: Int
        /// Out-of-order segments held while waiting for a gap to fill.
        public var maximumPendingSegments: Int
        /// Bytes in out-of-order segments held.
        public var maximumPendingBytes: Int

        /// Limits; the defaults fit a 16 KiB HTTP head or a 64 KiB ClientHello.
        public init(maximumAssembledBytes: Int = 64 * 1024, maximumPendingSegments: Int = 32,
                    maximumPendingBytes: Int = 64 * 1024) {
            self.maximumAssembledBytes = maximumAssembledBytes
            self.maximumPendingSegments = maximumPendingSegments
            self.maximumPendingBytes = maximumPendingBytes
        }
    }

    /// Why the assembler stopped following a direction.
    public enum GiveUpReason: String, Hashable, Sendable {
        /// The parser left more than `maximumAssembledBytes` unconsumed.
        case assembledBufferFull = "assembled_buffer_full"
        /// More out-of-order data arrived than the pending bounds allow: a gap that is not being filled.
        case gapNotFilled = "gap_not_filled"
    }

    private let limits: Limits
    /// The sequence number of the next byte expected, once known.
    private var nextSequence: UInt32?
    /// Out-of-order segments, sorted by their distance ahead of `nextSequence`.
    private var pending: [(sequence: UInt32, bytes: [UInt8])] = []
    private var pendingBytes = 0
    /// In-order bytes not yet consumed by the parser, copied (see `borrowed` for those that are not).
    public private(set) var assembled: [UInt8] = []
    /// In-order bytes of the segment being added, not copied: `addBorrowing` leaves a segment that continues an
    /// empty stream where it lies, for the parser to read in place, and `settle` copies what the parser left. Empty
    /// (nil base) otherwise; when set, `assembled` is empty.
    private var borrowed = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// Whether a parser stopped the direction (`stop()`); later segments are ignored.
    public private(set) var stopped = false
    /// Why the assembler gave up, or nil while it follows the direction.
    public private(set) var gaveUp: GiveUpReason?
    /// Bytes dropped because they had been seen before (retransmissions and overlaps).
    public private(set) var retransmittedBytes = 0
    /// Segments that arrived ahead of a gap.
    public private(set) var outOfOrderSegments = 0
    /// In-order bytes still to be dropped as they arrive instead of being kept (a message body the parser counts
    /// but never reads, so it is not copied).
    public private(set) var skipping = 0

    /// An assembler with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Notes the SYN's sequence number: data starts one byte after it.
    public mutating func synchronize(initialSequence: UInt32) {
        if nextSequence == nil { nextSequence = initialSequence &+ 1 }
    }

    /// Takes one segment's payload. Without a SYN seen, the first data segment starts the stream (a capture that
    /// began mid-connection).
    public mutating func add(sequence: UInt32, payload: UnsafeBufferPointer<UInt8>) {
        addBorrowing(sequence: sequence, payload: payload)
        settle()
    }

    /// `add`, except that a segment which continues the stream while nothing is assembled or waiting is not copied:
    /// the parser reads it in place (`withAssembled`, `consume`) and `settle()` must be called before `payload`'s
    /// memory goes away, to copy what the parser left of it.
    public mutating func addBorrowing(sequence: UInt32, payload: UnsafeBufferPointer<UInt8>) {
        settle()
        guard gaveUp == nil, !stopped, !payload.isEmpty else { return }
        let expected = nextSequence ?? sequence
        nextSequence = expected
        let ahead = Int(Int32(bitPattern: sequence &- expected))
        if ahead + payload.count <= 0 {
            retransmittedBytes += payload.count
            return
        }
        if ahead > 0 {
            hold(sequence: sequence, payload: payload, ahead: ahead)
            return
        }
        let skip = -ahead
        retransmittedBytes += skip
        if assembled.isEmpty && pending.isEmpty {
            lend(UnsafeBufferPointer(rebasing: payload[skip...]))
            return
        }
        append(UnsafeBufferPointer(rebasing: payload[skip...]))
        drainPending()
    }

    /// Copies the bytes of a borrowed segment that the parser has not consumed, so they outlive the segment.
    public mutating func settle() {
        guard borrowed.baseAddress != nil else { return }
        let rest = borrowed
        borrowed = UnsafeBufferPointer(start: nil, count: 0)
        if !rest.isEmpty { assembled.append(contentsOf: rest) }
    }

    /// Bytes assembled and not yet consumed (borrowed or copied).
    public var assembledCount: Int { borrowed.baseAddress != nil ? borrowed.count : assembled.count }

    /// Calls `body` with the in-order bytes not yet consumed.
    @inline(__always)
    func withAssembled<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if borrowed.baseAddress != nil { return body(borrowed) }
        return assembled.withUnsafeBufferPointer(body)
    }

    /// Bytes held now: assembled and waiting out of order.
    public var heldBytes: Int { assembledCount + pendingBytes }

    /// Drops the next `count` bytes of the stream as they arrive, after everything assembled so far has been consumed.
    public mutating func skip(_ count: Int) {
        skipping += max(count, 0)
    }

    /// Drops the first `count` assembled bytes, which the parser has used.
    public mutating func consume(_ count: Int) {
        if borrowed.baseAddress != nil {
            let used = min(max(count, 0), borrowed.count)
            borrowed = UnsafeBufferPointer(rebasing: borrowed[used...])
            return
        }
        assembled.removeFirst(min(max(count, 0), assembled.count))
    }

    /// Stops following the direction (a parser decided it is not its protocol, or gave up itself).
    public mutating func stop() {
        stopped = true
        borrowed = UnsafeBufferPointer(start: nil, count: 0)
        assembled = []
        pending = []
        pendingBytes = 0
    }

    /// What is left of `incoming` once the bytes still to be skipped are dropped, or nil when nothing is.
    private mutating func afterSkipped(_ incoming: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard skipping > 0 else { return incoming }
        let dropped = min(skipping, incoming.count)
        skipping -= dropped
        nextSequence = (nextSequence ?? 0) &+ UInt32(truncatingIfNeeded: dropped)
        let bytes = UnsafeBufferPointer(rebasing: incoming[dropped...])
        return bytes.isEmpty ? nil : bytes
    }

    /// `append` without the copy, for a segment that continues an empty stream.
    private mutating func lend(_ incoming: UnsafeBufferPointer<UInt8>) {
        guard let bytes = afterSkipped(incoming) else { return }
        guard bytes.count <= limits.maximumAssembledBytes else {
            giveUp(.assembledBufferFull)
            return
        }
        borrowed = bytes
        nextSequence = (nextSequence ?? 0) &+ UInt32(truncatingIfNeeded: bytes.count)
    }

    private mutating func append(_ incoming: UnsafeBufferPointer<UInt8>) {
        guard let bytes = afterSkipped(incoming) else { return }
        guard assembled.count + bytes.count <= limits.maximumAssembledBytes else {
            giveUp(.assembledBufferFull)
            return
        }
        assembled.append(contentsOf: bytes)
        nextSequence = (nextSequence ?? 0) &+ UInt32(truncatingIfNeeded: bytes.count)
    }

    private mutating func hold(sequence: UInt32, payload: UnsafeBufferPointer<UInt8>, ahead: Int) {
        outOfOrderSegments += 1
        guard pending.count < limits.maximumPendingSegments,
              pendingBytes + payload.count <= limits.maximumPendingBytes else {
            giveUp(.gapNotFilled)
            return
        }
        let expected = nextSequence ?? sequence
        let index = pending.firstIndex { Int(Int32(bitPattern: $0.sequence &- expected)) > ahead } ?? pending.endIndex
        pending.insert((sequence, Array(payload)), at: index)
        pendingBytes += payload.count
    }

    /// Appends waiting segments that the stream has now reached, in order.
    private mutating func drainPending() {
        while gaveUp == nil, let first = pending.first, let expected = nextSequence {
            let ahead = Int(Int32(bitPattern: first.sequence &- expected))
            guard ahead <= 0 else { return }
            pending.removeFirst()
            pendingBytes -= first.bytes.count
            let skip = min(-ahead, first.bytes.count)
            retransmittedBytes += skip
            if skip < first.bytes.count {
                first.bytes.withUnsafeBufferPointer { append(UnsafeBufferPointer(rebasing: $0[skip...])) }
            }
        }
    }

    private mutating func giveUp(_ reason: GiveUpReason) {
        gaveUp = reason
        borrowed = UnsafeBufferPointer(start: nil, count: 0)
        assembled = []
        pending = []
        pendingBytes = 0
    }
}

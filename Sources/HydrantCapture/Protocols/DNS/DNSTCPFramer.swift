/// Splits the byte stream of one direction of a DNS-over-TCP connection into messages (RFC 1035 section 4.2.2:
/// each message follows a two-byte big-endian length).
///
/// Whole messages inside a chunk are handed out in place, without copying; only an incomplete trailing message is
/// kept, and since the prefix cannot announce more than 65535 bytes the buffer never exceeds 65537.
public struct DNSTCPFramer: Sendable {
    /// The longest message the two-byte prefix can announce.
    public static let maximumMessageLength = 65535

    /// The incomplete trailing message, its length prefix included.
    private var pending: [UInt8] = []

    /// Creates a framer at a message boundary.
    public init() {}

    /// Bytes of an incomplete message (length prefix included) held until the rest arrives.
    public var bufferedByteCount: Int { pending.count }

    /// How many more bytes the incomplete trailing message needs: 0 at a message boundary; when not even the
    /// length prefix is complete, the one missing prefix byte (the message length is not known yet).
    public var bytesNeeded: Int {
        switch pending.count {
        case 0: return 0
        case 1: return 1
        default: return 2 + (Int(pending[0]) << 8 | Int(pending[1])) - pending.count
        }
    }

    /// Feeds the next chunk of the stream and calls `body` with each message it completes, in order, without the
    /// length prefix. The buffer `body` sees is valid only during the call. Returns `bytesNeeded`.
    @discardableResult
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) -> Int {
        var position = 0
        if !pending.isEmpty {
            if pending.count < 2 {
                guard position < chunk.count else { return bytesNeeded }
                pending.append(chunk[position])
                position += 1
            }
            let missing = bytesNeeded
            let take = min(missing, chunk.count - position)
            pending.append(contentsOf: chunk[position..<(position + take)])
            position += take
            guard take == missing else { return bytesNeeded }
            pending.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[2...])) }
            pending.removeAll(keepingCapacity: true)
        }
        while chunk.count - position >= 2 {
            let length = Int(chunk[position]) << 8 | Int(chunk[position + 1])
            guard chunk.count - position - 2 >= length else { break }
            body(UnsafeRawBufferPointer(rebasing: chunk[(position + 2)..<(position + 2 + length)]))
            position += 2 + length
        }
        pending.append(contentsOf: chunk[position...])
        return bytesNeeded
    }

    /// Drops any incomplete message, as after a gap in the stream.
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
    }
}

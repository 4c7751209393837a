/// Gathers the first handshake message of one direction of a connection from its TLS records (a ClientHello may
/// span several records and several TCP segments), reading at most `maximumMessageBytes`.
public enum TLSRecordReader {
    /// The largest handshake message followed (post-quantum key shares make ClientHellos of a few KiB).
    public static let maximumMessageBytes = 64 * 1024

    /// What the bytes seen so far hold.
    public enum Result: Hashable, Sendable {
        /// The whole first handshake message (type, 24-bit length and body).
        case message([UInt8])
        /// More bytes are needed.
        case needMore
        /// The bytes are not TLS records carrying a handshake.
        case notTLS
        /// The handshake message is larger than `maximumMessageBytes`.
        case tooLarge
    }

    /// Whether `bytes` begin like a TLS handshake record (content type 22, version 3.x).
    public static func looksLikeHandshake(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 3 && bytes[0] == 22 && bytes[1] == 3 && bytes[2] <= 4
    }

    /// The first handshake message of the records at the start of `stream`.
    public static func firstHandshakeMessage(_ stream: UnsafeBufferPointer<UInt8>) -> Result {
        var message: [UInt8] = []
        var offset = 0
        while true {
            guard stream.count - offset >= 5 else { return .needMore }
            guard stream[offset] == 22, stream[offset + 1] == 3 else { return .notTLS }
            let length = Int(stream[offset + 3]) << 8 | Int(stream[offset + 4])
            guard length > 0, length <= 16_384 + 2048 else { return .notTLS }
            let available = min(length, stream.count - offset - 5)
            message.append(contentsOf: stream[(offset + 5)..<(offset + 5 + available)])
            if message.count >= 4 {
                let needed = 4 + (Int(message[1]) << 16 | Int(message[2]) << 8 | Int(message[3]))
                guard needed <= maximumMessageBytes else { return .tooLarge }
                if message.count >= needed { return .message(Array(message[0..<needed])) }
            }
            guard available == length else { return .needMore }
            offset += 5 + length
        }
    }

    /// Calls `body` with the first handshake message of `stream` when it is complete (in place when it lies within
    /// the first record, as almost every handshake message does; gathered across records otherwise) and returns
    /// nil; returns what the bytes hold instead when there is no complete message yet (never `.message`).
    static func withFirstHandshakeMessage(_ stream: UnsafeBufferPointer<UInt8>,
                                          _ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Result? {
        if stream.count >= 9, stream[0] == 22, stream[1] == 3 {
            let length = Int(stream[3]) << 8 | Int(stream[4])
            let needed = 4 + (Int(stream[6]) << 16 | Int(stream[7]) << 8 | Int(stream[8]))
            if length > 0, length <= 16_384 + 2048, needed <= length, needed <= stream.count - 5 {
                body(UnsafeBufferPointer(rebasing: stream[5..<(5 + needed)]))
                return nil
            }
        }
        switch firstHandshakeMessage(stream) {
        case .message(let message):
            message.withUnsafeBufferPointer(body)
            return nil
        case let other:
            return other
        }
    }
}

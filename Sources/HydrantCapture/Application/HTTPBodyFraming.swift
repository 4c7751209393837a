/// Follows one HTTP/1.x message body through the stream, counting its bytes without keeping them: a
/// Content-Length body, a chunked body (sizes, extensions and trailers parsed, bounded), or a body that runs to
/// the end of the connection.
struct HTTPBodyFraming {
    /// How the body ends.
    enum Mode {
        /// No body, or it has been read.
        case done
        /// This many bytes remain.
        case length(Int)
        /// Chunked transfer coding, in the given state.
        case chunked(ChunkState)
        /// Everything until the connection closes.
        case untilClose
        /// The rest of a sized body is dropped by the segment assembler as it arrives (counted already).
        case skipped
    }

    /// Where a chunked body's parser is.
    enum ChunkState {
        /// Reading a chunk-size line (hex size, optional extensions, CRLF).
        case sizeLine
        /// Inside chunk data, with this many bytes left, then CRLF.
        case data(Int)
        /// After chunk data: its CRLF.
        case dataEnd
        /// After the last chunk: trailer lines until an empty line.
        case trailer
    }

    /// The longest chunk-size or trailer line followed.
    static let maximumLineBytes = 4096

    /// The current mode.
    private(set) var mode: Mode
    /// Body bytes counted (chunk data only, for chunked bodies).
    private(set) var bodyBytes: Int64 = 0
    /// Bytes of the current line (chunked bodies).
    private var lineBytes = 0
    /// Whether the current line saw any byte other than CR or LF.
    private var lineHasContent = false
    /// The chunk size parsed so far on a size line.
    private var chunkSize = 0
    /// Whether the size line reached its extensions (after `;` or whitespace).
    private var inExtensions = false

    /// Framing in `mode`.
    init(_ mode: Mode) {
        self.mode = mode
    }

    /// Whether the body is complete.
    var isDone: Bool {
        if case .done = mode { return true }
        return false
    }

    /// Reads body bytes from the start of `bytes` and returns how many it used; stops at the end of the body.
    /// Returns nil when a chunked body breaks its grammar (the direction is not followed further).
    mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var used = 0
        while used < bytes.count {
            switch mode {
            case .done, .skipped:
                return used
            case .untilClose:
                bodyBytes += Int64(bytes.count - used)
                return bytes.count
            case .length(let remaining):
                let take = min(remaining, bytes.count - used)
                bodyBytes += Int64(take)
                used += take
                mode = remaining == take ? .done : .length(remaining - take)
            case .chunked(let state):
                switch state {
                case .data(let remaining):
                    let take = min(remaining, bytes.count - used)
                    bodyBytes += Int64(take)
                    used += take
                    mode = .chunked(remaining == take ? .dataEnd : .data(remaining - take))
                case .sizeLine, .dataEnd, .trailer:
                    guard lineStep(bytes[used], state: state) else { return nil }
                    used += 1
                }
            }
        }
        return used
    }

    /// When the rest of the body is a known number of bytes, counts them and returns how many the assembler should
    /// drop as they arrive; nil otherwise.
    mutating func handOffRemainder() -> Int? {
        guard case .length(let remaining) = mode, remaining > 0 else { return nil }
        bodyBytes += Int64(remaining)
        mode = .skipped
        return remaining
    }

    /// The assembler has dropped every byte handed off (`outstanding` is what it still waits for): the body is
    /// complete when nothing is outstanding. Returns whether it is.
    mutating func settle(outstanding: Int) -> Bool {
        guard case .skipped = mode else { return isDone }
        if outstanding == 0 { mode = .done }
        return outstanding == 0
    }

    /// The body bytes seen when the connection ended with `outstanding` bytes never arriving.
    func bodyBytes(outstanding: Int) -> Int64 {
        bodyBytes - Int64(outstanding)
    }

    /// One byte of a line in a chunked body; false when the grammar breaks.
    private mutating func lineStep(_ byte: UInt8, state: ChunkState) -> Bool {
        lineBytes += 1
        guard lineBytes <= HTTPBodyFraming.maximumLineBytes else { return false }
        if byte == UInt8(ascii: "\n") {
            defer {
                lineBytes = 0
                lineHasContent = false
                chunkSize = 0
                inExtensions = false
            }
            switch state {
            case .sizeLine:
                guard lineHasContent else { return false }
                mode = chunkSize == 0 ? .chunked(.trailer) : .chunked(.data(chunkSize))
            case .dataEnd:
                guard !lineHasContent else { return false }
                mode = .chunked(.sizeLine)
            case .trailer:
                if !lineHasContent { mode = .done }
            case .data:
                break
            }
            return true
        }
        if byte == UInt8(ascii: "\r") { return true }
        lineHasContent = true
        guard case .sizeLine = state, !inExtensions else { return !isDataEnd(state) }
        if let digit = HTTPBodyFraming.hexValue(byte) {
            guard chunkSize <= (Int.max >> 8) else { return false }
            chunkSize = chunkSize << 4 | digit
            return true
        }
        if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
            inExtensions = true
            return true
        }
        return false
    }

    private func isDataEnd(_ state: ChunkState) -> Bool {
        if case .dataEnd = state { return true }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}

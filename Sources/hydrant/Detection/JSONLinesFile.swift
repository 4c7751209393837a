#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a JSON-lines file in large chunks and hands over whole lines in batches (bytes plus end offsets), with
/// bounded memory: a line longer than `maximumLineBytes` is skipped and counted, never buffered whole.
struct JSONLinesFile {
    /// The largest line kept.
    static let maximumLineBytes = 16 << 20
    private static let chunkBytes = 4 << 20

    /// Whether the file at `path` looks like JSON lines: its first byte that is not whitespace is `{`. Nil when
    /// it cannot be opened.
    static func looksLikeJSONLines(_ path: String) -> Bool? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            for byte in buffer[0..<count] {
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D: continue
                default: return byte == UInt8(ascii: "{")
                }
            }
        }
    }

    /// Calls `body` with each batch of whole lines of `path` (the final line may lack its newline); returns how many
    /// over-long lines were skipped. Throws `OutputError`-style errors naming the file when it cannot be read.
    static func forEachBatch(_ path: String, _ body: (UnsafeBufferPointer<UInt8>, [Int]) throws -> Void) throws -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: chunkBytes)
        var filled = 0
        var ends: [Int] = []
        // Inside a line that outgrew the buffer: bytes are dropped until its newline.
        var skipping = false
        var skipped = 0
        var atEnd = false
        while !atEnd {
            if filled == buffer.count {
                if buffer.count < maximumLineBytes {
                    buffer.append(contentsOf: repeatElement(0, count: buffer.count))
                } else {
                    skipping = true
                    filled = 0
                }
            }
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return read(fd, base + filled, raw.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(path: path, reason: String(cString: strerror(errno)))
            }
            atEnd = count == 0
            // Bytes before `filled` hold no newline (everything up to the last one was consumed), so only the new
            // bytes are searched.
            var position = filled
            filled += count
            var consumed = 0
            ends.removeAll(keepingCapacity: true)
            buffer.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                while position < filled, let found = memchr(base + position, 0x0A, filled - position) {
                    let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                    if skipping {
                        skipping = false
                        skipped += 1
                        consumed = end
                    } else {
                        ends.append(end)
                    }
                    position = end
                }
            }
            if atEnd && !skipping && filled > (ends.last ?? consumed) { ends.append(filled) }
            if let last = ends.last {
                let start = consumed
                let relative = ends.map { $0 - start }
                try buffer.withUnsafeBufferPointer { bytes in
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<last]), relative)
                }
                consumed = last
            }
            if skipping { consumed = filled }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    guard let base = bytes.baseAddress else { return }
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
            }
        }
        if skipping { skipped += 1 }
        return skipped
    }
}

/// An input file that cannot be read.
struct InputError: Error, CustomStringConvertible {
    /// The file.
    let path: String
    /// Why.
    let reason: String
    var description: String { "\(path): cannot read: \(reason)" }
}

import HydrantCapture
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an output file could not be written.
struct OutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): cannot write output: \(reason)" }
}

/// Writes records as JSON lines to a file or standard output, in large buffered writes.
final class RecordWriter {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    private let ownsFile: Bool
    private let buffer = JSONLineBuffer(capacity: (1 << 20) + (64 << 10))
    private var encoder = CaptureRecordEncoder()
    /// Records written so far.
    private(set) var recordsWritten = 0

    /// Opens `path` for writing (truncating it), or standard output for nil or `-`.
    init(path requested: String?) throws {
        if let path = requested, path != "-" {
            guard let file = fopen(path, "w") else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
            self.file = file
            self.path = path
            ownsFile = true
        } else {
            guard let out = fdopen(STDOUT_FILENO, "w") else {
                throw OutputError(path: "<stdout>", reason: String(cString: strerror(errno)))
            }
            file = out
            path = "<stdout>"
            ownsFile = false
        }
    }

    /// Encodes a batch of records; the buffer goes out once it holds a megabyte.
    func write(_ records: CaptureRecords) throws {
        encoder.encode(records, into: buffer)
        recordsWritten += records.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes out everything buffered and flushes the stream, so a reader sees whole lines.
    func flush() throws {
        if !buffer.isEmpty {
            try buffer.withUnsafeBytes { try writeOut($0) }
            buffer.removeAll()
        }
        guard fflush(file) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        guard fwrite(bytes.baseAddress, 1, bytes.count, file) == bytes.count else {
            throw OutputError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Flushes and closes the file.
    func close() throws {
        try flush()
        if ownsFile, fclose(file) != 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    }
}

extension RecordWriter: EncodedRecordOutput {
    /// Writes lines encoded elsewhere straight from their buffer (after whatever this writer buffered itself),
    /// without copying them line by line.
    func write(_ records: EncodedRecords) throws {
        if !buffer.isEmpty {
            try buffer.withUnsafeBytes { try writeOut($0) }
            buffer.removeAll()
        }
        try records.withUnsafeBytes { try writeOut($0) }
        recordsWritten += records.count
    }
}

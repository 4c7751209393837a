import HydrantCapture

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
    private var buffer: [UInt8] = []
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
        buffer.reserveCapacity(1 << 20)
    }

    /// Encodes a batch of records; the buffer goes out once it holds a megabyte.
    func write(_ records: CaptureRecords) throws {
        encoder.forEach(records) { encode in encode(&buffer) }
        recordsWritten += records.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Writes out everything buffered and flushes the stream, so a reader sees whole lines.
    func flush() throws {
        if !buffer.isEmpty {
            let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard written == buffer.count else {
                throw OutputError(path: path, reason: String(cString: strerror(errno)))
            }
            buffer.removeAll(keepingCapacity: true)
        }
        guard fflush(file) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// Flushes and closes the file.
    func close() throws {
        try flush()
        if ownsFile, fclose(file) != 0 { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
    }
}

extension RecordWriter: EncodedRecordOutput {
    /// Appends lines encoded elsewhere; the buffer goes out once it holds a megabyte.
    func write(_ records: EncodedRecords) throws {
        records.forEachLine { buffer.append(contentsOf: $0) }
        recordsWritten += records.count
        if buffer.count >= 1 << 20 { try flush() }
    }
}

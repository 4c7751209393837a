import CZlib
import HydrantRecords

#if canImport(Glibc)
import Glibc
#endif

/// Counts of what a VPC Flow Logs source held.
public struct VPCFlowLogStatistics: Sendable, Equatable {
    /// Lines read, headers and blank lines included.
    public var lines = 0
    /// Header lines (the first, or repeated ones in concatenated files).
    public var headers = 0
    /// Traffic lines turned into records.
    public var flows = 0
    /// `NODATA` lines.
    public var noData = 0
    /// `SKIPDATA` lines.
    public var skipData = 0
    /// Lines that could not be parsed (skipped unless strict).
    public var errors = 0
    /// The first few errors, for the run summary.
    public var firstErrors: [VPCFlowLogError] = []

    /// Nothing read yet.
    public init() {}
}

/// Reads a VPC Flow Logs file (plain or gzip, told apart by zlib itself) or stdin line by line, in bounded memory,
/// and hands records out in batches.
public final class VPCFlowLogReader {
    private let file: gzFile
    private let source: String
    private let configured: VPCFlowLogFormat?
    private let defaultTime: Timestamp
    private let observerName: String?
    private let maxLineLength: Int
    private let strict: Bool
    /// What has been read so far.
    public private(set) var statistics = VPCFlowLogStatistics()

    /// Opens `path` (`-` for stdin). `format` is used when the file has no header line; a header always wins, since
    /// it describes the lines that follow it. `strict` makes the first bad line an error instead of a counted skip.
    public init(path: String, format: VPCFlowLogFormat? = nil, defaultTime: Timestamp, observerName: String? = nil,
                maxLineLength: Int = 1 << 16, strict: Bool = false) throws(VPCFlowLogError) {
        let opened: gzFile? = path == "-" ? gzdopen(dup(STDIN_FILENO), "rb") : gzopen(path, "rb")
        guard let opened else {
            throw VPCFlowLogError(source: path, line: 0, field: nil, reason: .unreadable(String(cString: strerror(errno))))
        }
        file = opened
        source = path == "-" ? "<stdin>" : path
        configured = format
        self.defaultTime = defaultTime
        self.observerName = observerName
        self.maxLineLength = maxLineLength
        self.strict = strict
        gzbuffer(file, 1 << 17)
    }

    deinit { gzclose(file) }

    /// Reads to the end, calling `body` with batches of at most `batchSize` records.
    public func read(batchSize: Int = 4096, _ body: ([VPCFlowLogRecord]) throws -> Void) throws {
        var parser = configured.map { VPCFlowLogParser(format: $0, source: source, defaultTime: defaultTime, observerName: observerName) }
        var batch: [VPCFlowLogRecord] = []
        batch.reserveCapacity(batchSize)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var line: [UInt8] = []
        line.reserveCapacity(1024)
        var overlong = false

        func handle(_ line: [UInt8]) throws {
            statistics.lines += 1
            let number = statistics.lines
            if overlong {
                try fail(VPCFlowLogError(source: source, line: number, field: nil, reason: .lineTooLong(limit: maxLineLength)))
                return
            }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") }) { return }
            if VPCFlowLogFormat.isHeader(line) {
                statistics.headers += 1
                let format = try VPCFlowLogFormat(String(decoding: line, as: UTF8.self), source: "\(source):\(number)")
                parser = VPCFlowLogParser(format: format, source: source, defaultTime: defaultTime, observerName: observerName)
                return
            }
            guard let current = parser else {
                throw VPCFlowLogError(source: source, line: number, field: nil, reason: .noFormat)
            }
            let entry: VPCFlowLogEntry
            do {
                entry = try current.parse(line: line, lineNumber: number)
            } catch {
                try fail(error)
                return
            }
            switch entry {
            case .flow(let record):
                statistics.flows += 1
                batch.append(record)
                if batch.count >= batchSize {
                    try body(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            case .status(let status):
                if status.logStatus == "NODATA" { statistics.noData += 1 } else { statistics.skipData += 1 }
            }
        }

        while true {
            let count = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if count < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw VPCFlowLogError(source: source, line: statistics.lines + 1, field: nil, reason: .unreadable(message))
            }
            if count == 0 { break }
            for i in 0..<Int(count) {
                let byte = chunk[i]
                if byte == UInt8(ascii: "\n") {
                    try handle(line)
                    line.removeAll(keepingCapacity: true)
                    overlong = false
                } else if line.count < maxLineLength {
                    line.append(byte)
                } else {
                    overlong = true
                }
            }
        }
        if !line.isEmpty || overlong { try handle(line) }
        if !batch.isEmpty { try body(batch) }
    }

    private func fail(_ error: VPCFlowLogError) throws {
        if strict { throw error }
        statistics.errors += 1
        if statistics.firstErrors.count < 10 { statistics.firstErrors.append(error) }
    }
}

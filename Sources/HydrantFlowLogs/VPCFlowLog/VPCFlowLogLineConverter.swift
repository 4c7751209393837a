import HydrantRecords

/// What converting one VPC Flow Logs line produced.
public enum VPCFlowLogLineOutcome: Hashable, Sendable {
    /// A traffic line: one `flowlog.vpc` JSON record was appended.
    case record
    /// A `NODATA` / `SKIPDATA` line: nothing appended; count it.
    case status(VPCFlowLogStatus)
    /// A header line: it now describes the lines that follow; nothing appended.
    case header
    /// An empty (or blank) line: nothing appended.
    case blank
}

/// Turns VPC Flow Logs lines arriving one per record (as VPC Flow Logs delivers to Firehose) into `flowlog.vpc`
/// JSON records: the conversion a delivery-stream processor applies to each incoming record.
///
/// Lines of a stream carry no header, so the format is configured (the default v2 format unless told); a header
/// line that does arrive replaces it for the lines after it, as in a file. A line is converted on its own, so a bad
/// line costs only itself. One converter serves one thread (it reuses its encoder's buffers).
public struct VPCFlowLogLineConverter {
    private var parser: VPCFlowLogParser
    private var encoder = JSONLinesEncoder<VPCFlowLogRecord>()
    private var lines = 0

    /// The format lines are read with now.
    public var format: VPCFlowLogFormat { parser.format }

    /// A converter for lines of `format`; `source` names the stream in errors; `observerName` goes to
    /// `observer.name`.
    public init(format: VPCFlowLogFormat = .default, source: String = "<firehose>", observerName: String? = nil) {
        parser = VPCFlowLogParser(format: format, source: source, defaultTime: .zero, observerName: observerName)
    }

    /// Converts one line (a trailing `\n` or `\r\n` is allowed), appending its JSON record and a newline to
    /// `output` when it is traffic. `arrival` is the event time of lines whose format has no `start`/`end`, and
    /// becomes `event.ingested`. On error nothing is appended and the error names the line's place in this
    /// converter's input and the field.
    public mutating func convert(_ line: some Collection<UInt8>, arrival: Timestamp,
                                 into output: inout [UInt8]) throws(VPCFlowLogError) -> VPCFlowLogLineOutcome {
        lines += 1
        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r")
            || $0 == UInt8(ascii: "\n") }) {
            return .blank
        }
        if VPCFlowLogFormat.isHeader(line.lazy.filter { $0 != UInt8(ascii: "\n") }) {
            let text = String(decoding: line, as: UTF8.self)
            let header: VPCFlowLogFormat
            do {
                header = try VPCFlowLogFormat(text, source: "\(parser.source):\(lines)")
            } catch let error as VPCFlowLogError {
                throw error
            } catch {
                throw VPCFlowLogError(source: parser.source, line: lines, field: nil, reason: .noFormat)
            }
            parser = VPCFlowLogParser(format: header, source: parser.source, defaultTime: .zero,
                                      observerName: parser.observerName)
            return .header
        }
        parser.defaultTime = arrival
        switch try parser.parse(line: line, lineNumber: lines) {
        case .flow(var record):
            record.ingested = arrival
            encoder.encode(record, to: &output)
            return .record
        case .status(let status):
            return .status(status)
        }
    }
}

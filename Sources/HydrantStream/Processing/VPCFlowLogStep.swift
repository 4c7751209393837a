import HydrantFlowLogs
import HydrantRecords
import Metrics

/// A `vpc_flow_log` processor: each record is one VPC Flow Logs line (as VPC Flow Logs delivers to Firehose) and
/// becomes one `flowlog.vpc` JSON record. `NODATA`/`SKIPDATA` lines, header lines and blank records are counted
/// and dropped; a line that does not parse fails alone, to the `processing-failed` error output with the field and
/// the reason. Used by one batch at a time (the stream's gate), hence `@unchecked Sendable`.
final class VPCFlowLogStep: @unchecked Sendable {
    private var converter: VPCFlowLogLineConverter
    private let converted: Counter
    private let noData: Counter
    private let skipData: Counter
    private let dropped: Counter
    private let failed: Counter

    /// A step reading lines of the configured format.
    init(_ configuration: VPCFlowLogProcessorConfiguration, streamName: String) {
        converter = VPCFlowLogLineConverter(format: configuration.format, source: "vpc_flow_log",
                                            observerName: configuration.observerName)
        let dimensions = [("stream", streamName)]
        let label = "hydrant_vpc_flow_log_lines_total"
        converted = Counter(label: label, dimensions: dimensions + [("result", "record")])
        noData = Counter(label: label, dimensions: dimensions + [("result", "NODATA")])
        skipData = Counter(label: label, dimensions: dimensions + [("result", "SKIPDATA")])
        dropped = Counter(label: label, dimensions: dimensions + [("result", "header_or_blank")])
        failed = Counter(label: label, dimensions: dimensions + [("result", "failed")])
    }

    /// Converts every frame's records in place.
    func apply(_ frames: inout [ProcessedFrame]) {
        var line: [UInt8] = []
        var counts = (records: 0, noData: 0, skipData: 0, dropped: 0, failed: 0)
        for index in frames.indices where !frames[index].records.isEmpty {
            let old = frames[index].records
            let arrival = frames[index].arrival
            var records = IngestBatch(reservingRecords: old.count, bytes: old.byteCount * 3)
            for recordIndex in 0..<old.count {
                let source = old[recordIndex]
                line.removeAll(keepingCapacity: true)
                do throws(VPCFlowLogError) {
                    switch try converter.convert(source, arrival: arrival, into: &line) {
                    case .record:
                        // The converter ends the JSON line with a newline; a stream record carries none
                        // (append_delimiter adds it when configured).
                        records.append(line.dropLast())
                        counts.records += 1
                    case .status(let status):
                        if status.logStatus == "SKIPDATA" { counts.skipData += 1 } else { counts.noData += 1 }
                    case .header, .blank:
                        counts.dropped += 1
                    }
                } catch {
                    var reason = error
                    reason.line = 0  // the line's place in the converter's input means nothing across records
                    counts.failed += 1
                    frames[index].failures.append(.init(record: Array(source), code: ProcessingErrorCode.vpcFlowLogMalformed,
                                                        message: reason.description, attempts: 1))
                }
            }
            frames[index].records = records
        }
        converted.increment(by: counts.records)
        noData.increment(by: counts.noData)
        skipData.increment(by: counts.skipData)
        dropped.increment(by: counts.dropped)
        failed.increment(by: counts.failed)
    }
}

import ArgumentParser
import HydrantFlowLogs
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `replay` over VPC Flow Logs files (plain or gzip) or standard input: every traffic line becomes a
/// `flowlog.vpc` record, sent where `replay` sends capture records (stdout, `--output`, or a delivery stream).
struct FlowLogReplay {
    /// The files, in order; `-` is standard input.
    let files: [String]
    /// The format of lines before any header line (nil: a file without a header is an error).
    let lineFormat: VPCFlowLogFormat?
    /// `observer.name` of every record.
    let observerName: String?
    /// Where the records go.
    let delivery: DeliveryOptions
    /// `--output`.
    let output: String?

    /// Replays every file; a file that cannot be read is reported and skipped, and the run then fails (exit 1).
    func run() throws {
        let target = try DeliveryTarget.make(options: delivery, fileOutput: output)
        guard let out = target.output as? any EncodedRecordOutput else {
            throw RuntimeFailure("the output cannot take VPC Flow Logs records")
        }
        let started = monotonicSeconds()
        // Lines without start/end times are dated when the replay began.
        let now = Self.now()
        var totals = VPCFlowLogStatistics()
        var failed: [String] = []
        var errorLines: [String] = []
        var encoder = JSONLinesEncoder<VPCFlowLogRecord>()
        var encoded = EncodedRecords(reservingRecords: 4096)
        let stop = StopSignal()
        for path in files where !stop.requested {
            let reader: VPCFlowLogReader
            do {
                reader = try VPCFlowLogReader(path: path, format: lineFormat, defaultTime: now, observerName: observerName)
            } catch {
                writeStandardError("hydrant: \(error)\n")
                failed.append(path)
                continue
            }
            do {
                try reader.read { batch in
                    encoded.removeAll()
                    for record in batch { encoded.append(record, with: &encoder) }
                    try out.write(encoded)
                    if stop.requested { throw StopRequested() }
                }
            } catch let error as VPCFlowLogError {
                writeStandardError("hydrant: \(error)\n")
                failed.append(path)
            } catch is StopRequested {}
            let stats = reader.statistics
            totals.lines += stats.lines
            totals.headers += stats.headers
            totals.flows += stats.flows
            totals.noData += stats.noData
            totals.skipData += stats.skipData
            totals.errors += stats.errors
            for error in stats.firstErrors where errorLines.count < 10 { errorLines.append("    \(error)") }
        }
        try out.close()
        let deliveryLines = try target.finish()
        let seconds = monotonicSeconds() - started
        var lines = ["hydrant: \(files.count) VPC Flow Logs file(s), \(totals.lines) lines in \(format(seconds)) s",
                     "  flowlog.vpc: \(totals.flows) records written, \(totals.noData) NODATA, \(totals.skipData) SKIPDATA, "
                        + "\(totals.headers) header lines, \(totals.errors) bad lines skipped"]
        lines += errorLines
        lines += deliveryLines
        if !failed.isEmpty { lines.append("  unreadable: \(failed.joined(separator: ", "))") }
        writeStandardError(lines.joined(separator: "\n") + "\n")
        if !failed.isEmpty { throw ExitCode.failure }
    }

    private static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int64(spec.tv_nsec))
    }
}

/// Ends a replay early on SIGINT/SIGTERM, keeping what was written.
private struct StopRequested: Error {}

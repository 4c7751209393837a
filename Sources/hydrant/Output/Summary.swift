import HydrantCapture

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The closing summary of a capture run, written to stderr.
enum Summary {
    /// Prints packets, bytes, records, decode errors by kind and evicted flows.
    static func print(_ stats: CaptureStatistics, seconds: Double, recordsWritten: Int, failedSources: [String],
                      kernelDrops: Int?, deliveryLines: [String] = []) {
        var lines: [String] = []
        let rate = seconds > 0 ? Int(Double(stats.frames) / seconds) : 0
        lines.append("hydrant: \(stats.frames) packets, \(stats.wireBytes) bytes in \(format(seconds)) s (\(rate) packets/s)")
        lines.append("  flows: \(stats.flows.created) created, \(recordsWritten) records written (all datasets), \(stats.flows.evicted) evicted (table full)")
        let decode = stats.decode
        lines.append("  decoded: \(decode.packets) IP packets, \(decode.reassembled) reassembled datagrams, "
            + "\(decode.otherTransport) other transport, \(decode.notIP) other (not IP)")
        if decode.errors.isEmpty {
            lines.append("  decode errors: 0")
        } else {
            let kinds = decode.errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }
            lines.append("  decode errors: \(decode.totalErrors) (\(kinds.joined(separator: ", ")))")
        }
        let app = stats.application
        lines.append("  dns: \(app.dnsMessages) messages, \(app.dnsErrors) malformed, \(app.dnsUnanswered) unanswered, "
            + "\(app.dnsUnmatchedResponses) responses without query")
        lines.append("  http: \(app.httpRequests) requests, \(app.httpErrors) unparsable heads; "
            + "tls: \(app.tlsClientHellos) ClientHellos, \(app.tlsErrors) unparsable handshakes")
        lines.append("  reassembly: \(app.assemblerBufferFull) assembled_buffer_full, \(app.assemblerGapNotFilled) gap_not_filled, "
            + "\(app.sessionsRefused) connections not followed (table full), \(app.sessionsOverBudget) dropped (memory bound)")
        if let kernelDrops { lines.append("  kernel drops: \(kernelDrops)") }
        lines.append(contentsOf: deliveryLines)
        if !failedSources.isEmpty { lines.append("  unreadable: \(failedSources.joined(separator: ", "))") }
        writeStandardError(lines.joined(separator: "\n") + "\n")
    }
}

import HydrantCapture

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress display on stderr, shown only when stderr is a terminal.
struct Progress {
    private let enabled: Bool
    private let started: Double
    private var lastShown: Double

    /// Shows progress only if stderr is a terminal.
    init() {
        enabled = isatty(STDERR_FILENO) == 1
        started = monotonicSeconds()
        lastShown = started
    }

    /// Whether the line should be redrawn now (at most twice a second, and only on a terminal); gathering the
    /// figures waits for the pipeline, so callers ask first.
    mutating func isDue() -> Bool {
        guard enabled else { return false }
        let now = monotonicSeconds()
        guard now - lastShown >= 0.5 else { return false }
        lastShown = now
        return true
    }

    /// Redraws the line.
    func show(_ stats: CaptureStatistics, openFlows: Int, fileDone: Int64?, fileSize: Int64?) {
        let now = monotonicSeconds()
        let rate = Double(stats.frames) / max(now - started, 1e-9)
        var line = "\r\(stats.frames) packets  \(format(Double(stats.wireBytes) / 1e6)) MB  "
            + "\(stats.flows.emitted) records  \(openFlows) open flows  \(Int(rate)) packets/s"
        if let fileDone, let fileSize, fileSize > 0 {
            line += "  \(format(100 * Double(fileDone) / Double(fileSize)))%"
        }
        writeStandardError(line + "\u{1b}[K")
    }

    /// Clears the progress line.
    func finish() {
        guard enabled else { return }
        writeStandardError("\r\u{1b}[K")
    }
}

/// Seconds on a monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A number with one decimal.
func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(abs(tenths % 10))"
}

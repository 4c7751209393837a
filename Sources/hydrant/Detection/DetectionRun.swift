import ArgumentParser
import Foundation

/// Rules and alert delivery wired into one `replay` or `agent` run: the record output wrapped so that every batch
/// is evaluated on the writer's thread, and what the end of the run must do (drain the webhooks, summarise).
final class DetectionRun {
    /// The output the background writer feeds (the run's own output when no rules are given).
    let output: any RecordOutput
    private let sink: AlertSink?
    private let detector: RecordDetector?
    private let drainTimeout: Double

    /// Loads the rules (problems go to stderr; exit 2 when none compiles), opens the alert file and webhooks.
    /// `output` is the run's record output; `recordsOnStdout` whether it writes to standard output.
    init(options: DetectionOptions, output: any RecordOutput, recordsOnStdout: Bool, reloadOnHangup: Bool) throws {
        drainTimeout = options.drainTimeout
        guard options.isEnabled else {
            self.output = output
            sink = nil
            detector = nil
            return
        }
        let files = RuleFiles(paths: options.rules)
        let loaded: RuleFiles.Loaded
        do {
            loaded = try files.load()
        } catch {
            throw ValidationError("--rules: \(error)")
        }
        writeStandardError(RuleFiles.report(loaded).joined(separator: "\n") + "\n")
        if loaded.rules.detections.isEmpty {
            throw ValidationError("--rules: no rule compiled (\(loaded.errors.count) problems); nothing to evaluate")
        }
        let webhooks = try options.webhookConfigurations(environment: ProcessInfo.processInfo.environment)
        let run = webhooks.isEmpty ? nil : try WebhookRun(webhooks: webhooks, stateDirectory: options.stateDir)
        let sink = try AlertSink(destination: options.alertDestination(recordsOnStdout: recordsOnStdout), webhooks: run)
        let detector = RecordDetector(files: files, loaded: loaded,
                                      allowedLateness: Int64(options.allowedLateness) * 1_000_000_000)
        self.sink = sink
        self.detector = detector
        self.output = DetectingRecordOutput(inner: output, detector: detector, sink: sink,
                                            reload: reloadOnHangup ? ReloadSignal() : nil)
    }

    /// After the writer closed: waits for webhook delivery and returns the summary lines (none without rules).
    func finish() -> [String] {
        guard let sink, let detector else { return [] }
        var lines = ["  " + sink.summaryLine]
        if let late = detector.correlationCounters, late.lateEvents > 0 || late.evictedGroups > 0 {
            lines.append("  correlations: \(late.lateEvents) matches arrived behind the watermark (dropped), "
                + "\(late.evictedGroups) groups evicted (state bound)")
        }
        if detector.reloads > 0 { lines.append("  rule reloads (SIGHUP, files changed): \(detector.reloads)") }
        lines += sink.finish(drainTimeout: drainTimeout)
        return lines
    }
}

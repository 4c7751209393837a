import HydrantCapture
import HydrantDetect

/// A record output that evaluates the rules on every batch before handing it to the real output (or to none, for
/// `hydrant rules test`). Runs on the background writer's thread, so the capture loop never waits for rules.
final class DetectingRecordOutput: RecordOutput {
    private let inner: (any RecordOutput)?
    private let detector: RecordDetector
    private let sink: AlertSink
    private let reload: ReloadSignal?
    private var finished = false

    /// Evaluates batches with `detector`, alerts to `sink`; `reload` (agent) makes SIGHUP re-read the rules.
    init(inner: (any RecordOutput)?, detector: RecordDetector, sink: AlertSink, reload: ReloadSignal? = nil) {
        self.inner = inner
        self.detector = detector
        self.sink = sink
        self.reload = reload
    }

    var recordsWritten: Int { inner?.recordsWritten ?? detector.evaluatedRecords }

    func write(_ records: CaptureRecords) throws {
        try reloadIfAsked()
        try sink.emit(detector.evaluate(records))
        try inner?.write(records)
    }

    func flush() throws {
        try reloadIfAsked()
        try inner?.flush()
    }

    /// Ends the input: the windows still open are decided and their alerts emitted, then the output closes.
    func close() throws {
        if !finished {
            finished = true
            try sink.emit(detector.finish())
        }
        try inner?.close()
    }

    private func reloadIfAsked() throws {
        guard let reload, reload.take() else { return }
        switch detector.reload() {
        case .unchanged:
            writeStandardError("hydrant: SIGHUP: rule files unchanged; rules and correlation state kept\n")
        case .replaced(let loaded, let kept):
            let lines = RuleFiles.report(loaded)
            let total = loaded.rules.correlations.count
            writeStandardError(lines.joined(separator: "\n") + "\nhydrant: SIGHUP: rules reloaded; "
                + "correlation state kept for \(kept.count) of \(total) correlations (the unchanged ones)\n")
        case .kept(let reason):
            writeStandardError("hydrant: SIGHUP: \(reason)\n")
        }
    }
}

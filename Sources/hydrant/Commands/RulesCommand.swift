import ArgumentParser
import HydrantCapture
import HydrantDetect
import HydrantRecords
import Synchronization

/// `hydrant rules`: check Sigma rule files and try them on captures or records.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Check Sigma rules and run them over captures or records.",
        subcommands: [RulesValidateCommand.self, RulesTestCommand.self]
    )
}

/// `hydrant rules validate`: loads rule files and lists every problem.
struct RulesValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load Sigma rule files and directories and list every problem.",
        discussion: """
        Prints each problem as 'file:line: message' on stdout, then a summary: rules compiled, and rules rejected \
        by reason. Exits 2 when there is any problem (or a path does not exist), 0 otherwise. Directories are read \
        recursively (.yml and .yaml). See docs/rules.md for what Hydrant accepts.

        Example: hydrant rules validate rules/ my-rules/extra.yml
        """
    )

    @Argument(help: "Rule files or directories.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one rule file or directory") }
    }

    func run() throws {
        let rules: RuleSet
        let errors: [RuleLoadError]
        do {
            (rules, errors) = try RuleSet.load(paths: paths)
        } catch {
            writeStandardError("hydrant: rules validate: \(error)\n")
            throw ExitCode(2)
        }
        var out = ""
        for error in errors { out += "\(error)\n" }
        let compiled = rules.detections.count + rules.correlations.count
        out += "\(compiled) rules compiled (\(rules.detections.count) detections, \(rules.correlations.count) correlations"
            + (rules.filterCount > 0 ? ", \(rules.filterCount) filters applied" : "") + "), \(errors.count) rejected"
        if !errors.isEmpty {
            var byReason: [RuleLoadError.Reason: Int] = [:]
            for error in errors { byReason[error.reason, default: 0] += 1 }
            let parts = RuleLoadError.Reason.allCases.compactMap { reason in
                byReason[reason].map { "\(reason.rawValue) \($0)" }
            }
            out += ": " + parts.joined(separator: ", ")
        }
        print(out)
        if !errors.isEmpty { throw ExitCode(2) }
    }
}

/// `hydrant rules test`: the alerts some rules raise on captures or JSON-lines records.
struct RulesTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Sigma rules over captures or JSON-lines records and print the alerts.",
        discussion: """
        Each INPUT is a pcap/pcapng file (run through the capture pipeline with every dataset, as 'hydrant replay' \
        does) or a JSON-lines file of records (recognised by its first non-blank byte, '{'). Inputs are read in \
        order as one stream, on event time: the same input gives the same alerts with the same ids. Only the alerts \
        go to stdout, one JSON line each; rule problems and a summary go to stderr.

        Example: hydrant rules test --rules rules/ captures/mixed-2k.pcap > alerts.jsonl
        """
    )

    @Option(name: .customLong("rules"), help: ArgumentHelp("Sigma rule file or directory; repeat for several.",
                                                          valueName: "path"))
    var rules: [String] = []

    @Argument(help: "pcap/pcapng files or JSON-lines record files.")
    var inputs: [String]

    @Option(help: "observer.name of the records made from captures (default: this host's name, as replay).")
    var observer: String?

    @Option(help: ArgumentHelp("Seconds of event time a correlation waits for late records.", valueName: "seconds"))
    var allowedLateness: Int = 30

    func validate() throws {
        guard !rules.isEmpty else { throw ValidationError("give --rules PATH") }
        guard !inputs.isEmpty else { throw ValidationError("give at least one capture or JSON-lines file") }
        guard (0...86_400).contains(allowedLateness) else {
            throw ValidationError("--allowed-lateness must be 0…86400 seconds, got \(allowedLateness)")
        }
    }

    func run() throws {
        let files = RuleFiles(paths: rules)
        let loaded: RuleFiles.Loaded
        do { loaded = try files.load() } catch { throw ValidationError("--rules: \(error)") }
        writeStandardError(RuleFiles.report(loaded).joined(separator: "\n") + "\n")
        guard !loaded.rules.detections.isEmpty else {
            writeStandardError("hydrant: rules test: no rule compiled; nothing to evaluate\n")
            throw ExitCode(2)
        }
        let detector = RecordDetector(files: files, loaded: loaded,
                                      allowedLateness: Int64(allowedLateness) * 1_000_000_000)
        let sink = AlertSink(file: try AlertFileWriter(path: nil), webhooks: nil)
        let started = monotonicSeconds()
        var failed: [String] = []
        var skippedLines = 0
        for input in inputs {
            switch JSONLinesFile.looksLikeJSONLines(input) {
            case nil:
                writeStandardError("hydrant: \(input): cannot read: no such file or not readable\n")
                failed.append(input)
            case true?:
                do {
                    skippedLines += try JSONLinesFile.forEachBatch(input) { bytes, ends in
                        try sink.emit(detector.evaluate(bytes, ends: ends))
                    }
                } catch let error as InputError {
                    writeStandardError("hydrant: \(error)\n")
                    failed.append(input)
                }
            case false?:
                do {
                    try runCapture(input, detector: detector, sink: sink)
                } catch let error as CaptureError {
                    writeStandardError("hydrant: \(error)\n")
                    failed.append(input)
                }
            }
        }
        try sink.emit(detector.finish())
        let seconds = monotonicSeconds() - started
        var lines = ["hydrant: rules test: \(detector.evaluatedRecords) records in \(format(seconds)) s"
            + (detector.malformedRecords > 0 ? ", \(detector.malformedRecords) not a JSON object (skipped)" : "")
            + (skippedLines > 0 ? ", \(skippedLines) lines over \(JSONLinesFile.maximumLineBytes) bytes (skipped)" : "")]
        lines.append("  " + sink.summaryLine)
        if let counters = detector.correlationCounters, counters.lateEvents > 0 || counters.evictedGroups > 0 {
            lines.append("  correlations: \(counters.lateEvents) matches behind the watermark (dropped), "
                + "\(counters.evictedGroups) groups evicted")
        }
        if !failed.isEmpty { lines.append("  unreadable: \(failed.joined(separator: ", "))") }
        writeStandardError(lines.joined(separator: "\n") + "\n")
        if !failed.isEmpty { throw ExitCode.failure }
    }

    /// Runs a capture through the same pipeline as `replay` (default flow options, every dataset); its records are
    /// evaluated on the engine's flow thread as they come, and the capture is finished before the next input.
    private func runCapture(_ path: String, detector: RecordDetector, sink: AlertSink) throws {
        var arguments: [String] = []
        if let observer { arguments += ["--observer", observer] }
        let options = try FlowOptions.parse(arguments)
        let source = try PcapSource.openFile(path, filter: nil)
        let evaluation = SerialEvaluation(detector: detector, sink: sink)
        let engine = CaptureEngine(flows: options.flowConfiguration, application: options.applicationConfiguration) {
            evaluation.evaluate($0)
        }
        let linkType = source.linkType
        reading: while true {
            switch try source.next() {
            case .frame(let frame): engine.process(frame, linkType: linkType)
            case .idle: continue
            case .end: break reading
            }
        }
        engine.finish()
        try evaluation.check()
    }
}

/// The detector and sink of `rules test`, reached from the capture engine's flow thread.
///
/// Unchecked: the engine calls `evaluate` only on its serial flow queue, and the command touches the detector
/// again only after `CaptureEngine.finish()`, which waits for that queue, so accesses never overlap.
private final class SerialEvaluation: @unchecked Sendable {
    private let detector: RecordDetector
    private let sink: AlertSink
    private let failure = Mutex<(any Error)?>(nil)

    init(detector: RecordDetector, sink: AlertSink) {
        self.detector = detector
        self.sink = sink
    }

    func evaluate(_ records: CaptureRecords) {
        guard failure.withLock({ $0 == nil }) else { return }
        do {
            try sink.emit(detector.evaluate(records))
        } catch {
            failure.withLock { $0 = error }
        }
    }

    /// Throws the first error the sink raised.
    func check() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }
}

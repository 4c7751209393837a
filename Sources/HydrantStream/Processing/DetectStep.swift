import HydrantDetect
import HydrantRecords

/// A `detect` processor: evaluates the records as they are at its place in the chain (enriched when enrichment
/// comes first) and adds the alerts to the frame that raised them. Correlation alerts decided while a frame is
/// evaluated belong to that frame; those decided at shutdown (`finish`) to none. Used by one batch at a time (the
/// stream's gate), hence `@unchecked Sendable`.
final class DetectStep: @unchecked Sendable {
    private let engine: DetectionEngine
    private let metrics: ProcessorMetrics

    /// Loads and compiles the rules; any rule error stops start-up with every error listed (file and line each).
    init(_ configuration: DetectProcessorConfiguration, metrics: ProcessorMetrics) throws(ProcessorStartError) {
        let options = RuleLoadOptions(placeholders: configuration.placeholders)
        let loaded: (RuleSet, [RuleLoadError])
        do {
            loaded = try RuleSet.load(paths: configuration.rules, options: options)
        } catch {
            throw ProcessorStartError(source: configuration.source, "rules \(error)")
        }
        let (rules, errors) = loaded
        guard errors.isEmpty else {
            throw ProcessorStartError(source: configuration.source,
                                      "\(errors.count) rule error(s):\n" + errors.map { "  \($0)" }.joined(separator: "\n"))
        }
        guard !rules.detections.isEmpty || !rules.correlations.isEmpty else {
            throw ProcessorStartError(source: configuration.source,
                                      "no rules found in \(configuration.rules.joined(separator: ", "))")
        }
        engine = DetectionEngine(rules: rules,
                                 allowedLateness: Int64(configuration.allowedLatenessSeconds) * 1_000_000_000,
                                 maximumGroups: configuration.maxGroups)
        self.metrics = metrics
    }

    /// Evaluates every frame and returns the alerts raised, in frame order (also appended to each frame).
    func apply(_ frames: inout [ProcessedFrame]) -> [AlertRecord] {
        var raised: [AlertRecord] = []
        for index in frames.indices where !frames[index].records.isEmpty {
            let records = frames[index].records
            let alerts = records.bytes.withUnsafeBufferPointer { engine.evaluate($0, ends: records.ends) }
            guard !alerts.isEmpty else { continue }
            Self.append(alerts, to: &frames[index].alerts)
            raised += alerts
        }
        metrics.alertsRaised.increment(by: raised.count)
        return raised
    }

    /// Decides every open correlation window (at stream shutdown).
    func finish() -> [AlertRecord] {
        let alerts = engine.finish()
        metrics.alertsRaised.increment(by: alerts.count)
        return alerts
    }

    /// Appends each alert as one record (its JSON object, without the newline).
    static func append(_ alerts: [AlertRecord], to batch: inout IngestBatch) {
        for alert in alerts {
            var line = AlertEncoding.jsonLines([alert])
            if line.last == 0x0A { line.removeLast() }
            batch.append(line)
        }
    }
}

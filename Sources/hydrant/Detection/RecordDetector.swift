import HydrantCapture
import HydrantDetect
import HydrantRecords

/// Runs a `DetectionEngine` over a capture's records, batch by batch, on one thread (the record writer's).
///
/// Records are encoded as the JSON lines the outputs write, so rules see exactly what is archived; the buffer is
/// reused between batches. `reload()` swaps the engine when the rule files changed.
final class RecordDetector {
    private let files: RuleFiles
    private let allowedLateness: Int64
    private var engine: DetectionEngine
    private var fingerprint: [String: [UInt8]]
    private var encoder = CaptureRecordEncoder()
    private var buffer: [UInt8] = []
    private var ends: [Int] = []
    /// Records evaluated with engines this detector discarded on reload.
    private var retiredRecords = 0
    private var retiredMalformed = 0
    /// Reloads that replaced the engine.
    private(set) var reloads = 0

    /// A detector for `loaded` (from `files`); correlations wait `allowedLateness` nanoseconds of event time.
    init(files: RuleFiles, loaded: RuleFiles.Loaded, allowedLateness: Int64) {
        self.files = files
        self.allowedLateness = allowedLateness
        engine = DetectionEngine(rules: loaded.rules, allowedLateness: allowedLateness)
        fingerprint = loaded.fingerprint
        buffer.reserveCapacity(1 << 20)
    }

    /// The rules evaluated now.
    var rules: RuleSet { engine.rules }

    /// Records evaluated so far.
    var evaluatedRecords: Int { retiredRecords + engine.evaluatedRecords }
    /// Records that were not one JSON object (never from a capture; possible in a JSON-lines input).
    var malformedRecords: Int { retiredMalformed + engine.malformedRecords }

    /// Matches dropped behind the watermark and groups evicted by the current engine's correlations, if any.
    var correlationCounters: (lateEvents: Int, evictedGroups: Int)? {
        engine.correlationEngine.map { ($0.lateEvents, $0.evictedGroups) }
    }

    /// Alerts of one batch of capture records.
    func evaluate(_ records: CaptureRecords) -> [AlertRecord] {
        buffer.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        encoder.forEach(records) { encode in
            encode(&buffer)
            ends.append(buffer.count)
        }
        return engine.evaluate(buffer, ends: ends)
    }

    /// Alerts of records given as JSON lines (`ends` are the end offsets of the records in `bytes`).
    func evaluate(_ bytes: UnsafeBufferPointer<UInt8>, ends: [Int]) -> [AlertRecord] {
        engine.evaluate(bytes, ends: ends)
    }

    /// Ends the input: the alerts of windows still open.
    func finish() -> [AlertRecord] { engine.finish() }

    /// What a reload did.
    enum ReloadOutcome {
        /// No rule file changed; the engine and its correlation state stay.
        case unchanged
        /// The files changed and the new rules replaced the old; the correlations listed in `keptState`
        /// (unchanged, with unchanged rules) kept their windows, the others started empty.
        case replaced(RuleFiles.Loaded, keptState: [String])
        /// The files changed but could not be used (a path vanished, or nothing compiled while something did
        /// before); the old rules stay.
        case kept(String)
    }

    /// Re-reads the rule files. The engine is replaced only when a file changed; the new one takes over the
    /// correlation state of the correlations whose definition (and that of the rules they reference) is unchanged.
    func reload() -> ReloadOutcome {
        let now = RuleFiles.fingerprint(files.paths)
        if now == fingerprint { return .unchanged }
        let loaded: RuleFiles.Loaded
        do {
            loaded = try files.load()
        } catch {
            return .kept("\(error); the previous rules stay")
        }
        let hadRules = !engine.rules.detections.isEmpty
        if hadRules && loaded.rules.detections.isEmpty {
            fingerprint = loaded.fingerprint
            return .kept("no rule compiled (\(loaded.errors.count) problems); the previous rules stay")
        }
        retiredRecords += engine.evaluatedRecords
        retiredMalformed += engine.malformedRecords
        let replacement = DetectionEngine(rules: loaded.rules, allowedLateness: allowedLateness)
        let kept = replacement.adoptCorrelationState(from: engine)
        engine = replacement
        fingerprint = loaded.fingerprint
        reloads += 1
        return .replaced(loaded, keptState: kept)
    }
}

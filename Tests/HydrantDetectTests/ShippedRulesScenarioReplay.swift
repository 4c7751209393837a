import Foundation
import HydrantDetect
import HydrantRecords
import Testing

/// The shipped rules, the scenario manifest and a replay of a scenario capture through the shipped rules.
///
/// HydrantDetectTests cannot link HydrantCapture (Package.swift), so the capture is turned into records by the
/// real `hydrant replay` binary (CaptureEngine with every dataset, JSONLinesEncoder), and the records are then
/// evaluated in-process by a `DetectionEngine` over every shipped rule.
enum ShippedRules {
    /// The package root: this file is `<root>/Tests/HydrantDetectTests/ShippedRulesScenarioReplay.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `rules/`.
    static var rulesDirectory: String { packageRoot.appendingPathComponent("rules").path }

    /// `captures/`.
    static var capturesDirectory: URL { packageRoot.appendingPathComponent("captures") }

    /// The `hydrant` binary of this build (beside the test bundle, or `.build/debug/hydrant`); `HYDRANT_BIN`
    /// overrides.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["HYDRANT_BIN"], !path.isEmpty {
            return path.hasPrefix("/") ? path : packageRoot.appendingPathComponent(path).path
        }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("hydrant")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return packageRoot.appendingPathComponent(".build/debug/hydrant").path
    }

    /// Every shipped rule, and the load errors (expected: none).
    static func load() throws -> (RuleSet, [RuleLoadError]) {
        try RuleSet.load(paths: [rulesDirectory])
    }

    /// The rules that read `dns.question.registered_domain` or `dns.question.subdomain`, which need Debian's
    /// Public Suffix List on the machine that makes the records.
    static let needPublicSuffixList: Set<String> = [
        "0a19c9a3-9fd8-495e-a9b8-ccb4b4174ed2", "cd46f3d8-a780-4463-9990-ea6d465abb09",
    ]

    /// One alert a scenario must raise, as the manifest states it.
    struct ExpectedAlert: Hashable, CustomStringConvertible {
        /// `rule.id` of the alert (the rule's `id`).
        var rule: String
        /// `alert.group` (correlations), nil for a detection.
        var group: String?
        /// `alert.count`.
        var count: Int64
        /// `destination.ip:destination.port` of a detection alert's record, nil for correlations.
        var destination: String?

        var description: String { "\(rule) group=\(group ?? "-") count=\(count) destination=\(destination ?? "-")" }

        /// The manifest form of an alert that was raised.
        init(_ alert: AlertRecord) {
            rule = alert.ruleID
            group = alert.group
            count = alert.count
            if alert.kind == .detection, let ip = alert.destinationIP {
                destination = "\(ip):\(alert.destinationPort.map(String.init) ?? "-")"
            }
        }

        init(rule: String, group: String?, count: Int64, destination: String?) {
            self.rule = rule
            self.group = group
            self.count = count
            self.destination = destination
        }
    }

    /// One scenario of `captures/scenarios.json`.
    struct Scenario: CustomTestStringConvertible {
        var name: String
        var file: String
        var seed: UInt64
        var benign: Bool
        var alerts: [ExpectedAlert]

        var testDescription: String { name }
    }

    /// The scenarios of the manifest.
    static func manifest() throws -> [Scenario] {
        let data = try Data(contentsOf: capturesDirectory.appendingPathComponent("scenarios.json"))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = root["scenarios"] as? [[String: Any]] else {
            throw ReplayError("captures/scenarios.json: no \"scenarios\" list")
        }
        return try list.map { entry in
            guard let name = entry["name"] as? String, let file = entry["file"] as? String,
                  let seed = entry["seed"] as? Int, let benign = entry["benign"] as? Bool,
                  let alerts = entry["alerts"] as? [[String: Any]] else {
                throw ReplayError("captures/scenarios.json: incomplete entry \(entry)")
            }
            let expected = try alerts.map { alert in
                guard let rule = alert["rule"] as? String, let count = alert["count"] as? Int else {
                    throw ReplayError("captures/scenarios.json: \(name): alert without rule or count")
                }
                return ExpectedAlert(rule: rule, group: alert["group"] as? String, count: Int64(count),
                                     destination: alert["destination"] as? String)
            }
            return Scenario(name: name, file: file, seed: UInt64(seed), benign: benign, alerts: expected)
        }
    }

    /// The JSON-lines records of every dataset that `hydrant replay` makes of `capture`, in event-time order
    /// (stable: records with the same `@timestamp` keep the replay's order).
    ///
    /// The replay writes flows when they end but stamps them with their start, after application records of
    /// later packets; a stream fed in that order would see early flows behind the watermark. Sorting stands for
    /// what a delivery stream's reordering (`allowedLateness`) does when the lateness covers the flows' lengths.
    static func records(of capture: URL) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["replay", capture.path, "--datasets", "flow,dns,http,tls", "--observer", "scenario"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReplayError("hydrant replay \(capture.lastPathComponent) exited \(process.terminationStatus): "
                + String(decoding: message, as: UTF8.self))
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        return try lines.enumerated().map { index, line -> (String, Int, String) in
            guard let start = line.range(of: "\"@timestamp\":\""),
                  let end = line[start.upperBound...].firstIndex(of: "\"") else {
                throw ReplayError("record without @timestamp: \(line.prefix(200))")
            }
            return (String(line[start.upperBound..<end]), index, line)
        }
        .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        .map(\.2)
    }

    /// The alerts the shipped rules raise on `records` (JSON lines), `finish()` included.
    static func alerts(rules: RuleSet, records: [String]) -> [AlertRecord] {
        let engine = DetectionEngine(rules: rules)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for line in records {
            bytes.append(contentsOf: line.utf8)
            ends.append(bytes.count)
        }
        var alerts = engine.evaluate(bytes, ends: ends)
        alerts += engine.finish()
        return alerts
    }

    /// A replay that could not run.
    struct ReplayError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

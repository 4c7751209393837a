import Foundation
import Testing

/// `hydrant rules validate` and `hydrant rules test`: the real binary over rule files the tests write and the
/// sample capture.
@Suite struct RulesCommandTests {
    static let telnetRule = """
        title: Telnet session
        id: 0f5c2a8e-6a4b-4d3e-9b1a-7c2d5e8f1a23
        description: A TCP connection to the Telnet port.
        status: test
        level: medium
        tags:
            - attack.t1021
        logsource:
            category: network
            service: connection
        detection:
            selection:
                destination.port: 23
                network.transport: tcp
            condition: selection
        """

    static let curlRule = """
        title: Command-line HTTP client
        id: 5b7d1c9e-2f4a-4e6b-8d3c-1a9e7f5b2c40
        status: test
        level: low
        logsource:
            category: network
            service: http
        detection:
            selection:
                user_agent.original|startswith: 'curl/'
            condition: selection
        """

    private static var sample: String { HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-2k.pcap").path }

    private static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
        }
    }

    static func value(_ record: [String: Any], _ path: String) -> Any? {
        var current: Any? = record
        for part in path.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        return current
    }

    // MARK: - validate

    @Test func validateAcceptsGoodRulesAndExitsZero() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.telnetRule.write(to: dir.appendingPathComponent("telnet.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try Self.curlRule.write(to: dir.appendingPathComponent("nested/curl.yaml"), atomically: true, encoding: .utf8)
        let outcome = try HydrantProcess.run(["rules", "validate", dir.path])
        #expect(outcome.exitStatus == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("2 rules compiled (2 detections, 0 correlations), 0 rejected"), "\(outcome.stdout)")
    }

    @Test func validateListsEveryErrorWithFileAndLineAndExitsTwo() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yml")
        // Three documents: an uppercase AND, an unknown modifier on line 22, and a good rule.
        try """
            title: Uppercase
            logsource:
                category: network
                service: connection
            detection:
                a:
                    destination.port: 23
                b:
                    network.transport: tcp
                condition: a AND b
            ---
            title: Unknown modifier
            logsource:
                category: network
                service: dns
            detection:
                selection:
                    dns.question.name|sounds_like: example
                condition: selection
            ---
            \(Self.telnetRule)
            """.write(to: bad, atomically: true, encoding: .utf8)
        let missingReference = dir.appendingPathComponent("correlation.yml")
        try """
            title: Many telnets
            correlation:
                type: event_count
                rules:
                    - no-such-rule
                group-by:
                    - source.ip
                timespan: 5m
                condition:
                    gte: 10
            """.write(to: missingReference, atomically: true, encoding: .utf8)
        let outcome = try HydrantProcess.run(["rules", "validate", bad.path, missingReference.path])
        #expect(outcome.exitStatus == 2, "\(outcome.stdout)\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        let errors = lines.filter { $0.hasPrefix(bad.path + ":") || $0.hasPrefix(missingReference.path + ":") }
        #expect(errors.count == 3, "\(outcome.stdout)")
        #expect(errors.contains { $0.hasPrefix("\(bad.path):10:") && $0.contains("AND") }, "\(outcome.stdout)")
        #expect(errors.contains { $0.hasPrefix("\(bad.path):18:") && $0.contains("sounds_like") }, "\(outcome.stdout)")
        #expect(errors.contains { $0.hasPrefix(missingReference.path + ":") && $0.contains("no-such-rule") }, "\(outcome.stdout)")
        let summary = try #require(lines.last)
        #expect(summary.contains("1 rules compiled (1 detections, 0 correlations), 3 rejected"), "\(summary)")
        #expect(summary.contains("condition 1"), "\(summary)")
        #expect(summary.contains("modifier 1"), "\(summary)")
        #expect(summary.contains("reference 1"), "\(summary)")
    }

    @Test func validateOfAMissingPathExitsTwo() throws {
        let outcome = try HydrantProcess.run(["rules", "validate", "/nonexistent/rules"])
        #expect(outcome.exitStatus == 2)
        #expect(outcome.stderr.contains("/nonexistent/rules: no such file or directory"), "\(outcome.stderr)")
    }

    // MARK: - test

    /// The flow records of the sample capture with destination port 23 over TCP, from `replay` (the independent
    /// count the alerts must match).
    private static func telnetFlows(observer: String) throws -> (records: String, telnet: [[String: Any]]) {
        let replay = try HydrantProcess.run(["replay", sample, "--observer", observer])
        #expect(replay.exitStatus == 0, "\(replay.stderr)")
        let records = try jsonLines(replay.stdout)
        let telnet = records.filter {
            value($0, "event.dataset") as? String == "network.flow" && value($0, "destination.port") as? Int == 23
                && value($0, "network.transport") as? String == "tcp"
        }
        return (replay.stdout, telnet)
    }

    @Test func testOnACaptureRaisesTheExpectedAlertsIdenticallyTwice() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rule = dir.appendingPathComponent("telnet.yml")
        try Self.telnetRule.write(to: rule, atomically: true, encoding: .utf8)
        let (_, telnet) = try Self.telnetFlows(observer: "rules-test")
        #expect(!telnet.isEmpty, "the sample capture has Telnet connections")

        let first = try HydrantProcess.run(["rules", "test", "--rules", rule.path, Self.sample, "--observer", "rules-test"])
        #expect(first.exitStatus == 0, "\(first.stderr)")
        let alerts = try Self.jsonLines(first.stdout)
        #expect(alerts.count == telnet.count, "\(first.stderr)")
        for alert in alerts {
            #expect(Self.value(alert, "event.dataset") as? String == "alert")
            #expect(Self.value(alert, "rule.id") as? String == "0f5c2a8e-6a4b-4d3e-9b1a-7c2d5e8f1a23")
            #expect(Self.value(alert, "rule.name") as? String == "Telnet session")
            #expect(Self.value(alert, "destination.port") as? Int == 23)
            #expect(Self.value(alert, "alert.kind") as? String == "detection")
            #expect((Self.value(alert, "alert.id") as? String)?.count == 32)
        }
        let alertCommunityIDs = Set(alerts.compactMap { (Self.value($0, "alert.evidence.community_ids") as? [String])?.first })
        let flowCommunityIDs = Set(telnet.compactMap { Self.value($0, "network.community_id") as? String })
        #expect(alertCommunityIDs == flowCommunityIDs)
        #expect(first.stderr.contains("alerts: \(telnet.count) (by rule: Telnet session=\(telnet.count))"), "\(first.stderr)")

        let second = try HydrantProcess.run(["rules", "test", "--rules", rule.path, Self.sample, "--observer", "rules-test"])
        #expect(second.exitStatus == 0)
        #expect(second.stdout == first.stdout, "same input, same alerts and ids")
    }

    @Test func testOnJSONLinesGivesTheSameAlertsAsOnTheCapture() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try Self.telnetRule.write(to: rules.appendingPathComponent("telnet.yml"), atomically: true, encoding: .utf8)
        try Self.curlRule.write(to: rules.appendingPathComponent("curl.yml"), atomically: true, encoding: .utf8)
        let (records, _) = try Self.telnetFlows(observer: "rules-test")
        let recordsFile = dir.appendingPathComponent("records.jsonl")
        // Leading blank lines and a trailing line without a newline: still JSON lines.
        try ("\n  \n" + records.trimmingCharacters(in: .newlines)).write(to: recordsFile, atomically: true, encoding: .utf8)

        let fromCapture = try HydrantProcess.run(["rules", "test", "--rules", rules.path, Self.sample, "--observer", "rules-test"])
        let fromRecords = try HydrantProcess.run(["rules", "test", "--rules", rules.path, recordsFile.path])
        #expect(fromCapture.exitStatus == 0, "\(fromCapture.stderr)")
        #expect(fromRecords.exitStatus == 0, "\(fromRecords.stderr)")
        let captureAlerts = try Self.jsonLines(fromCapture.stdout)
        let curl = captureAlerts.filter { Self.value($0, "rule.name") as? String == "Command-line HTTP client" }
        #expect(!curl.isEmpty)
        // Same records, possibly in another order within a batch: same alerts, same ids.
        let ids = { (alerts: [[String: Any]]) in alerts.compactMap { Self.value($0, "alert.id") as? String }.sorted() }
        #expect(ids(try Self.jsonLines(fromRecords.stdout)) == ids(captureAlerts))
        #expect(!ids(captureAlerts).isEmpty)
    }

    @Test func testReportsAnUnreadableInputAndExitsOne() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rule = dir.appendingPathComponent("telnet.yml")
        try Self.telnetRule.write(to: rule, atomically: true, encoding: .utf8)
        let garbage = dir.appendingPathComponent("garbage.bin")
        try Data("not a capture, not JSON".utf8).write(to: garbage)
        let outcome = try HydrantProcess.run(["rules", "test", "--rules", rule.path, garbage.path, Self.sample])
        #expect(outcome.exitStatus == 1)
        #expect(outcome.stderr.contains(garbage.path), "\(outcome.stderr)")
        #expect(try !Self.jsonLines(outcome.stdout).isEmpty, "the readable input after the bad one is still evaluated")
    }
}

import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hydrant replay --rules`: alerts to a file or stdout, and to a real webhook receiver (`hydrant alerts listen`).
@Suite struct ReplayDetectionTests {
    private static var sample: String { HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-2k.pcap").path }
    /// The environment variable holding the webhook secret, set in this process so that the children inherit it.
    private static let secretVariable = "HYDRANT_CLI_DETECTION_TEST_SECRET"

    private struct Scratch {
        let dir: URL
        let rules: URL
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-detect-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            rules = dir.appendingPathComponent("rules.yml")
            try (RulesCommandTests.telnetRule + "\n---\n" + RulesCommandTests.curlRule)
                .write(to: rules, atomically: true, encoding: .utf8)
        }
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    private func ids(_ alerts: [[String: Any]]) -> [String] {
        alerts.compactMap { RulesCommandTests.value($0, "alert.id") as? String }.sorted()
    }

    @Test func alertsGoToTheAlertsFileAndMatchRulesTest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let outcome = try HydrantProcess.run(["replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path,
                                              "-o", scratch.path("records.jsonl"), "--alerts", scratch.path("alerts.jsonl")])
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
        let alerts = try RulesCommandTests.jsonLines(String(contentsOfFile: scratch.path("alerts.jsonl"), encoding: .utf8))
        let byRule = Dictionary(grouping: alerts) { RulesCommandTests.value($0, "rule.name") as? String ?? "" }
        let telnet = byRule["Telnet session"]?.count ?? 0
        let curl = byRule["Command-line HTTP client"]?.count ?? 0
        #expect(telnet > 0 && curl > 0)
        let first = curl >= telnet ? "Command-line HTTP client=\(curl), Telnet session=\(telnet)"
            : "Telnet session=\(telnet), Command-line HTTP client=\(curl)"
        #expect(outcome.stderr.contains("alerts: \(alerts.count) (by rule: \(first))"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("2 detection rules, 0 correlations loaded"), "\(outcome.stderr)")

        // The same alerts, with the same ids, as `rules test` on the records replay wrote.
        let check = try HydrantProcess.run(["rules", "test", "--rules", scratch.rules.path, scratch.path("records.jsonl")])
        #expect(check.exitStatus == 0, "\(check.stderr)")
        #expect(ids(try RulesCommandTests.jsonLines(check.stdout)) == ids(alerts))
    }

    @Test func alertsTakeStdoutWhenRecordsGoToAFileAndOnlyTheSummaryOtherwise() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let toFile = try HydrantProcess.run(["replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path,
                                             "-o", scratch.path("records.jsonl")])
        #expect(toFile.exitStatus == 0, "\(toFile.stderr)")
        let alerts = try RulesCommandTests.jsonLines(toFile.stdout)
        #expect(!alerts.isEmpty)
        #expect(alerts.allSatisfy { RulesCommandTests.value($0, "event.dataset") as? String == "alert" })

        let toStdout = try HydrantProcess.run(["replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path])
        #expect(toStdout.exitStatus == 0, "\(toStdout.stderr)")
        let records = try RulesCommandTests.jsonLines(toStdout.stdout)
        #expect(records.allSatisfy { RulesCommandTests.value($0, "event.dataset") as? String != "alert" })
        #expect(records.count == (try String(contentsOfFile: scratch.path("records.jsonl"), encoding: .utf8))
            .split(separator: "\n").count)
        #expect(toStdout.stderr.contains("alerts: \(alerts.count) (by rule:"), "\(toStdout.stderr)")
    }

    @Test(arguments: [
        (["--webhook", "http://127.0.0.1:9/"], "--webhook needs --rules"),
        (["--rules", "RULES", "--alerts", "-"], "--alerts -: records already go to stdout"),
        (["--rules", "RULES", "--webhook", "ftp://example/"], "--webhook"),
        (["--rules", "RULES", "--webhook", "http://127.0.0.1:9/", "--webhook-format", "xml"], "--webhook-format"),
        (["--rules", "RULES", "--webhook", "http://127.0.0.1:9/", "--webhook-secret-env", "HYDRANT_NO_SUCH_VARIABLE_X"],
         "HYDRANT_NO_SUCH_VARIABLE_X"),
        (["--rules", "/nonexistent/rules.yml"], "/nonexistent/rules.yml"),
    ])
    func detectionUsageErrorsExitTwo(arguments: [String], message: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let resolved = arguments.map { $0 == "RULES" ? scratch.rules.path : $0 }
        let outcome = try HydrantProcess.run(["replay", Self.sample] + resolved)
        #expect(outcome.exitStatus == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    /// Starts `hydrant alerts listen` on a free port with the test secret.
    private func startListener(_ scratch: Scratch, port: Int) throws -> ServiceProcess {
        setenv(Self.secretVariable, "detection-test-secret", 1)
        let listener = try ServiceProcess(
            executable: HydrantProcess.binary,
            arguments: ["alerts", "listen", "--port", "\(port)", "--secret-env", Self.secretVariable],
            environment: [Self.secretVariable: "detection-test-secret"], logPath: scratch.path("listener-\(port).log"))
        try listener.waitUntilReady(timeout: 30, what: "hydrant alerts listen") { FreePort.isListening(port) }
        return listener
    }

    /// The alert payloads the listener printed (its log also holds its stderr lines, which are not JSON).
    private func received(_ listener: ServiceProcess) throws -> [[String: Any]] {
        let log = try String(contentsOfFile: listener.logPath, encoding: .utf8)
        return try log.split(separator: "\n").filter { $0.hasPrefix("{") }.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    @Test func webhookReceiverGetsEverySignedAlertBeforeReplayExits() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let port = FreePort.pick()
        let listener = try startListener(scratch, port: port)
        defer { listener.stop(signal: SIGTERM) }
        let outcome = try HydrantProcess.run([
            "replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path,
            "-o", scratch.path("records.jsonl"), "--alerts", scratch.path("alerts.jsonl"),
            "--webhook", "http://127.0.0.1:\(port)/hooks/hydrant", "--webhook-secret-env", Self.secretVariable,
            "--webhook-throttle", "0", "--state-dir", scratch.path("state"),
        ], timeout: 120)
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let alerts = try RulesCommandTests.jsonLines(String(contentsOfFile: scratch.path("alerts.jsonl"), encoding: .utf8))
        #expect(!alerts.isEmpty)
        // Replay returned only after the drain: everything is at the receiver now, verified against the secret.
        let payloads = try received(listener)
        #expect(payloads.allSatisfy { $0["version"] as? Int == 1 })
        let delivered = payloads.compactMap { $0["alert"] as? [String: Any] }
        #expect(ids(delivered) == ids(alerts))
        #expect(!listener.logTail().contains("rejected"), "\(listener.logTail())")
        #expect(outcome.stderr.contains("webhook webhook: \(alerts.count) delivered"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("still pending"), "\(outcome.stderr)")
    }

    @Test func defaultThrottleSendsOneNotificationPerRuleAndSourceAndCountsTheRest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let port = FreePort.pick()
        let listener = try startListener(scratch, port: port)
        defer { listener.stop(signal: SIGTERM) }
        let outcome = try HydrantProcess.run([
            "replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path,
            "-o", scratch.path("records.jsonl"), "--alerts", scratch.path("alerts.jsonl"),
            "--webhook", "http://127.0.0.1:\(port)/", "--webhook-secret-env", Self.secretVariable,
            "--state-dir", scratch.path("state"),
        ], timeout: 120)
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let alerts = try RulesCommandTests.jsonLines(String(contentsOfFile: scratch.path("alerts.jsonl"), encoding: .utf8))
        let delivered = try received(listener).compactMap { $0["alert"] as? [String: Any] }
        // The sample is seconds of event time, inside one five-minute window: a detection's notification group is
        // its rule and source address, so each (rule, source.ip) pair of the archived alerts is notified once.
        func group(_ alert: [String: Any]) -> String {
            "\(RulesCommandTests.value(alert, "rule.name") as? String ?? "?")|\(RulesCommandTests.value(alert, "source.ip") as? String ?? "")"
        }
        let groups = Set(alerts.map(group))
        let notified = delivered.map(group)
        #expect(Set(notified) == groups)
        #expect(notified.count == groups.count, "one notification per group: \(notified.sorted())")
        #expect(Set(delivered.compactMap { RulesCommandTests.value($0, "rule.name") as? String })
                    == ["Command-line HTTP client", "Telnet session"])
        #expect(alerts.count > groups.count, "the sample repeats groups, so the throttle has something to hold back")
        #expect(outcome.stderr.contains("\(groups.count) delivered, \(alerts.count - groups.count) held back by the throttle"),
                "\(outcome.stderr)")
    }

    @Test func undeliveredAlertsAreReportedAndSentByTheNextRun() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let port = FreePort.pick()
        setenv(Self.secretVariable, "detection-test-secret", 1)
        let arguments = [
            "replay", Self.sample, "--observer", "detect", "--rules", scratch.rules.path,
            "-o", scratch.path("records.jsonl"), "--alerts", scratch.path("alerts.jsonl"),
            "--webhook", "http://127.0.0.1:\(port)/", "--webhook-secret-env", Self.secretVariable,
            "--webhook-throttle", "0", "--state-dir", scratch.path("state"),
        ]
        // Nobody listens: the alerts wait in the outbox, the run ends after the drain timeout and says so.
        let first = try HydrantProcess.run(arguments + ["--drain-timeout", "2"], timeout: 120)
        #expect(first.exitStatus == 0, "\(first.stderr)")
        let alerts = try RulesCommandTests.jsonLines(String(contentsOfFile: scratch.path("alerts.jsonl"), encoding: .utf8))
        #expect(first.stderr.contains("\(alerts.count) still pending after 2.0 s"), "\(first.stderr)")
        #expect(first.stderr.contains(scratch.path("state") + "/webhook for the next run"), "\(first.stderr)")

        let listener = try startListener(scratch, port: port)
        defer { listener.stop(signal: SIGTERM) }
        let second = try HydrantProcess.run(arguments, timeout: 120)
        #expect(second.exitStatus == 0, "\(second.stderr)")
        #expect(second.stderr.contains("(\(alerts.count) recovered from an earlier run)"), "\(second.stderr)")
        let delivered = try received(listener).compactMap { $0["alert"] as? [String: Any] }
        // Each alert arrives (the recovered copy and this run's copy carry the same id: receivers deduplicate).
        #expect(Set(ids(delivered)) == Set(ids(alerts)))
        #expect(!second.stderr.contains("still pending"), "\(second.stderr)")
    }
}

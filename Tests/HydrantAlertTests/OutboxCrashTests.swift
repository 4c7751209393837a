import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantAlert

#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` with undelivered alerts in the outbox: a child process (this test bundle, running only the child
/// test below) queues alerts for a receiver that is down and is killed; a new delivery over the same outbox sends
/// them all once the receiver is up.
@Suite(.serialized) struct OutboxCrashTests {
    static let childDirectoryVariable = "HYDRANT_ALERT_CRASH_CHILD_DIR"
    static let childPortVariable = "HYDRANT_ALERT_CRASH_CHILD_PORT"
    static let alertCount = 300

    static func webhook(port: Int) throws -> WebhookConfiguration {
        try WebhookConfiguration(name: "crash", url: "http://127.0.0.1:\(port)/hooks/alerts",
                                 secret: Array(AlertDeliveryTests.secret.utf8),
                                 retry: RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(200), duration: .seconds(60)),
                                 throttleWindow: .zero)
    }

    @Test func alertsQueuedBeforeKillNineAreDeliveredAfterRestart() async throws {
        let receiver = try WebhookReceiver(secret: AlertDeliveryTests.secret, start: false)
        let directory = try AlertFixtures.directory("outbox-crash")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bundle = CommandLine.arguments[0]
        let child = try ServiceProcess(
            executable: bundle,
            arguments: ["--testing-library", "swift-testing", "--filter", "OutboxCrashTests/childQueuesAlertsAndWaits"],
            environment: [Self.childDirectoryVariable: directory, Self.childPortVariable: String(receiver.port)],
            logPath: directory + "/child.log")
        let marker = directory + "/queued"
        let count = { Int((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "") ?? 0 }
        try child.waitUntilReady(timeout: 60, what: "child process") { count() >= Self.alertCount }
        // The child keeps appending while it is killed, so some entries may be torn; all marked ones are whole.
        let queued = count()
        let status = child.stop(signal: SIGKILL)
        #expect(status & 0x7f == SIGKILL, "the child died of SIGKILL")
        #expect(queued >= Self.alertCount)

        try receiver.start()
        let delivery = try AlertDelivery(
            webhooks: [try Self.webhook(port: receiver.port)], outboxDirectory: directory + "/outbox",
            deadLetters: try DeadLetterFile(path: directory + "/dead.jsonl"), metricsFactory: CountingMetrics())
        let recovered = await delivery.statistics().first?.recovered ?? 0
        let report = await delivery.drain(timeout: .seconds(20))
        await delivery.shutdown()
        #expect(report.isComplete, "\(report)")
        #expect(recovered >= queued)
        let keys = receiver.requests().filter { $0.step == "ok" && $0.signatureOK }.map(\.key)
        #expect(Set(keys).count == keys.count, "no alert delivered twice")
        let expected = Set((0..<queued).map { "crash-\($0)" })
        #expect(expected.isSubset(of: Set(keys)), "missing: \(expected.subtracting(keys).sorted().prefix(10))")
        #expect(keys.count == recovered)
    }

    /// The child's half (runs only inside the test above): queue alerts in batches for a receiver that is down,
    /// record how many are durable, keep going until killed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childDirectoryVariable] != nil))
    func childQueuesAlertsAndWaits() async throws {
        let environment = ProcessInfo.processInfo.environment
        let directory = try #require(environment[Self.childDirectoryVariable])
        let port = try #require(environment[Self.childPortVariable].flatMap(Int.init))
        let delivery = try AlertDelivery(
            webhooks: [try Self.webhook(port: port)], outboxDirectory: directory + "/outbox",
            deadLetters: try DeadLetterFile(path: directory + "/child-dead.jsonl"), metricsFactory: CountingMetrics())
        var next = 0
        while true {
            try await delivery.submit((next..<(next + 50)).map { AlertFixtures.alert(id: "crash-\($0)") })
            next += 50
            // submit returned, so these are fsynced in the outbox; say so atomically.
            try String(next).write(toFile: directory + "/queued.tmp", atomically: false, encoding: .utf8)
            rename(directory + "/queued.tmp", directory + "/queued")
            try await Task.sleep(for: .milliseconds(next >= Self.alertCount ? 20 : 1))
        }
    }
}

import Foundation
import HydrantTestSupport
import Testing
@testable import HydrantAlert

/// `hydrant alerts listen` (the built binary) as the receiver of a real delivery.
@Suite(.serialized) struct AlertsListenTests {
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("hydrant").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func listenerPrintsSignedAlertsAndRejectsBadSignatures() async throws {
        let directory = try AlertFixtures.directory("alerts-listen")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = FreePort.pick()
        let listener = try ServiceProcess(
            executable: Self.binary, arguments: ["alerts", "listen", "--port", String(port), "--secret-env", "LISTEN_SECRET"],
            environment: ["LISTEN_SECRET": "listen-secret"], logPath: directory + "/listen.log")
        defer { listener.stop() }
        try listener.waitUntilReady(timeout: 30, what: "hydrant alerts listen") { FreePort.isListening(port) }

        func webhook(_ name: String, secret: String) throws -> WebhookConfiguration {
            try WebhookConfiguration(name: name, url: "http://127.0.0.1:\(port)/", secret: Array(secret.utf8),
                                     retry: RetryPolicy(initial: .milliseconds(50), maximum: .milliseconds(100), duration: .seconds(1)),
                                     throttleWindow: .zero)
        }
        let delivery = try AlertDelivery(
            webhooks: [try webhook("good", secret: "listen-secret"), try webhook("forged", secret: "wrong-secret")],
            outboxDirectory: directory + "/outbox", deadLetters: try DeadLetterFile(path: directory + "/dead.jsonl"),
            metricsFactory: CountingMetrics())
        try await delivery.submit((0..<3).map { AlertFixtures.alert(id: "listen-\($0)") })
        let report = await delivery.drain(timeout: .seconds(10))
        await delivery.shutdown()
        #expect(report.isComplete)

        let output = listener.logTail(100_000)
        let printed = output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let ids = printed.compactMap { ($0["alert"] as? [String: Any])?["alert.id"] as? String }
        #expect(ids.sorted() == ["listen-0", "listen-1", "listen-2"], "\(output)")
        #expect(output.contains("rejected alert listen-0: signature does not match"), "\(output)")
        let letters = AlertFixtures.deadLetters(at: directory + "/dead.jsonl")
        #expect(letters.count == 3)
        #expect(letters.allSatisfy { $0["webhook"] as? String == "forged" && ($0["lastResponse"] as? [String: Any])?["status"] as? Int == 401 })
    }
}

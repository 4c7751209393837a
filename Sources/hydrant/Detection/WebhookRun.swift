import Foundation
import HydrantAlert
import Logging

/// The alert webhooks of one `replay` or `agent` run: an `AlertDelivery` with its outboxes under the state
/// directory and dead letters in `<state dir>/alert-delivery-failed.jsonl`, driven from a plain thread.
final class WebhookRun {
    private let delivery: AlertDelivery
    private let deadLetterPath: String
    private let stateDirectory: String
    private var shutDown = false

    /// Opens the outboxes (resending what an earlier run left pending) and starts the workers.
    init(webhooks: [WebhookConfiguration], stateDirectory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure("--state-dir \(stateDirectory): cannot create: \(error.localizedDescription)")
        }
        deadLetterPath = (stateDirectory as NSString).appendingPathComponent("alert-delivery-failed.jsonl")
        self.stateDirectory = stateDirectory
        do {
            let deadLetters = try DeadLetterFile(path: deadLetterPath)
            delivery = try AlertDelivery(webhooks: webhooks, outboxDirectory: stateDirectory, deadLetters: deadLetters,
                                         logger: Logger(label: "hydrant.alerts"))
        } catch {
            throw RuntimeFailure("alert delivery: \(error)")
        }
    }

    /// A run that ends without `finish` (an error) still stops the workers and HTTP clients; pending alerts stay
    /// in the outbox.
    deinit {
        if !shutDown {
            let delivery = self.delivery
            try? waitFor { await delivery.shutdown() }
        }
    }

    /// Queues alerts; returns once they are durable in every outbox.
    func submit(_ notifications: [AlertNotification]) throws {
        guard !notifications.isEmpty else { return }
        let delivery = self.delivery
        do {
            try waitFor { try await delivery.submit(notifications) }
        } catch {
            throw RuntimeFailure("alert delivery: \(error)")
        }
    }

    /// Waits up to `timeout` seconds for the outboxes to empty, stops delivery, and returns summary lines.
    func finish(drainTimeout timeout: Double) -> [String] {
        let delivery = self.delivery
        let report = (try? waitFor { await delivery.drain(timeout: .milliseconds(Int64(timeout * 1000))) })
            ?? DrainReport(pending: [:])
        let statistics = (try? waitFor { await delivery.statistics() }) ?? []
        try? waitFor { await delivery.shutdown() }
        shutDown = true
        var lines: [String] = []
        for webhook in statistics {
            var line = "  webhook \(webhook.name): \(webhook.delivered) delivered"
            if webhook.recovered > 0 { line += " (\(webhook.recovered) recovered from an earlier run)" }
            if webhook.suppressed > 0 { line += ", \(webhook.suppressed) held back by the throttle" }
            if webhook.filtered > 0 { line += ", \(webhook.filtered) filtered out" }
            if webhook.retries > 0 { line += ", \(webhook.retries) retries" }
            if webhook.failed > 0 { line += ", \(webhook.failed) failed (see \(deadLetterPath))" }
            let pending = report.pending[webhook.name] ?? webhook.pending
            if pending > 0 {
                line += ", \(pending) still pending after \(format(timeout)) s: they stay in "
                    + "\((stateDirectory as NSString).appendingPathComponent(webhook.name)) for the next run"
            }
            lines.append(line)
        }
        return lines
    }
}

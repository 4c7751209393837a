import HydrantAlert
import HydrantDetect
import HydrantRecords

/// Where a run's alerts go: JSON lines to a file or stdout, the webhooks, and a count by rule for the summary.
/// Used from one thread at a time.
final class AlertSink {
    private let file: AlertFileWriter?
    private let webhooks: WebhookRun?
    private var countsByRule: [String: Int] = [:]
    /// Alerts raised so far.
    private(set) var total = 0

    /// A sink writing to `file` (nil: nowhere) and submitting to `webhooks` (nil: none).
    init(file: AlertFileWriter?, webhooks: WebhookRun?) {
        self.file = file
        self.webhooks = webhooks
    }

    /// A sink for `destination` and the options' webhooks.
    convenience init(destination: AlertFileDestination, webhooks: WebhookRun?) throws {
        let file: AlertFileWriter? = switch destination {
        case .none: nil
        case .standardOutput: try AlertFileWriter(path: nil)
        case .file(let path): try AlertFileWriter(path: path)
        }
        self.init(file: file, webhooks: webhooks)
    }

    /// Writes, counts and submits a batch of alerts; returns once the webhooks' outboxes hold them.
    func emit(_ alerts: [AlertRecord]) throws {
        guard !alerts.isEmpty else { return }
        total += alerts.count
        for alert in alerts { countsByRule[alert.ruleName, default: 0] += 1 }
        if let file { try file.write(AlertEncoding.jsonLines(alerts)) }
        if let webhooks { try webhooks.submit(alerts.map(AlertNotification.init)) }
    }

    /// `alerts: N (by rule: name=count, …)`, most frequent first.
    var summaryLine: String {
        guard total > 0 else { return "alerts: 0" }
        let parts = countsByRule.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
        return "alerts: \(total) (by rule: \(parts.joined(separator: ", ")))"
    }

    /// Waits for the webhooks (bounded by `drainTimeout` seconds) and returns their summary lines.
    func finish(drainTimeout: Double) -> [String] {
        webhooks?.finish(drainTimeout: drainTimeout) ?? []
    }
}

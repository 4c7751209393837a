import Metrics

/// The counters of one webhook, labelled with its name (`webhook` dimension).
struct AlertMetrics: Sendable {
    /// Alerts the receiver accepted.
    let delivered: Counter
    /// Alerts written to the dead-letter output.
    let failed: Counter
    /// Attempts that failed and were retried.
    let retries: Counter

    init(webhook: String, factory: any MetricsFactory) {
        let dimensions = [("webhook", webhook)]
        delivered = Counter(label: "hydrant_alerts_delivered_total", dimensions: dimensions, factory: factory)
        failed = Counter(label: "hydrant_alerts_failed_total", dimensions: dimensions, factory: factory)
        retries = Counter(label: "hydrant_alerts_retries_total", dimensions: dimensions, factory: factory)
    }
}

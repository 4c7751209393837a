import HydrantRecords
import Logging

/// One webhook's queue: filter and throttle, the outbox, the entries waiting for a worker, and the bookkeeping when
/// a worker finishes one. Workers (up to the webhook's `maxConcurrency`) pull entries with `next()`.
actor WebhookChannel {
    let configuration: WebhookConfiguration
    private let outbox: AlertOutbox
    private let deadLetters: any DeadLetterSink
    private let metrics: AlertMetrics
    private let logger: Logger
    private var throttle: AlertThrottle
    private var queue: [OutboxEntry] = []
    private var queueHead = 0
    private var waiters: [CheckedContinuation<OutboxEntry?, Never>] = []
    private var closed = false
    private(set) var statistics: WebhookStatistics

    /// Opens the webhook's outbox in `directory` and queues the alerts recovered from it.
    init(configuration: WebhookConfiguration, directory: String, limits: OutboxLimits, deadLetters: any DeadLetterSink,
         metrics: AlertMetrics, logger: Logger) throws(OutboxError) {
        let outbox = try AlertOutbox(directory: directory, limits: limits)
        if outbox.discardedBytes > 0 {
            logger.warning("outbox had a torn or corrupt tail; it was cut off", metadata: [
                "webhook": "\(configuration.name)", "bytes": "\(outbox.discardedBytes)",
            ])
        }
        let recovered = outbox.takeRecovered()
        if !recovered.isEmpty {
            logger.notice("resending alerts pending in the outbox", metadata: [
                "webhook": "\(configuration.name)", "alerts": "\(recovered.count)",
            ])
        }
        self.configuration = configuration
        self.outbox = outbox
        self.deadLetters = deadLetters
        self.metrics = metrics
        self.logger = logger
        throttle = AlertThrottle(window: configuration.throttleWindow)
        statistics = WebhookStatistics(name: configuration.name)
        statistics.recovered = recovered.count
        statistics.pending = outbox.pendingCount
        queue = recovered
    }

    /// Filters, throttles and durably queues `alerts`; returns how many were queued. Alerts the outbox has no room
    /// for are dead-lettered at once.
    func submit(_ alerts: [AlertNotification], now: Timestamp) async throws {
        var admitted: [AlertNotification] = []
        admitted.reserveCapacity(alerts.count)
        for alert in alerts {
            guard configuration.filter.accepts(alert) else {
                statistics.filtered += 1
                continue
            }
            guard let notification = throttle.admit(alert) else {
                statistics.suppressed += 1
                continue
            }
            admitted.append(notification)
        }
        guard !admitted.isEmpty else { return }
        let entries: [OutboxEntry]
        do {
            entries = try outbox.append(admitted, enqueuedAt: now)
        } catch {
            guard case .full(let count, let bytes) = error else { throw error }
            let failures = admitted.map {
                AlertDeliveryFailure(
                    webhook: configuration.name, alert: $0, code: .outboxFull,
                    message: "outbox full (\(count) alerts, \(bytes) bytes pending); the receiver is not keeping up",
                    lastStatus: nil, lastResponseExcerpt: "", attempts: 0, enqueuedAt: now, failedAt: now)
            }
            try await deadLetters.write(failures)
            statistics.failed += failures.count
            metrics.failed.increment(by: Int64(failures.count))
            logger.error("webhook outbox full; alerts dead-lettered", metadata: [
                "webhook": "\(configuration.name)", "alerts": "\(failures.count)",
            ])
            return
        }
        statistics.pending = outbox.pendingCount
        for entry in entries {
            if waiters.isEmpty {
                queue.append(entry)
            } else {
                waiters.removeFirst().resume(returning: entry)
            }
        }
    }

    /// The next entry to send, waiting for one; nil once the channel is closed.
    func next() async -> OutboxEntry? {
        if closed { return nil }
        if queueHead < queue.count {
            let entry = queue[queueHead]
            queueHead += 1
            if queueHead > 1024, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            return entry
        }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Records how `entry`'s delivery ended: marks it done in the outbox (after dead-lettering a failure).
    func complete(_ entry: OutboxEntry, _ result: WebhookSender.Result) async {
        switch result {
        case .cancelled:
            return
        case .delivered(let attempts):
            statistics.delivered += 1
            statistics.retries += attempts - 1
            markDone(entry, .delivered)
        case .failed(let failure):
            do {
                try await deadLetters.write([failure])
            } catch {
                // Left pending in the outbox: the next run tries again rather than lose the alert.
                logger.error("cannot write alert dead letter; the alert stays in the outbox", metadata: [
                    "webhook": "\(configuration.name)", "alert": "\(entry.alert.id)", "error": "\(error)",
                ])
                return
            }
            statistics.failed += 1
            statistics.retries += max(failure.attempts - 1, 0)
            metrics.failed.increment()
            logger.error("alert delivery failed; written to alert-delivery-failed", metadata: [
                "webhook": "\(configuration.name)", "alert": "\(entry.alert.id)", "rule": "\(entry.alert.ruleID)",
                "code": "\(failure.code.rawValue)", "status": "\(failure.lastStatus.map(String.init) ?? "none")",
                "attempts": "\(failure.attempts)", "message": "\(failure.message)",
            ])
            markDone(entry, .deadLettered)
        }
    }

    /// Stops handing out entries; waiting workers get nil.
    func close() {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters = []
    }

    /// Closes the outbox file (after the workers stopped).
    func closeOutbox() { outbox.close() }

    private func markDone(_ entry: OutboxEntry, _ outcome: OutboxOutcome) {
        do {
            try outbox.markDone([entry.sequence], outcome: outcome)
        } catch {
            logger.warning("cannot mark alert done in the outbox; it may be sent again after a restart", metadata: [
                "webhook": "\(configuration.name)", "alert": "\(entry.alert.id)", "error": "\(error)",
            ])
        }
        statistics.pending = outbox.pendingCount
    }
}

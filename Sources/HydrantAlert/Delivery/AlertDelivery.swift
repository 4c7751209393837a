import AsyncHTTPClient
import HydrantRecords
import Logging
import Metrics
import NIOCore
import Synchronization

/// Delivers alerts to every configured webhook: filter, throttle, durable outbox, signed requests with retries,
/// dead letters for what cannot be delivered.
///
/// Each webhook has its own outbox (`<outboxDirectory>/<name>/`), its own HTTP connection pool and its own
/// workers (`maxConcurrency`), so a slow or dead receiver never delays another. Alerts recovered from the outboxes
/// are sent as soon as the delivery is created.
///
///     let delivery = try AlertDelivery(webhooks: webhooks, outboxDirectory: "/var/lib/hydrant/alerts",
///                                      deadLetters: try DeadLetterFile(path: "alert-delivery-failed.jsonl"))
///     try await delivery.submit(alerts)
///     let report = await delivery.drain(timeout: .seconds(60))
///     await delivery.shutdown()
///
/// Always call `shutdown()` before releasing the value: it stops the workers and closes the HTTP clients (which
/// must be shut down explicitly).
public final class AlertDelivery: Sendable {
    private let channels: [WebhookChannel]
    private let clients: [HTTPClient]
    private let workers: Mutex<[Task<Void, Never>]>
    private let logger: Logger

    /// Opens every webhook's outbox under `outboxDirectory` and starts delivering (recovered alerts first).
    /// Counters go to `metricsFactory` (the global metrics system by default).
    public init(webhooks: [WebhookConfiguration], outboxDirectory: String, deadLetters: any DeadLetterSink,
                limits: OutboxLimits = OutboxLimits(), metricsFactory: (any MetricsFactory)? = nil,
                logger: Logger = Logger(label: "hydrant.alerts")) throws {
        var names = Set<String>()
        for webhook in webhooks where !names.insert(webhook.name).inserted {
            throw WebhookConfigurationError(path: "alerts.webhooks", reason: "the name \(webhook.name) is used twice")
        }
        let factory = metricsFactory ?? MetricsSystem.factory
        // Every outbox opens before any HTTP client exists, so a failure here leaves nothing to shut down.
        var channels: [WebhookChannel] = []
        var metrics: [AlertMetrics] = []
        for webhook in webhooks {
            let counters = AlertMetrics(webhook: webhook.name, factory: factory)
            channels.append(try WebhookChannel(
                configuration: webhook, directory: outboxDirectory + "/" + webhook.name, limits: limits,
                deadLetters: deadLetters, metrics: counters, logger: logger))
            metrics.append(counters)
        }
        var clients: [HTTPClient] = []
        var senders: [WebhookSender] = []
        for (webhook, counters) in zip(webhooks, metrics) {
            var configuration = HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(5), read: .nanoseconds(WebhookSender.nanoseconds(webhook.timeout))),
                connectionPool: .init(idleTimeout: .seconds(60),
                                      concurrentHTTP1ConnectionsPerHostSoftLimit: webhook.maxConcurrency))
            configuration.httpVersion = .http1Only
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients.append(client)
            senders.append(WebhookSender(configuration: webhook, client: client, metrics: counters, logger: logger))
        }
        self.channels = channels
        self.clients = clients
        self.logger = logger
        var tasks: [Task<Void, Never>] = []
        for (channel, sender) in zip(channels, senders) {
            for _ in 0..<sender.configuration.maxConcurrency {
                tasks.append(Task {
                    while let entry = await channel.next() {
                        let result = await sender.deliver(entry)
                        await channel.complete(entry, result)
                    }
                })
            }
        }
        workers = Mutex(tasks)
    }

    /// The webhooks' names, in configuration order.
    public var webhookNames: [String] { channels.map(\.configuration.name) }

    /// Queues `alerts` for every webhook whose filter passes them; returns once they are durable in the outboxes
    /// (or dead-lettered when an outbox is full). Throws when an outbox cannot be written or a dead letter stored.
    public func submit(_ alerts: [AlertNotification]) async throws {
        guard !alerts.isEmpty else { return }
        let now = WebhookSender.now()
        for channel in channels { try await channel.submit(alerts, now: now) }
    }

    /// Waits until every queued alert is delivered or dead-lettered, or `timeout` passes; reports what is pending.
    public func drain(timeout: Duration) async -> DrainReport {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let report = await pendingReport()
            if report.isComplete || clock.now >= deadline { return report }
            try? await Task.sleep(for: .milliseconds(10))
            if Task.isCancelled { return await pendingReport() }
        }
    }

    /// Per-webhook statistics.
    public func statistics() async -> [WebhookStatistics] {
        var out: [WebhookStatistics] = []
        for channel in channels { out.append(await channel.statistics) }
        return out
    }

    /// Stops the workers (alerts in flight stay pending in the outbox), closes the outboxes and HTTP clients.
    public func shutdown() async {
        for channel in channels { await channel.close() }
        let tasks = workers.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for channel in channels { await channel.closeOutbox() }
        for client in clients {
            do { try await client.shutdown() } catch {
                logger.debug("HTTP client shutdown", metadata: ["error": "\(error)"])
            }
        }
    }

    private func pendingReport() async -> DrainReport {
        var pending: [String: Int] = [:]
        for channel in channels { pending[channel.configuration.name] = await channel.statistics.pending }
        return DrainReport(pending: pending)
    }
}

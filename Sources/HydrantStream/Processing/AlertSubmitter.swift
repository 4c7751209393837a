import HydrantAlert
import HydrantDetect
import HydrantRecords
import Logging
import Synchronization

/// Hands the alerts of every stream's `detect` processors to the webhooks of `alerts:`. Set up before the
/// streams (which hold it) and connected to the `AlertDelivery` once that exists, because the delivery's dead
/// letters go to a stream's error output.
public final class AlertSubmitter: Sendable {
    private let delivery = Mutex<AlertDelivery?>(nil)
    private let logger: Logger

    /// A submitter with no delivery yet (alerts are then only archived).
    public init(logger: Logger = Logger(label: "hydrant.alerts")) {
        self.logger = logger
    }

    /// Connects the delivery alerts go to.
    public func connect(_ delivery: AlertDelivery?) {
        self.delivery.withLock { $0 = delivery }
    }

    /// The connected delivery.
    public var connected: AlertDelivery? { delivery.withLock { $0 } }

    /// Queues `alerts` durably in every webhook's outbox; a failure is logged (the alerts are still archived).
    func submit(_ alerts: [AlertRecord]) async {
        guard !alerts.isEmpty, let delivery = connected else { return }
        let notifications = alerts.map(Self.notification)
        do {
            try await delivery.submit(notifications)
        } catch {
            logger.error("cannot queue \(alerts.count) alerts for the webhooks: \(error)")
        }
    }

    /// The notification of an alert record: its id, rule, level, tags, group and event time, and its JSON body.
    static func notification(_ alert: AlertRecord) -> AlertNotification {
        var body = AlertEncoding.jsonLines([alert])
        if body.last == 0x0A { body.removeLast() }
        return AlertNotification(id: alert.id, ruleID: alert.ruleID, ruleName: alert.ruleName,
                                 level: alert.level.flatMap { AlertLevel(name: $0) } ?? .informational,
                                 tags: alert.tags, group: alert.notificationGroup, eventTime: alert.timestamp, body: body)
    }
}

import HydrantRecords

/// An alert waiting in a webhook's outbox: the notification (after throttling) and when it was enqueued.
public struct OutboxEntry: Hashable, Sendable {
    /// The entry's number in its outbox, increasing in enqueue order.
    public let sequence: UInt64
    /// Wall-clock time the alert entered the outbox (Firehose's `arrivalTimestamp` in a dead letter).
    public let enqueuedAt: Timestamp
    /// The alert.
    public let alert: AlertNotification

    /// An entry.
    public init(sequence: UInt64, enqueuedAt: Timestamp, alert: AlertNotification) {
        self.sequence = sequence
        self.enqueuedAt = enqueuedAt
        self.alert = alert
    }
}

/// How an entry left the outbox.
public enum OutboxOutcome: UInt8, Hashable, Sendable {
    /// The receiver answered 2xx.
    case delivered = 1
    /// The alert went to the dead-letter output.
    case deadLettered = 2
}

/// What one webhook has done since the delivery started.
public struct WebhookStatistics: Hashable, Sendable {
    /// The webhook's name.
    public var name: String
    /// Alerts the receiver accepted.
    public var delivered = 0
    /// Alerts dead-lettered.
    public var failed = 0
    /// Failed attempts that were retried.
    public var retries = 0
    /// Alerts held back by the throttle (carried as `suppressed` counts).
    public var suppressed = 0
    /// Alerts the filter did not pass.
    public var filtered = 0
    /// Alerts queued in the outbox and not yet delivered or dead-lettered.
    public var pending = 0
    /// Alerts recovered from the outbox when it was opened.
    public var recovered = 0

    /// Statistics of the webhook `name`, all zero.
    public init(name: String) { self.name = name }
}

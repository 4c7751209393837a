import HydrantAlert

/// `alerts:`: where the alerts raised by `detect` processors are delivered besides the archive.
public struct AlertsConfiguration: Hashable, Sendable {
    /// The default time shutdown waits for undelivered alerts, in seconds.
    public static let defaultDrainTimeoutSeconds = 60
    /// The allowed `drain_timeout_s`.
    public static let drainTimeoutSecondsRange: ClosedRange<Int> = 0...3600

    /// `alerts.webhooks`, in file order; names are unique.
    public let webhooks: [WebhookConfiguration]
    /// `alerts.outbox_dir`: the durable outboxes; nil for `<storage.dir>/alerts`.
    public let outboxDirectory: String?
    /// `alerts.drain_timeout_s`: how long shutdown waits for pending alerts (they stay in the outbox after).
    public let drainTimeoutSeconds: Int

    /// A configuration.
    public init(webhooks: [WebhookConfiguration], outboxDirectory: String? = nil,
                drainTimeoutSeconds: Int = AlertsConfiguration.defaultDrainTimeoutSeconds) {
        self.webhooks = webhooks
        self.outboxDirectory = outboxDirectory
        self.drainTimeoutSeconds = drainTimeoutSeconds
    }

    /// The outbox directory under `storage`.
    public func outbox(storage: StorageConfiguration) -> String {
        if let outboxDirectory { return outboxDirectory }
        return (storage.dir.hasSuffix("/") ? storage.dir : storage.dir + "/") + "alerts"
    }
}

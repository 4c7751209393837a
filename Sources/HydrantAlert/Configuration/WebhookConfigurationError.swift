/// A webhook configuration that cannot be used, naming the key and what is allowed.
public struct WebhookConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key, prefixed with where the webhook was configured, e.g. `alerts.webhooks[1].timeout_seconds`.
    public let path: String
    /// What is wrong and what is allowed.
    public let reason: String

    /// An error at `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

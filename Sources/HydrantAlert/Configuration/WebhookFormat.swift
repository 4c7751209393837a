/// What a webhook's request body looks like.
public enum WebhookFormat: String, Hashable, Sendable, CaseIterable {
    /// Hydrant's versioned alert payload: `{"version":1,"alert":{…},"suppressed":N}` (docs/alerts.md).
    case json
    /// A Slack-style incoming-webhook message: `{"text":"…"}` with a readable one-line summary.
    case slack
}

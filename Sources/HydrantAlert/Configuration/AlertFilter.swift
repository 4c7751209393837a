/// Which alerts a webhook receives: at least `minimumLevel`, and, when rule ids or tags are listed, only alerts of
/// one of those rules or carrying one of those tags (either list matching is enough).
public struct AlertFilter: Hashable, Sendable {
    /// The least severe level delivered.
    public var minimumLevel: AlertLevel
    /// Rule ids delivered; empty means no restriction by rule (unless `tags` restricts).
    public var ruleIDs: Set<String>
    /// Tags delivered; empty means no restriction by tag (unless `ruleIDs` restricts).
    public var tags: Set<String>

    /// A filter; the default passes every alert.
    public init(minimumLevel: AlertLevel = .informational, ruleIDs: Set<String> = [], tags: Set<String> = []) {
        self.minimumLevel = minimumLevel
        self.ruleIDs = ruleIDs
        self.tags = tags
    }

    /// Whether `alert` passes.
    public func accepts(_ alert: AlertNotification) -> Bool {
        guard alert.level >= minimumLevel else { return false }
        if ruleIDs.isEmpty && tags.isEmpty { return true }
        if ruleIDs.contains(alert.ruleID) { return true }
        return alert.tags.contains { tags.contains($0) }
    }
}

/// What `AlertDelivery.drain(timeout:)` left behind: alerts still pending per webhook (they stay in the outbox and
/// are sent by the next run).
public struct DrainReport: Hashable, Sendable {
    /// Pending alerts by webhook name (every webhook listed, zero when drained).
    public var pending: [String: Int]

    /// A report.
    public init(pending: [String: Int]) { self.pending = pending }

    /// Whether nothing is pending.
    public var isComplete: Bool { pending.values.allSatisfy { $0 == 0 } }
    /// Pending alerts over all webhooks.
    public var totalPending: Int { pending.values.reduce(0, +) }
}

/// How large an outbox may grow, and when its log is rewritten without delivered entries.
public struct OutboxLimits: Hashable, Sendable {
    /// The most alerts pending at once; more are refused (and dead-lettered by the delivery).
    public var maxPendingEntries: Int
    /// The most bytes of pending entries at once.
    public var maxPendingBytes: Int
    /// The log is compacted once it is larger than this and at least half of it is finished entries.
    public var compactionThresholdBytes: Int

    /// Limits; the defaults hold 100,000 alerts or 64 MiB and compact from 8 MiB.
    public init(maxPendingEntries: Int = 100_000, maxPendingBytes: Int = 64 << 20, compactionThresholdBytes: Int = 8 << 20) {
        self.maxPendingEntries = max(maxPendingEntries, 1)
        self.maxPendingBytes = max(maxPendingBytes, 1024)
        self.compactionThresholdBytes = max(compactionThresholdBytes, 4096)
    }
}

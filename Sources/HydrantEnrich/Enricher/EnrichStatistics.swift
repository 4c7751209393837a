/// Counters of an `Enricher` since it was made.
public struct EnrichStatistics: Hashable, Sendable {
    /// Records seen.
    public var records = 0
    /// Records that gained at least one field.
    public var enriched = 0
    /// Records passed through unchanged because they are not one well-formed JSON object.
    public var passedThrough = 0
    /// Records that matched a threat indicator.
    public var intelMatches = 0
    /// Reloads of a changed file that succeeded.
    public var reloads = 0
    /// Reloads of a changed file that failed (the previous data stayed in use).
    public var reloadFailures = 0

    /// All zero.
    public init() {}
}

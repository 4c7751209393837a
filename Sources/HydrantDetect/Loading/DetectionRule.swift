import HydrantRecords

/// A detection rule, loaded, mapped onto Hydrant's fields and ready to compile.
public struct DetectionRule: Sendable {
    /// `id` (a UUID in SigmaHQ rules).
    public let id: String?
    /// `name`, the handle correlations may use instead of `id`.
    public let name: String?
    /// `title`.
    public let title: String
    /// `description`.
    public let description: String?
    /// `level` (`informational` … `critical`).
    public let level: String?
    /// `tags` (`attack.t1046`, …).
    public let tags: [String]
    /// `logsource`.
    public let logSource: LogSource
    /// The datasets the rule runs on, from the field mapping.
    public let datasets: [Dataset]
    /// The detection over dataset fields (filters already ANDed in).
    public let expression: DetectionExpression
    /// The rule's field mapping (rule field → dataset fields), for correlations that group by rule fields.
    public let fieldMapping: [String: [String]]
    /// The file the rule came from, and the line of its document.
    public let file: String
    /// The 1-based line where the rule's document starts.
    public let line: Int
    /// Whether a match raises an alert of its own (false when only correlations with `generate: false` use it).
    public internal(set) var generatesAlerts: Bool = true

    /// The key alerts and correlations use: the id, else the name, else `file:line`.
    public var key: String { id ?? name ?? "\(file):\(line)" }
}

/// The kind of a correlation rule.
public enum CorrelationType: String, Sendable, CaseIterable {
    /// Count of matching events per group in the window.
    case eventCount = "event_count"
    /// Count of distinct values of a field per group.
    case valueCount = "value_count"
    /// Sum of a numeric field.
    case valueSum = "value_sum"
    /// Average of a numeric field.
    case valueAverage = "value_avg"
    /// A percentile of a numeric field.
    case valuePercentile = "value_percentile"
    /// All (or the condition's number of) referenced rules matched in the window, in any order.
    case temporal = "temporal"
    /// Like `temporal`, in the order of `rules`.
    case temporalOrdered = "temporal_ordered"
}

/// A comparison in a correlation condition; several are ANDed (`gt: 100` and `lte: 200` is a range).
public struct CorrelationComparison: Hashable, Sendable {
    /// `gt`, `gte`, `lt`, `lte`, `eq`, `neq`.
    public let operation: String
    /// The bound.
    public let value: Double

    /// Whether `x` satisfies the comparison.
    public func holds(_ x: Double) -> Bool {
        switch operation {
        case "gt": return x > value
        case "gte": return x >= value
        case "lt": return x < value
        case "lte": return x <= value
        case "eq": return x == value
        default: return x != value
        }
    }
}

/// A correlation rule with its references resolved and its fields validated against the referenced rules.
public struct CorrelationRule: Sendable {
    /// `id`.
    public let id: String?
    /// `name`.
    public let name: String?
    /// `title`.
    public let title: String
    /// `description`.
    public let description: String?
    /// `level`.
    public let level: String?
    /// `tags`.
    public let tags: [String]
    /// The correlation type.
    public let type: CorrelationType
    /// The keys (`DetectionRule.key` / `CorrelationRule.key`) of the referenced rules, in `rules` order.
    public let rules: [String]
    /// `group-by` entries (fields or aliases).
    public let groupBy: [String]
    /// The sliding window, in nanoseconds.
    public let timespan: Int64
    /// The ANDed comparisons of the condition (for temporal types, defaults to `gte: number of rules`).
    public let comparisons: [CorrelationComparison]
    /// `condition.field` for the value types.
    public let valueField: String?
    /// `condition.percentile` for `value_percentile`.
    public let percentile: Double?
    /// `aliases`: alias → referenced rule key → rule field.
    public let aliases: [String: [String: String]]
    /// Per referenced detection rule key, each group-by entry and the value field resolved to dataset fields.
    public let resolvedFields: [String: [String: [String]]]
    /// `generate`.
    public let generate: Bool
    /// The file and line of the document.
    public let file: String
    /// The 1-based line.
    public let line: Int

    /// The key alerts and chained correlations use.
    public var key: String { id ?? name ?? "\(file):\(line)" }
}

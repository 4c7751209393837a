/// Whether an alert comes from one matching record or from a correlation over a window.
public enum AlertKind: String, Sendable, Hashable {
    /// One record matched a detection rule.
    case detection
    /// A correlation rule's condition held over a window.
    case correlation
}

/// An alert raised by the rule engine (`alert`).
public struct AlertRecord: DatasetRecord, Hashable {
    /// The dataset of alert records.
    public static let dataset = Dataset.alert
    /// What one alert record stands for.
    public static let summary = "One alert: a detection rule matched a record, or a correlation's condition held over a window."

    /// Event time of the record that completed the detection.
    public var timestamp: Timestamp
    /// Stable id: the same detection on the same input gives the same id.
    public var id: String
    /// `detection` or `correlation`.
    public var kind: AlertKind
    /// For correlations, the correlation type (`event_count`, …).
    public var correlationType: String?
    /// The rule's id (or name, or `file:line` when it has neither).
    public var ruleID: String
    /// The rule's title.
    public var ruleName: String
    /// The rule's description.
    public var ruleDescription: String?
    /// The rule file.
    public var ruleset: String?
    /// The Sigma level.
    public var level: String?
    /// The Sigma tags.
    public var tags: [String]
    /// The group-by values, `field=value` joined by `,` (empty for a detection).
    public var group: String?
    /// Events counted in the window (1 for a detection).
    public var count: Int64
    /// The window that fired.
    public var windowStart: Timestamp
    /// The window's end.
    public var windowEnd: Timestamp
    /// Community IDs of up to 100 contributing flows.
    public var communityIDs: [String]
    /// Archive object keys of contributing records, when known.
    public var archive: [String]
    /// The dataset of the triggering record (for detections).
    public var sourceDataset: String?
    /// Copied from the triggering record.
    public var sourceIP: IPAddress?
    /// Copied from the triggering record.
    public var sourcePort: Int64?
    /// Copied from the triggering record.
    public var destinationIP: IPAddress?
    /// Copied from the triggering record.
    public var destinationPort: Int64?
    /// Copied from the triggering record.
    public var transport: String?

    /// Creates an alert; the record-derived fields start unknown.
    public init(timestamp: Timestamp, id: String, kind: AlertKind, ruleID: String, ruleName: String, count: Int64,
                windowStart: Timestamp, windowEnd: Timestamp) {
        self.timestamp = timestamp
        self.id = id
        self.kind = kind
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.count = count
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        tags = []
        communityIDs = []
        archive = []
    }

    /// `event.severity` from the Sigma level: informational 1 … critical 5.
    public var severity: Int64? {
        switch level {
        case "informational": return 1
        case "low": return 2
        case "medium": return 3
        case "high": return 4
        case "critical": return 5
        default: return nil
        }
    }

    /// The field table of `alert`.
    public static let fields: [FieldDescriptor<AlertRecord>] = [
        .timestamp("@timestamp", "Event time of the record that completed the detection.") { $0.timestamp },
        .string("event.dataset", "The dataset: `alert`.") { _ in Dataset.alert.rawValue },
        .string("event.kind", "Always `alert`.") { _ in "alert" },
        .int("event.severity", "From the Sigma level: informational 1, low 2, medium 3, high 4, critical 5.") { $0.severity },
        .string("rule.id", "The rule's id (or its name, or `file:line` when it has neither).") { $0.ruleID },
        .string("rule.name", "The rule's title.") { $0.ruleName },
        .string("rule.description", "The rule's description.") { $0.ruleDescription },
        .string("rule.ruleset", "The rule file.") { $0.ruleset },
        .string("rule.level", "The Sigma level.") { $0.level },
        .strings("rule.tags", "The Sigma tags (`attack.t1046`, …).") { $0.tags },
        .string("alert.id", "Stable id: the same detection on the same input gives the same id.") { $0.id },
        .string("alert.kind", "`detection` (one record matched) or `correlation`.") { $0.kind.rawValue },
        .string("alert.correlation_type", "For correlations: `event_count`, `value_count`, … (extension field).") {
            $0.correlationType
        },
        .string("alert.group", "The group-by values, `field=value` joined by `,`.") { $0.group },
        .int("alert.count", "Events counted in the window (1 for a detection).") { $0.count },
        .timestamp("alert.window.start", "Start of the window that fired.") { $0.windowStart },
        .timestamp("alert.window.end", "End of the window that fired.") { $0.windowEnd },
        .strings("alert.evidence.community_ids", "Community IDs of up to 100 contributing flows.") { $0.communityIDs },
        .strings("alert.evidence.archive", "Archive object keys of contributing records, when known.") { $0.archive },
        .string("alert.evidence.dataset", "The dataset of the triggering record (extension field).") { $0.sourceDataset },
        .ip("source.ip", "Copied from the triggering record.") { $0.sourceIP },
        .int("source.port", "Copied from the triggering record.") { $0.sourcePort },
        .ip("destination.ip", "Copied from the triggering record.") { $0.destinationIP },
        .int("destination.port", "Copied from the triggering record.") { $0.destinationPort },
        .string("network.transport", "Copied from the triggering record.") { $0.transport },
    ]
}

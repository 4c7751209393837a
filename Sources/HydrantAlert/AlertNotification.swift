import HydrantRecords

/// One alert as the delivery side sees it: the few fields filters, throttling and summaries need, plus the alert
/// record's JSON exactly as the detection engine wrote it (forwarded verbatim in the `json` payload).
///
/// The integrator builds these from the engine's alert records; this module does not depend on the engine.
public struct AlertNotification: Hashable, Sendable {
    /// `alert.id`: stable for the same detection on the same input; sent as `Idempotency-Key`.
    public var id: String
    /// `rule.id`.
    public var ruleID: String
    /// `rule.name`.
    public var ruleName: String
    /// `rule.level`.
    public var level: AlertLevel
    /// `rule.tags`.
    public var tags: [String]
    /// `alert.group`: the group-by values (`field=value` joined by `,`), empty for an ungrouped detection.
    public var group: String
    /// `@timestamp`: event time of the record that completed the detection; throttle windows run on it.
    public var eventTime: Timestamp
    /// The alert record as one JSON object (no trailing newline).
    public var body: [UInt8]
    /// Alerts of the same rule and group that throttling held back before this one.
    public var suppressed: Int

    /// An alert notification; `suppressed` is normally left at 0 and set by throttling.
    public init(id: String, ruleID: String, ruleName: String, level: AlertLevel, tags: [String], group: String,
                eventTime: Timestamp, body: [UInt8], suppressed: Int = 0) {
        self.id = id
        self.ruleID = ruleID
        self.ruleName = ruleName
        self.level = level
        self.tags = tags
        self.group = group
        self.eventTime = eventTime
        self.body = body
        self.suppressed = suppressed
    }
}

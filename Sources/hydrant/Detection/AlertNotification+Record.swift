import HydrantAlert
import HydrantDetect
import HydrantRecords

extension AlertNotification {
    /// The notification of an alert record: its JSON line (without the newline) as the body, and the fields that
    /// filters, throttling and summaries read. An unknown or missing level counts as `informational`.
    init(_ alert: AlertRecord) {
        var body = AlertEncoding.jsonLines([alert])
        if body.last == 0x0A { body.removeLast() }
        self.init(id: alert.id, ruleID: alert.ruleID, ruleName: alert.ruleName,
                  level: alert.level.flatMap(AlertLevel.init(name:)) ?? .informational, tags: alert.tags,
                  group: alert.notificationGroup, eventTime: alert.timestamp, body: body)
    }
}

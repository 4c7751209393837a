import HydrantRecords

/// The request bodies Hydrant sends to webhooks.
public enum AlertPayload {
    /// The version of the `json` payload; it changes only when a field changes meaning or disappears.
    public static let version = 1

    /// The body for `alert` in `format`.
    public static func render(_ alert: AlertNotification, format: WebhookFormat) -> [UInt8] {
        switch format {
        case .json: json(alert)
        case .slack: slack(alert)
        }
    }

    /// `{"version":1,"alert":<the alert record, verbatim>,"suppressed":N}`.
    public static func json(_ alert: AlertNotification) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(alert.body.count + 48)
        out.append(contentsOf: #"{"version":"#.utf8)
        out.append(contentsOf: String(version).utf8)
        out.append(contentsOf: #","alert":"#.utf8)
        out.append(contentsOf: alert.body)
        out.append(contentsOf: #","suppressed":"#.utf8)
        out.append(contentsOf: String(alert.suppressed).utf8)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `{"text":"…"}` for a Slack-style incoming webhook.
    public static func slack(_ alert: AlertNotification) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"text":"#.utf8)
        appendJSONString(summary(alert), to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// One readable line, e.g.
    /// `[HIGH] Port scan (rule 5a1c…) · source.ip=10.0.0.5 · 2024-05-01T12:00:00Z · attack.t1046 · +12 suppressed · alert 9f…`.
    public static func summary(_ alert: AlertNotification) -> String {
        var parts = ["[\(alert.level.description.uppercased())] \(alert.ruleName) (rule \(alert.ruleID))"]
        if !alert.group.isEmpty { parts.append(alert.group) }
        parts.append(seconds(alert.eventTime))
        if !alert.tags.isEmpty { parts.append(alert.tags.joined(separator: ", ")) }
        if alert.suppressed > 0 {
            parts.append("+\(alert.suppressed) similar alert\(alert.suppressed == 1 ? "" : "s") suppressed")
        }
        parts.append("alert \(alert.id)")
        return parts.joined(separator: " · ")
    }

    /// RFC 3339 to the second, easier to read in chat than nine fractional digits.
    private static func seconds(_ time: Timestamp) -> String {
        let (whole, _) = time.nanoseconds.floorDivided(by: 1_000_000_000)
        let text = Timestamp(nanoseconds: whole * 1_000_000_000).rfc3339
        return text.hasSuffix(".000000000Z") ? String(text.dropLast(11)) + "Z" : text
    }
}

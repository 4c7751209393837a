import HydrantRecords

/// Alerts as JSON lines (the `alert` dataset's field table, nested objects, unknown fields absent).
public enum AlertEncoding {
    /// The encoder with its field table built once: building it (splitting and grouping the field names) cost more
    /// than encoding an alert, and alerts are often encoded one at a time (archive line, webhook body). Each call
    /// copies it; the copy shares the tables and gets its own scratch values on first write.
    nonisolated(unsafe) private static let template = JSONLinesEncoder<AlertRecord>()

    /// One JSON line per alert, each ending in a newline.
    public static func jsonLines(_ alerts: [AlertRecord]) -> [UInt8] {
        var encoder = template
        var out: [UInt8] = []
        for alert in alerts { encoder.encode(alert, to: &out) }
        return out
    }
}

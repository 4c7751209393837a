import HydrantRecords

/// Alerts as JSON lines (the `alert` dataset's field table, nested objects, unknown fields absent).
public enum AlertEncoding {
    /// One JSON line per alert, each ending in a newline.
    public static func jsonLines(_ alerts: [AlertRecord]) -> [UInt8] {
        var encoder = JSONLinesEncoder<AlertRecord>()
        var out: [UInt8] = []
        for alert in alerts { encoder.encode(alert, to: &out) }
        return out
    }
}

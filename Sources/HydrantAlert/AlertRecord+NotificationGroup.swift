import HydrantRecords

extension AlertRecord {
    /// The group a notification of this alert is throttled and summarised by: a correlation's `alert.group` (its
    /// group-by values), and for a single-record detection `source.ip=<address>` of the record that matched, so that
    /// one noisy source is held back without hiding another source raising the same rule. A detection without a
    /// source address (and a correlation without `group-by`) has the empty group: one per rule. The archived
    /// `alert.group` is not changed (it stays empty for detections, as the schema says).
    public var notificationGroup: String {
        if let group, !group.isEmpty { return group }
        guard kind == .detection, let sourceIP else { return "" }
        return "source.ip=\(sourceIP)"
    }
}

import HydrantRecords

/// A VPC Flow Logs line that reports no traffic: `NODATA` (nothing in the interval) or `SKIPDATA` (records were
/// lost, e.g. to an internal capacity limit). Counted, not turned into flows.
public struct VPCFlowLogStatus: Hashable, Sendable {
    /// `NODATA` or `SKIPDATA`.
    public var logStatus: String
    /// `account-id`.
    public var accountID: String?
    /// `interface-id`.
    public var interfaceID: String?
    /// Start of the interval.
    public var start: Timestamp
    /// End of the interval.
    public var end: Timestamp

    /// A status line.
    public init(logStatus: String, accountID: String?, interfaceID: String?, start: Timestamp, end: Timestamp) {
        self.logStatus = logStatus
        self.accountID = accountID
        self.interfaceID = interfaceID
        self.start = start
        self.end = end
    }
}

/// What one VPC Flow Logs line is: traffic, or a status report.
public enum VPCFlowLogEntry: Hashable, Sendable {
    /// A traffic line.
    case flow(VPCFlowLogRecord)
    /// A `NODATA` / `SKIPDATA` line.
    case status(VPCFlowLogStatus)
}

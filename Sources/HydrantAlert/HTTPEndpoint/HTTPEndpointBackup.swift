import HydrantRecords

/// The error-output records for a batch an HTTP endpoint did not take (`http-endpoint-failed`), one JSON document
/// per record in Firehose's backup shape (firehose-reference.md §5.4):
///
///     {"attemptsMade":5,"arrivalTimestamp":…,"errorCode":"HttpEndpoint.DestinationException","errorMessage":"…",
///      "attemptEndingTimestamp":…,"rawData":"<base64>","subsequenceNumber":0,"dataId":"<requestId>.<index>"}
public enum HTTPEndpointBackup {
    /// The error output type these records belong under.
    public static let errorOutputType = "http-endpoint-failed"

    /// Newline-terminated JSON lines for `records`.
    public static func jsonLines(records: [[UInt8]], requestID: String, arrival: Timestamp, attemptsMade: Int,
                                 errorCode: String, errorMessage: String, failedAt: Timestamp) -> [UInt8] {
        var out: [UInt8] = []
        let arrivalMilliseconds = String(arrival.nanoseconds.floorDivided(by: 1_000_000).quotient)
        let failedMilliseconds = String(failedAt.nanoseconds.floorDivided(by: 1_000_000).quotient)
        for (index, record) in records.enumerated() {
            out.append(contentsOf: #"{"attemptsMade":"#.utf8)
            out.append(contentsOf: String(attemptsMade).utf8)
            out.append(contentsOf: #","arrivalTimestamp":"#.utf8)
            out.append(contentsOf: arrivalMilliseconds.utf8)
            out.append(contentsOf: #","errorCode":"#.utf8)
            appendJSONString(errorCode, to: &out)
            out.append(contentsOf: #","errorMessage":"#.utf8)
            appendJSONString(errorMessage, to: &out)
            out.append(contentsOf: #","attemptEndingTimestamp":"#.utf8)
            out.append(contentsOf: failedMilliseconds.utf8)
            out.append(contentsOf: #","rawData":""#.utf8)
            record.withUnsafeBufferPointer { Base64.encode($0, into: &out) }
            out.append(contentsOf: #"","subsequenceNumber":0,"dataId":"#.utf8)
            appendJSONString("\(requestID).\(index)", to: &out)
            out.append(contentsOf: "}\n".utf8)
        }
        return out
    }
}

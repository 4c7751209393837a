import HydrantRecords

/// Writes a failed record in Firehose's error output envelope, one JSON document per line:
///
///     {"attemptsMade":1,"arrivalTimestamp":1594265943615,"errorCode":"…","errorMessage":"…",
///      "attemptEndingTimestamp":1594266081318,"rawData":"<base64 of the record>"}
///
/// Timestamps are epoch milliseconds, as in Firehose's examples. `attemptsMade` is 1 for the built-in processors
/// and partitioning (they run once) and the invocations tried for an `http_transform`.
public enum ErrorRecordEncoder {
    /// Appends the envelope of `record` (without a trailing newline) to `out`.
    public static func append(record: UnsafeBufferPointer<UInt8>, arrival: Timestamp, attemptEnding: Timestamp,
                              errorCode: String, errorMessage: String, attempts: Int = 1, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"attemptsMade":"#.utf8)
        out.append(contentsOf: String(attempts).utf8)
        out.append(contentsOf: #","arrivalTimestamp":"#.utf8)
        out.append(contentsOf: String(milliseconds(arrival)).utf8)
        out.append(contentsOf: #","errorCode":"#.utf8)
        appendJSONString(errorCode, to: &out)
        out.append(contentsOf: #","errorMessage":"#.utf8)
        appendJSONString(errorMessage, to: &out)
        out.append(contentsOf: #","attemptEndingTimestamp":"#.utf8)
        out.append(contentsOf: String(milliseconds(attemptEnding)).utf8)
        out.append(contentsOf: #","rawData":""#.utf8)
        Base64.encode(record, into: &out)
        out.append(contentsOf: #""}"#.utf8)
    }

    /// Milliseconds since the epoch, rounded down.
    static func milliseconds(_ time: Timestamp) -> Int64 {
        let (quotient, _) = time.nanoseconds.floorDivided(by: 1_000_000)
        return quotient
    }
}

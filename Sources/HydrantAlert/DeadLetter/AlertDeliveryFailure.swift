import HydrantRecords

/// An alert a webhook did not take: it failed permanently, ran out of retry time, or could not be queued. Written
/// to the archive's error output (type `alert-delivery-failed`) so that no alert is silently dropped.
public struct AlertDeliveryFailure: Hashable, Sendable {
    /// The error output type these records belong under.
    public static let errorOutputType = "alert-delivery-failed"

    /// Why delivery stopped.
    public enum Code: String, Hashable, Sendable {
        /// The receiver answered a status that is not retried (4xx other than 408 and 429).
        case permanentFailure = "Webhook.PermanentFailure"
        /// Every retry failed and the retry duration is spent.
        case retriesExhausted = "Webhook.RetriesExhausted"
        /// The outbox had no room for the alert.
        case outboxFull = "Webhook.OutboxFull"
    }

    /// The webhook's name.
    public var webhook: String
    /// The alert.
    public var alert: AlertNotification
    /// Why delivery stopped.
    public var code: Code
    /// A readable explanation, including the last response or connection error.
    public var message: String
    /// The last HTTP status received, if any attempt got a response.
    public var lastStatus: Int?
    /// The start of the last response body (at most `AttemptOutcome.excerptLimit` bytes), lossily decoded.
    public var lastResponseExcerpt: String
    /// How many requests were made.
    public var attempts: Int
    /// When the alert entered the outbox.
    public var enqueuedAt: Timestamp
    /// When the last attempt ended.
    public var failedAt: Timestamp

    /// A failure record.
    public init(webhook: String, alert: AlertNotification, code: Code, message: String, lastStatus: Int?,
                lastResponseExcerpt: String, attempts: Int, enqueuedAt: Timestamp, failedAt: Timestamp) {
        self.webhook = webhook
        self.alert = alert
        self.code = code
        self.message = message
        self.lastStatus = lastStatus
        self.lastResponseExcerpt = lastResponseExcerpt
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.failedAt = failedAt
    }

    /// Firehose's error envelope plus the webhook fields, one JSON document without a trailing newline:
    ///
    ///     {"attemptsMade":3,"arrivalTimestamp":…,"errorCode":"Webhook.PermanentFailure","errorMessage":"…",
    ///      "attemptEndingTimestamp":…,"rawData":"<base64 of the alert record>","errorOutputType":"alert-delivery-failed",
    ///      "webhook":"soc","alertId":"…","ruleId":"…","suppressed":0,"lastResponse":{"status":403,"body":"…"}}
    ///
    /// `lastResponse` is null when no attempt got a response. Timestamps are epoch milliseconds.
    public func jsonLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(alert.body.count * 4 / 3 + 512)
        out.append(contentsOf: #"{"attemptsMade":"#.utf8)
        out.append(contentsOf: String(attempts).utf8)
        out.append(contentsOf: #","arrivalTimestamp":"#.utf8)
        out.append(contentsOf: String(enqueuedAt.nanoseconds.floorDivided(by: 1_000_000).quotient).utf8)
        out.append(contentsOf: #","errorCode":"#.utf8)
        appendJSONString(code.rawValue, to: &out)
        out.append(contentsOf: #","errorMessage":"#.utf8)
        appendJSONString(message, to: &out)
        out.append(contentsOf: #","attemptEndingTimestamp":"#.utf8)
        out.append(contentsOf: String(failedAt.nanoseconds.floorDivided(by: 1_000_000).quotient).utf8)
        out.append(contentsOf: #","rawData":""#.utf8)
        alert.body.withUnsafeBufferPointer { Base64.encode($0, into: &out) }
        out.append(contentsOf: #"","errorOutputType":"#.utf8)
        appendJSONString(Self.errorOutputType, to: &out)
        out.append(contentsOf: #","webhook":"#.utf8)
        appendJSONString(webhook, to: &out)
        out.append(contentsOf: #","alertId":"#.utf8)
        appendJSONString(alert.id, to: &out)
        out.append(contentsOf: #","ruleId":"#.utf8)
        appendJSONString(alert.ruleID, to: &out)
        out.append(contentsOf: #","suppressed":"#.utf8)
        out.append(contentsOf: String(alert.suppressed).utf8)
        out.append(contentsOf: #","lastResponse":"#.utf8)
        if let lastStatus {
            out.append(contentsOf: #"{"status":"#.utf8)
            out.append(contentsOf: String(lastStatus).utf8)
            out.append(contentsOf: #","body":"#.utf8)
            appendJSONString(lastResponseExcerpt, to: &out)
            out.append(UInt8(ascii: "}"))
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

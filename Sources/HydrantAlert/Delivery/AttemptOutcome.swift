/// What one request to a receiver came to, and whether to try again.
public enum AttemptOutcome: Hashable, Sendable {
    /// A 2xx answer.
    case delivered(status: Int)
    /// A failure worth retrying: 408, 429, 5xx, a timeout or a connection error. `retryAfter` is the receiver's
    /// `Retry-After`, when it sent one.
    case retryable(status: Int?, excerpt: String, retryAfter: Duration?, reason: String)
    /// A failure that retrying cannot fix: any other status (3xx are not followed; 4xx but 408 and 429).
    case permanent(status: Int, excerpt: String, reason: String)

    /// How many bytes of a response body are kept for logs and dead letters.
    public static let excerptLimit = 1024

    /// The outcome of a response with `status`.
    public static func classify(status: Int, excerpt: String, retryAfter: Duration?) -> AttemptOutcome {
        switch status {
        case 200...299: .delivered(status: status)
        case 408, 429, 500...599:
            .retryable(status: status, excerpt: excerpt, retryAfter: retryAfter, reason: "HTTP \(status)")
        default: .permanent(status: status, excerpt: excerpt, reason: "HTTP \(status)")
        }
    }
}

/// Firehose's data-plane limits (reference §1.7) and the bounds Hydrant adds to keep memory and time bounded.
public struct FirehoseLimits: Sendable, Hashable {
    /// Most records per PutRecordBatch.
    public static let maximumRecordsPerBatch = 500
    /// Most bytes per record, before base64 (1,000 KiB).
    public static let maximumRecordBytes = 1_024_000
    /// Most bytes per PutRecordBatch, summing the decoded records (4 MiB).
    public static let maximumBatchBytes = 4 * 1024 * 1024

    /// The largest body a valid PutRecordBatch can need: 4 MiB of records in base64 (5,592,408 bytes), 64 bytes per
    /// record for `{"Data":""}`, separators and modest whitespace, and 64 KiB for the stream name, member names
    /// and anything else. Larger bodies are refused with 413 before they are read.
    public static let defaultMaximumBodyBytes = (maximumBatchBytes + 2) / 3 * 4 + maximumRecordsPerBatch * 64 + 65_536

    /// Request bodies larger than this are refused (413) without being buffered.
    public var maximumBodyBytes: Int
    /// At most this many request bodies are being read or processed at once; more are answered 503 at once.
    public var maximumConcurrentRequests: Int
    /// At most this many body bytes (by `Content-Length`, or the body limit when unknown) are held at once; a request
    /// that would pass it is answered 503 at once. Memory stays near 3× this (body, decoded batch, response).
    public var maximumInFlightBodyBytes: Int
    /// A request body must arrive within this many seconds of its head (slow clients are disconnected).
    public var bodyReadTimeoutSeconds: Double
    /// A connection that sends nothing for this many seconds is closed (Hummingbird's idle timeout).
    public var idleTimeoutSeconds: Double

    /// Limits; the defaults suit a 2-core server.
    public init(maximumBodyBytes: Int = FirehoseLimits.defaultMaximumBodyBytes,
                maximumConcurrentRequests: Int = 256,
                maximumInFlightBodyBytes: Int = 256 * 1024 * 1024,
                bodyReadTimeoutSeconds: Double = 30,
                idleTimeoutSeconds: Double = 60) {
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumConcurrentRequests = maximumConcurrentRequests
        self.maximumInFlightBodyBytes = maximumInFlightBodyBytes
        self.bodyReadTimeoutSeconds = bodyReadTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }
}

import HydrantRecords

/// What the ingest API (and an in-process agent) needs of the delivery streams: their names and descriptions,
/// a durable put, and whether records can be accepted now. `DeliveryStreams` is the real implementation.
public protocol RecordIngest: Sendable {
    /// The configured stream names, in configuration order.
    var streamNames: [String] { get }

    /// What DescribeDeliveryStream reports for the stream `name`, or nil when there is no such stream.
    func describeStream(named name: String) -> DeliveryStreamDescription?

    /// Appends `batch` to the stream `name` and returns one outcome per record, in order. Accepted records are in the
    /// stream's write-ahead log, fsynced, when this returns; throttled ones were not stored and may be retried.
    func put(_ batch: IngestBatch, toStream name: String) async throws(IngestError) -> [PutRecordOutcome]

    /// Whether the streams can accept records now (`GET /health`).
    func health() -> IngestHealth
}

/// What happened to one record of a put.
public enum PutRecordOutcome: Sendable, Hashable {
    /// Durable; `recordID` is unique across every record the server ever accepts.
    case accepted(recordID: String)
    /// Not stored because the stream is over its backlog bound: Firehose's per-record
    /// `ServiceUnavailableException` "Slow down.".
    case throttled
    /// Not stored for another reason, with Firehose's error code and message.
    case failed(errorCode: String, message: String)
}

/// Why a whole put was refused.
public enum IngestError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No stream has this name (`ResourceNotFoundException`).
    case streamNotFound(String)
    /// The whole server is saturated; the client should retry later (HTTP 503).
    case saturated
    /// The write-ahead log could not be written; nothing of the batch was acknowledged.
    case storageFailure(String)

    /// A sentence for logs and error bodies.
    public var description: String {
        switch self {
        case .streamNotFound(let name): return "Firehose \(name) under account 000000000000 not found."
        case .saturated: return "Slow down."
        case .storageFailure(let reason): return "the write-ahead log could not be written: \(reason)"
        }
    }
}

/// A stream as DescribeDeliveryStream reports it.
public struct DeliveryStreamDescription: Sendable, Hashable {
    /// The stream's validated configuration.
    public let configuration: DeliveryStreamConfiguration
    /// When this server created the stream (its first start with this name).
    public let createdAt: Timestamp
    /// `ACTIVE` once the write-ahead log is replayed and the stream accepts records.
    public let status: String

    /// A description.
    public init(configuration: DeliveryStreamConfiguration, createdAt: Timestamp, status: String = "ACTIVE") {
        self.configuration = configuration
        self.createdAt = createdAt
        self.status = status
    }
}

/// Whether the streams can accept records, for `GET /health`.
public struct IngestHealth: Sendable, Hashable {
    /// True when every stream accepts records (none is over its backlog bound or failing to write its log).
    public let acceptingRecords: Bool
    /// Per stream, a short state: `ok`, `backlog full`, `log write failing: …`.
    public let streams: [String: String]

    /// A health report.
    public init(acceptingRecords: Bool, streams: [String: String]) {
        self.acceptingRecords = acceptingRecords
        self.streams = streams
    }
}

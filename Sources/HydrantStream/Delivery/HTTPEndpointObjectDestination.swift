import Foundation
import HydrantAlert
import HydrantArchive
import HydrantRecords
import Logging
import Metrics

/// The delivery side of `destination: {http_endpoint: …}`: each data object of the stream (a sealed buffer, JSON
/// lines, one record per line) is POSTed to the endpoint in Firehose's request format, at most 10,000 records per
/// request, with Firehose's retries (`HTTPEndpointClient`). A batch the endpoint did not take within the retry
/// duration (or refused for good, 413) is written to the backup destination under the error output prefix as
/// `http-endpoint-failed` records; with `AllData` every data object is also stored in the backup under the stream's
/// prefix. Error output and source-record backups go to the backup destination unchanged.
///
/// `put` returns once every record is delivered or backed up, so the stream then releases them from its log. When
/// a put throws (the backup refused a write, or the task was cancelled), the stream retries the whole object: a
/// request that succeeded before may be sent again with a new request id (at-least-once, as Firehose).
public final class HTTPEndpointObjectDestination: StreamObjectDestination, @unchecked Sendable {
    /// The endpoint.
    public let endpoint: HTTPEndpointConfiguration
    /// Which batches are also stored in the backup.
    public let backupMode: HTTPEndpointDestination.BackupMode
    private let stream: DeliveryStreamConfiguration
    private let backup: any ObjectDestination
    private let retry: RetryPolicy?
    private let logger: Logger
    private let metrics: EndpointMetrics
    /// Created at the first request, so that a stream that never delivers owns no connection pool.
    private let lock = NSLock()
    private var client: HTTPEndpointClient?
    private var closed = false

    /// Metrics under Firehose's CloudWatch names (`DeliveryToHttpEndpoint.*`) and Hydrant's own.
    private struct EndpointMetrics {
        let success: Counter
        let records: Counter
        let bytes: Counter
        let failedRecords: Counter
        let failedRequests: Counter
        let retries: Counter

        init(stream: String) {
            let dimensions = [("stream", stream)]
            success = Counter(label: "firehose_DeliveryToHttpEndpoint_Success", dimensions: dimensions)
            records = Counter(label: "firehose_DeliveryToHttpEndpoint_Records", dimensions: dimensions)
            bytes = Counter(label: "firehose_DeliveryToHttpEndpoint_Bytes", dimensions: dimensions)
            failedRecords = Counter(label: "hydrant_http_endpoint_failed_records_total", dimensions: dimensions)
            failedRequests = Counter(label: "hydrant_http_endpoint_failed_requests_total", dimensions: dimensions)
            retries = Counter(label: "hydrant_http_endpoint_retries_total", dimensions: dimensions)
        }
    }

    /// The destination of `stream` (which must have an `http_endpoint`) with its resolved `accessKey`, backing up to
    /// `backup`. `retry` overrides Firehose's schedule (tests shorten it). Throws when the endpoint is invalid.
    public init(stream: DeliveryStreamConfiguration, accessKey: String?, backup: any ObjectDestination,
                retry: RetryPolicy? = nil, logger: Logger = Logger(label: "hydrant.stream")) throws {
        guard let destination = stream.httpEndpoint else {
            throw DeliveryStreamsError("stream \(stream.name) has no http_endpoint destination")
        }
        do throws(WebhookConfigurationError) {
            endpoint = try destination.clientConfiguration(stream: stream, accessKey: accessKey)
        } catch {
            throw DeliveryStreamsError("stream \(stream.name): \(error)")
        }
        backupMode = destination.backupMode
        self.stream = stream
        self.backup = backup
        self.retry = retry
        var logger = logger
        logger[metadataKey: "endpoint"] = "\(endpoint.name)"
        self.logger = logger
        metrics = EndpointMetrics(stream: stream.name)
    }

    /// `http_endpoint <name> → <url> (backup …)`.
    public var description: String { "\(endpoint) (backup \(backup.description))" }

    /// An object of unknown kind goes to the backup.
    public func put(key: ObjectKey, body: [UInt8]) async throws(DestinationError) {
        try await backup.put(key: key, body: body)
    }

    /// POSTs data objects (backing up what fails); stores everything else in the backup.
    public func put(key: ObjectKey, body: [UInt8], kind: PendingObject.Kind,
                    arrival: Timestamp) async throws(DestinationError) {
        guard kind == .data else {
            try await backup.put(key: key, body: body)
            return
        }
        if backupMode == .allData { try await backup.put(key: key, body: body) }
        let records = Self.records(in: body)
        var oversized: [[UInt8]] = []
        var batch: [[UInt8]] = []
        var batchBytes = 0
        for record in records {
            if record.count > HTTPEndpointRequest.maximumRecordBytes {
                oversized.append(record)
                continue
            }
            let encoded = Base64.encodedCount(decodedCount: record.count) + 12
            if batch.count == HTTPEndpointRequest.maximumRecords || batchBytes + encoded > Self.maximumRequestBytes {
                try await send(batch, arrival: arrival)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
            batch.append(record)
            batchBytes += encoded
        }
        if !batch.isEmpty { try await send(batch, arrival: arrival) }
        if !oversized.isEmpty {
            try await backUp(oversized, requestID: Self.requestID(), arrival: arrival, attempts: 0,
                             errorCode: "HttpEndpoint.RecordTooLarge",
                             message: "records larger than \(HTTPEndpointRequest.maximumRecordBytes) bytes cannot be sent")
        }
    }

    /// Closes the connection pool; later puts fail (and are retried by a later start).
    public func shutdown() async {
        let client = lock.withLock {
            closed = true
            defer { self.client = nil }
            return self.client
        }
        try? await client?.shutdown()
    }

    // MARK: - Requests

    /// Keeps a request body (base64 grows records by a third) under Firehose's 64 MiB with room for the envelope.
    static let maximumRequestBytes = 60 << 20

    private func send(_ records: [[UInt8]], arrival: Timestamp) async throws(DestinationError) {
        let client = try currentClient()
        let requestID = Self.requestID()
        let gzip: (([UInt8]) throws -> [UInt8])? = endpoint.contentEncoding == .gzip
            ? { bytes in try ObjectCompressor.compress(bytes, as: .gzip) } : nil
        let result: HTTPEndpointClient.Result
        do {
            result = try await client.deliver(records: records, requestID: requestID, gzip: gzip)
        } catch {
            // The request could not be built (a record over the limits): nothing was sent, back it up.
            try await backUp(records, requestID: requestID, arrival: arrival, attempts: 0,
                             errorCode: "HttpEndpoint.InvalidRequest", message: "\(error)")
            return
        }
        switch result {
        case .delivered(let attempts):
            metrics.success.increment()
            metrics.records.increment(by: records.count)
            metrics.bytes.increment(by: records.reduce(0) { $0 + $1.count })
            if attempts > 1 { metrics.retries.increment(by: attempts - 1) }
            logger.trace("delivered a batch to the http endpoint", metadata: [
                "request": "\(requestID)", "records": "\(records.count)", "attempts": "\(attempts)",
            ])
        case .failed(let attempts, let code, let message):
            if attempts > 1 { metrics.retries.increment(by: attempts - 1) }
            metrics.failedRequests.increment()
            logger.error("the http endpoint did not take a batch; backing it up as http-endpoint-failed", metadata: [
                "request": "\(requestID)", "records": "\(records.count)", "attempts": "\(attempts)", "code": "\(code)",
                "message": "\(message.prefix(512))",
            ])
            try await backUp(records, requestID: requestID, arrival: arrival, attempts: attempts, errorCode: code,
                             message: message)
        case .cancelled:
            throw DestinationError(.network, "delivery to \(endpoint) was cancelled")
        }
    }

    /// Writes `records` as `http-endpoint-failed` error records under the error output prefix of the backup.
    private func backUp(_ records: [[UInt8]], requestID: String, arrival: Timestamp, attempts: Int, errorCode: String,
                        message: String) async throws(DestinationError) {
        let now = WallClock.now()
        let body = HTTPEndpointBackup.jsonLines(records: records, requestID: requestID, arrival: arrival,
                                                attemptsMade: attempts, errorCode: errorCode, errorMessage: message,
                                                failedAt: now)
        var random = SystemRandomNumberGenerator()
        let prefix = (try? stream.errorOutputPrefix.evaluate(arrival: arrival, errorOutputType: .httpEndpointFailed,
                                                              random: &random))
            ?? "errors/" + ErrorOutputType.httpEndpointFailed.rawValue + "/"
        let name: ObjectName
        do {
            name = try ObjectName(stream: stream.name, time: arrival, fileExtension: ".json", random: &random)
        } catch {
            throw DestinationError(.invalidKey, "no object name for the http-endpoint-failed backup: \(error)")
        }
        guard let (key, _) = ObjectKeyBuilder.key(prefix: prefix, name: name.description) else {
            throw DestinationError(.invalidKey, "no valid object key for prefix '\(prefix)'")
        }
        try await backup.put(key: key, body: body)
        metrics.failedRecords.increment(by: records.count)
    }

    private func currentClient() throws(DestinationError) -> HTTPEndpointClient {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw DestinationError(.network, "the http endpoint destination is shut down") }
        if let client { return client }
        let made = HTTPEndpointClient(configuration: endpoint, retry: retry, logger: logger)
        client = made
        return made
    }

    /// The records of a JSON-lines body: each line without its newline (a final line without one counts too).
    static func records(in body: [UInt8]) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var start = 0
        body.withUnsafeBufferPointer { bytes in
            for index in 0..<bytes.count where bytes[index] == 0x0A {
                records.append(Array(bytes[start..<index]))
                start = index + 1
            }
            if start < bytes.count { records.append(Array(bytes[start..<bytes.count])) }
        }
        return records
    }

    /// A fresh request id in Firehose's UUID form.
    static func requestID() -> String { UUID().uuidString.lowercased() }
}

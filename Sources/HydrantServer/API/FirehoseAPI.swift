import Hummingbird
import HydrantStream

/// The Firehose operations over a `RecordIngest`, independent of HTTP: an operation and its body in, status and
/// JSON bytes out. `FirehoseResponder` puts it on the wire.
public struct FirehoseAPI: Sendable {
    /// The delivery streams.
    public let ingest: any RecordIngest
    /// The region used in ARNs when the request does not name one (no SigV4 scope).
    public let defaultRegion: String

    /// An API over `ingest`.
    public init(ingest: any RecordIngest, defaultRegion: String = "us-east-1") {
        self.ingest = ingest
        self.defaultRegion = defaultRegion
    }

    /// Answers `operation` with request body `body`; `region` (from the SigV4 scope) goes into ARNs.
    public func respond(to operation: FirehoseOperation, body: ByteBuffer, region: String? = nil) async -> APIResponse {
        do throws(FirehoseError) {
            switch operation {
            case .putRecordBatch:
                let request = try TypedBytes.with(body) { bytes throws(FirehoseError) in
                    try PutRecordsRequest.parseBatch(bytes)
                }
                return try await putRecordBatch(request)
            case .putRecord:
                let request = try TypedBytes.with(body) { bytes throws(FirehoseError) in
                    try PutRecordsRequest.parseSingle(bytes)
                }
                return try await putRecord(request)
            case .listDeliveryStreams:
                return try listDeliveryStreams(try control(body))
            case .describeDeliveryStream:
                return try describeDeliveryStream(try control(body), region: region ?? defaultRegion)
            case .listTagsForDeliveryStream:
                return try listTags(try control(body))
            case .createDeliveryStream, .deleteDeliveryStream, .updateDestination, .tagDeliveryStream,
                 .untagDeliveryStream, .startDeliveryStreamEncryption, .stopDeliveryStreamEncryption:
                throw FirehoseError.invalidArgument(
                    "\(operation.rawValue) is not supported: Hydrant's delivery streams are declared in its "
                        + "configuration file (streams:) and changed by editing it and restarting the server.")
            }
        } catch {
            return APIResponse(error)
        }
    }

    private func control(_ body: ByteBuffer) throws(FirehoseError) -> ControlRequest {
        try TypedBytes.with(body) { bytes throws(FirehoseError) in try ControlRequest.parse(bytes) }
    }

    // MARK: Data plane

    private func put(_ request: PutRecordsRequest) async throws(FirehoseError) -> [PutRecordOutcome] {
        let outcomes: [PutRecordOutcome]
        do {
            outcomes = try await ingest.put(request.batch, toStream: request.streamName)
        } catch {
            switch error {
            case .streamNotFound(let name): throw .streamNotFound(name)
            case .saturated: throw .serviceUnavailable()
            case .storageFailure: throw .internalFailure(error.description)
            }
        }
        guard outcomes.count == request.batch.count else {
            throw .internalFailure("the stream answered \(outcomes.count) outcomes for \(request.batch.count) records")
        }
        return outcomes
    }

    private func putRecordBatch(_ request: PutRecordsRequest) async throws(FirehoseError) -> APIResponse {
        let outcomes = try await put(request)
        return APIResponse(body: Self.putRecordBatchBody(outcomes))
    }

    /// The PutRecordBatch response body for `outcomes`: `FailedPutCount`, `Encrypted` and one `RequestResponses`
    /// entry per record, in order.
    public static func putRecordBatchBody(_ outcomes: [PutRecordOutcome]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + outcomes.count * 64)
        var failed = 0
        for outcome in outcomes {
            if case .accepted = outcome { continue }
            failed += 1
        }
        writer.raw("{\"FailedPutCount\":")
        writer.int(failed)
        writer.raw(",\"Encrypted\":false,\"RequestResponses\":[")
        for (index, outcome) in outcomes.enumerated() {
            if index > 0 { writer.raw(",") }
            switch outcome {
            case .accepted(let recordID):
                writer.raw("{\"RecordId\":")
                writer.string(recordID)
                writer.raw("}")
            case .throttled:
                writer.raw("{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"}")
            case .failed(let code, let message):
                writer.raw("{\"ErrorCode\":")
                writer.string(code)
                writer.raw(",\"ErrorMessage\":")
                writer.string(message)
                writer.raw("}")
            }
        }
        writer.raw("]}")
        return writer.bytes
    }

    private func putRecord(_ request: PutRecordsRequest) async throws(FirehoseError) -> APIResponse {
        switch try await put(request)[0] {
        case .accepted(let recordID):
            var writer = JSONWriter()
            writer.raw("{\"RecordId\":")
            writer.string(recordID)
            writer.raw(",\"Encrypted\":false}")
            return APIResponse(body: writer.bytes)
        case .throttled:
            throw .serviceUnavailable()
        case .failed(let code, let message):
            throw FirehoseError(type: code, message: message, status: code == "ServiceUnavailableException" ? 503 : 500)
        }
    }

    // MARK: Control plane

    private func listDeliveryStreams(_ request: ControlRequest) throws(FirehoseError) -> APIResponse {
        if let limit = request.limit, !(1...10_000).contains(limit) {
            let bound = limit < 1 ? "greater than or equal to 1" : "less than or equal to 10000"
            throw .validation(["Value '\(limit)' at 'limit' failed to satisfy constraint: Member must have value \(bound)"])
        }
        let limit = request.limit ?? 10
        var names = ingest.streamNames.sorted()
        if let type = request.deliveryStreamType, type != "DirectPut" { names = [] }
        if let start = request.exclusiveStartDeliveryStreamName { names = names.filter { $0 > start } }
        var writer = JSONWriter()
        writer.raw("{\"DeliveryStreamNames\":[")
        for (index, name) in names.prefix(limit).enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(name)
        }
        writer.raw("],\"HasMoreDeliveryStreams\":")
        writer.bool(names.count > limit)
        writer.raw("}")
        return APIResponse(body: writer.bytes)
    }

    private func describedStream(_ request: ControlRequest) throws(FirehoseError) -> DeliveryStreamDescription {
        let violations = StreamNameRule.violations(request.deliveryStreamName)
        guard violations.isEmpty, let name = request.deliveryStreamName else { throw .validation(violations) }
        guard let description = ingest.describeStream(named: name) else { throw .streamNotFound(name) }
        return description
    }

    private func describeDeliveryStream(_ request: ControlRequest, region: String) throws(FirehoseError) -> APIResponse {
        let description = try describedStream(request)
        return APIResponse(body: StreamDescriptionWriter.body(description, region: region))
    }

    private func listTags(_ request: ControlRequest) throws(FirehoseError) -> APIResponse {
        _ = try describedStream(request)
        var writer = JSONWriter()
        writer.raw("{\"Tags\":[],\"HasMoreTags\":false}")
        return APIResponse(body: writer.bytes)
    }
}

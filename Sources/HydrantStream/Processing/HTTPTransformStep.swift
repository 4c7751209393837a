import AsyncHTTPClient
import Foundation
import HydrantEnrich
import HydrantRecords
import Logging
import NIOCore

/// An `http_transform` processor: Firehose's Lambda data transformation (firehose-reference §4) POSTed to a URL.
///
/// Records are sent in invocations of at most `buffer_size_mb` of data. A response is applied per record: `Ok`
/// replaces the record (and its `metadata.partitionKeys` go with it), `Dropped` removes it, `ProcessingFailed` sends
/// the record as sent to the `processing-failed` error output. An invocation that fails (no answer within
/// `timeout_s`, a connection error, a status other than 2xx, or a response `TransformCodec` refuses) is tried
/// `retries` more times; then every record in it goes to the error output with the last error.
final class HTTPTransformStep {
    /// The error code of a record the transform answered `ProcessingFailed`.
    static let processingFailedCode = "Lambda.ProcessingFailed"
    /// The error code of an invocation that got no answer in time.
    static let timeoutCode = "Lambda.FunctionTimeout"
    /// The error code of an invocation that could not reach the transform.
    static let unreachableCode = "Lambda.ServiceUnavailable"

    private let configuration: HTTPTransformConfiguration
    private let streamName: String
    private let metrics: ProcessorMetrics
    private let logger: Logger
    private var invocations = 0

    init(_ configuration: HTTPTransformConfiguration, streamName: String, metrics: ProcessorMetrics, logger: Logger) {
        self.configuration = configuration
        self.streamName = streamName
        self.metrics = metrics
        self.logger = logger
    }

    /// Where a record sent in an invocation came from.
    private struct Origin {
        let frame: Int
        let record: Int
    }

    /// Transforms every frame's records.
    func apply(_ frames: inout [ProcessedFrame]) async {
        var outcomes: [[TransformOutcome?]] = frames.map { Array(repeating: nil, count: $0.records.count) }
        var failures: [[InvocationFailure?]] = frames.map { Array(repeating: nil, count: $0.records.count) }
        var pending: [Origin] = []
        var pendingBytes = 0
        func flush() async {
            guard !pending.isEmpty else { return }
            let batch = pending
            pending = []
            pendingBytes = 0
            let result = await invoke(batch.map { origin in
                let frame = frames[origin.frame]
                return TransformRecord(recordId: "", approximateArrivalTimestamp: Self.milliseconds(frame.arrival),
                                       data: Array(frame.records[origin.record]))
            })
            switch result {
            case .success(let answers):
                for (origin, answer) in zip(batch, answers) { outcomes[origin.frame][origin.record] = answer }
            case .failure(let failure):
                for origin in batch { failures[origin.frame][origin.record] = failure }
            }
        }
        let limit = configuration.bufferSizeBytes
        for frameIndex in frames.indices {
            let records = frames[frameIndex].records
            for recordIndex in 0..<records.count {
                let size = records.range(of: recordIndex).count
                if !pending.isEmpty && pendingBytes + size > limit { await flush() }
                pending.append(Origin(frame: frameIndex, record: recordIndex))
                pendingBytes += size
            }
        }
        await flush()
        var ok = 0
        var dropped = 0
        var failed = 0
        for frameIndex in frames.indices {
            let old = frames[frameIndex].records
            var records = IngestBatch(reservingRecords: old.count, bytes: old.byteCount)
            var keys: [[String: String]] = []
            var anyKeys = false
            let oldKeys = frames[frameIndex].transformKeys
            for recordIndex in 0..<old.count {
                if let failure = failures[frameIndex][recordIndex] {
                    failed += 1
                    frames[frameIndex].failures.append(.init(record: Array(old[recordIndex]), code: failure.code,
                                                             message: failure.message, attempts: failure.attempts))
                    continue
                }
                switch outcomes[frameIndex][recordIndex] {
                case .ok(let data, let partitionKeys):
                    ok += 1
                    records.append(data)
                    var merged = recordIndex < oldKeys.count ? oldKeys[recordIndex] : [:]
                    merged.merge(partitionKeys) { _, new in new }
                    anyKeys = anyKeys || !merged.isEmpty
                    keys.append(merged)
                case .dropped:
                    dropped += 1
                case .processingFailed, nil:
                    failed += 1
                    frames[frameIndex].failures.append(.init(
                        record: Array(old[recordIndex]), code: Self.processingFailedCode,
                        message: "the transform returned ProcessingFailed for the record", attempts: 1))
                }
            }
            frames[frameIndex].records = records
            frames[frameIndex].transformKeys = anyKeys ? keys : []
        }
        metrics.transformOk.increment(by: ok)
        metrics.transformDropped.increment(by: dropped)
        metrics.transformFailed.increment(by: failed)
    }

    /// One invocation with its retries: the outcome per record, or why the invocation failed for good.
    private func invoke(_ records: [TransformRecord]) async
        -> Result<[TransformOutcome], InvocationFailure> {
        invocations += 1
        let invocationId = UUID().uuidString.lowercased()
        var numbered = records
        for index in numbered.indices { numbered[index].recordId = "\(invocations)-\(index)" }
        let ids = numbered.map(\.recordId)
        let body = TransformCodec.requestBody(
            invocationId: invocationId,
            deliveryStreamArn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/\(streamName)",
            region: "us-east-1", records: numbered)
        var last = InvocationFailure(code: Self.unreachableCode, message: "not attempted", attempts: 0)
        var delay = Duration.milliseconds(200)
        for attempt in 1...(configuration.retries + 1) {
            if attempt > 1 {
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
            switch await post(body) {
            case .success(let response):
                do throws(TransformResponseError) {
                    return .success(try TransformCodec.outcomes(response: response, requestedIds: ids))
                } catch {
                    last = InvocationFailure(code: error.code, message: error.message, attempts: attempt)
                }
            case .failure(let failure):
                last = InvocationFailure(code: failure.code, message: failure.message, attempts: attempt)
            }
            metrics.transformInvocationFailures.increment()
            logger.warning("transform invocation failed",
                           metadata: ["url": "\(configuration.url)", "attempt": "\(attempt)", "error": "\(last.code): \(last.message)"])
        }
        return .failure(last)
    }

    /// Why an invocation failed: an error output code and message, and the attempts made.
    struct InvocationFailure: Error {
        let code: String
        let message: String
        let attempts: Int
    }

    /// One POST; the body of a 2xx answer, or why there is none.
    private func post(_ body: [UInt8]) async -> Result<[UInt8], InvocationFailure> {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "hydrant")
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.seconds(Int64(configuration.timeoutSeconds))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let content = try await response.body.collect(upTo: TransformCodec.maximumResponseBytes + 1)
            let bytes = Array(content.readableBytesView)
            guard (200..<300).contains(Int(response.status.code)) else {
                let excerpt = String(decoding: bytes.prefix(200), as: UTF8.self)
                return .failure(InvocationFailure(code: "\(response.status.code)",
                                                  message: "the transform answered HTTP \(response.status.code): \(excerpt)",
                                                  attempts: 0))
            }
            return .success(bytes)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failure(InvocationFailure(code: Self.timeoutCode,
                                              message: "no answer within \(configuration.timeoutSeconds) s", attempts: 0))
        } catch let error as NIOTooManyBytesError {
            _ = error
            return .failure(InvocationFailure(code: TransformResponseError.jsonProcessing,
                                              message: "response larger than 6 MB", attempts: 0))
        } catch {
            return .failure(InvocationFailure(code: Self.unreachableCode, message: "\(error)", attempts: 0))
        }
    }

    private static func milliseconds(_ time: Timestamp) -> Int64 {
        time.nanoseconds.floorDivided(by: 1_000_000).quotient
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import HydrantArchive
import HydrantStream
import Logging
import NIOCore
import Prometheus

/// Routes requests: `POST /` to the Firehose API (after bounding and reading the body and, when configured,
/// verifying its SigV4 signature), `GET /metrics` to the Prometheus registry and `GET /health` to the streams'
/// health. Everything else is 404.
public struct FirehoseResponder: HTTPResponder {
    /// The request context.
    public typealias Context = FirehoseRequestContext

    let api: FirehoseAPI
    let authenticator: RequestAuthenticator?
    let registry: PrometheusCollectorRegistry?
    let limits: FirehoseLimits
    let limiter: InFlightLimiter
    let logger: Logger

    static let targetHeader = HTTPField.Name("X-Amz-Target")!
    static let requestIDHeader = HTTPField.Name("x-amzn-RequestId")!
    static let errorTypeHeader = HTTPField.Name("x-amzn-ErrorType")!
    static let jsonContentType = "application/x-amz-json-1.1"

    /// A responder; `authenticator` nil accepts any (or no) credentials.
    public init(api: FirehoseAPI, authenticator: RequestAuthenticator?, registry: PrometheusCollectorRegistry?,
                limits: FirehoseLimits, logger: Logger) {
        self.api = api
        self.authenticator = authenticator
        self.registry = registry
        self.limits = limits
        limiter = InFlightLimiter(maximumRequests: limits.maximumConcurrentRequests,
                                  maximumBytes: limits.maximumInFlightBodyBytes)
        self.logger = logger
    }

    /// Answers one request.
    public func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.post, "/"):
            return await firehose(request, context: context)
        case (.get, "/metrics"):
            return metrics()
        case (.get, "/health"):
            return health()
        default:
            let error = FirehoseError(type: "UnknownOperationException",
                                      message: "No route for \(request.method.rawValue) \(path): the Firehose API is "
                                          + "POST /, metrics GET /metrics, health GET /health.", status: 404)
            return Self.response(APIResponse(error))
        }
    }

    // MARK: Firehose API

    private func firehose(_ request: Request, context: Context) async -> Response {
        let declaredLength = request.headers[.contentLength].flatMap { Int($0) }
        let operation: FirehoseOperation
        do {
            operation = try FirehoseOperation.parse(target: request.headers[Self.targetHeader])
        } catch {
            // A small body is drained so that the connection stays usable; a large or unknown one is not read.
            if (declaredLength ?? Int.max) > 65_536 { stopReading(context) }
            return Self.response(APIResponse(error))
        }
        if let declaredLength, declaredLength > limits.maximumBodyBytes {
            stopReading(context)
            return Self.response(APIResponse(.bodyTooLarge(declaredLength, limit: limits.maximumBodyBytes)))
        }
        let reservation = declaredLength ?? limits.maximumBodyBytes
        guard limiter.reserve(reservation) else {
            stopReading(context)
            return Self.response(APIResponse(.serviceUnavailable(
                "Slow down. The server is processing as many requests as it can hold; retry with backoff.")))
        }
        defer { limiter.release(reservation) }

        let body: ByteBuffer
        do {
            body = try await collectBody(request, declaredLength: declaredLength, context: context)
        } catch {
            stopReading(context)
            return Self.response(APIResponse(error))
        }

        var region: String?
        if let authenticator {
            do throws(FirehoseError) {
                let verified = try TypedBytes.with(body) { bytes throws(FirehoseError) in
                    try authenticator.authenticate(method: request.method.rawValue, target: request.head.path ?? "/",
                                                   headers: Self.sigV4Headers(request.head), body: bytes)
                }
                region = verified.scope.region
            } catch {
                return Self.response(APIResponse(error))
            }
        }
        let answer = await api.respond(to: operation, body: body, region: region)
        if let type = answer.errorType, answer.status >= 500 {
            logger.warning("\(operation.rawValue) answered \(answer.status) \(type)")
        }
        return Self.response(answer)
    }

    /// Reads the body into one buffer, refusing it (413) as soon as it passes the limit and giving up when it does
    /// not arrive within the body timeout (the connection is closed, which ends the read).
    private func collectBody(_ request: Request, declaredLength: Int?,
                             context: Context) async throws(FirehoseError) -> ByteBuffer {
        let channel = context.channel
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(limits.bodyReadTimeoutSeconds * 1e9))) {
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        var buffer = ByteBufferAllocator().buffer(capacity: min(declaredLength ?? 65_536, limits.maximumBodyBytes))
        do {
            for try await chunk in request.body {
                guard buffer.readableBytes + chunk.readableBytes <= limits.maximumBodyBytes else {
                    throw FirehoseError.bodyTooLarge(nil, limit: limits.maximumBodyBytes)
                }
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            }
        } catch let error as FirehoseError {
            throw error
        } catch {
            throw FirehoseError(type: "SerializationException",
                                message: "The request body could not be read: \(error)")
        }
        if let declaredLength, buffer.readableBytes != declaredLength {
            throw FirehoseError(type: "SerializationException",
                                message: "The request body ended after \(buffer.readableBytes) of \(declaredLength) bytes.")
        }
        return buffer
    }

    /// Stops reading a body that is refused, so that a huge or endless one is not drained; the connection closes
    /// once the response is written.
    private func stopReading(_ context: Context) {
        context.channel.close(mode: .input, promise: nil)
    }

    /// The headers as SigV4 sees them: `Host` (which HTTP types keep as the authority) first, then the rest as sent.
    static func sigV4Headers(_ head: HTTPRequest) -> [SigV4Header] {
        var headers: [SigV4Header] = []
        headers.reserveCapacity(head.headerFields.count + 1)
        if let authority = head.authority { headers.append(SigV4Header("Host", authority)) }
        for field in head.headerFields { headers.append(SigV4Header(field.name.rawName, field.value)) }
        return headers
    }

    static func response(_ answer: APIResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = jsonContentType
        headers[requestIDHeader] = UUID().uuidString.lowercased()
        if let type = answer.errorType { headers[errorTypeHeader] = type }
        let body = ByteBuffer(bytes: answer.body)
        return Response(status: .init(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: body))
    }

    // MARK: Metrics and health

    private func metrics() -> Response {
        var text: [UInt8] = []
        registry?.emit(into: &text)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: text)))
    }

    private func health() -> Response {
        let health = api.ingest.health()
        var writer = JSONWriter()
        writer.raw("{\"status\":")
        writer.string(health.acceptingRecords ? "ok" : "unavailable")
        writer.raw(",\"streams\":{")
        for (index, name) in health.streams.keys.sorted().enumerated() {
            if index > 0 { writer.raw(",") }
            writer.string(name)
            writer.raw(":")
            writer.string(health.streams[name] ?? "")
        }
        writer.raw("}}")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: health.acceptingRecords ? .ok : .serviceUnavailable, headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}

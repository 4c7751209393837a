import AsyncHTTPClient
import HydrantRecords
import Logging
import NIOCore

/// Delivers record batches to one Firehose HTTP endpoint: the request format of `HTTPEndpointRequest`, the response
/// contract of `HTTPEndpointResponse`, and Firehose's retries (1 s doubling, ±15 %, 2 min cap, within the retry
/// duration). The request id stays the same across a batch's retries.
public final class HTTPEndpointClient: Sendable {
    /// How a batch's delivery ended.
    public enum Result: Sendable, Hashable {
        /// The endpoint answered 200 with the request id.
        case delivered(attempts: Int)
        /// Retries ran out or the failure was permanent: back the batch up to `http-endpoint-failed`.
        case failed(attempts: Int, errorCode: String, message: String)
        /// The task was cancelled before the batch was delivered.
        case cancelled
    }

    /// The endpoint.
    public let configuration: HTTPEndpointConfiguration
    private let retry: RetryPolicy
    private let client: HTTPClient
    private let logger: Logger

    /// A client for `configuration`; `retry` overrides the schedule (tests shorten it; the duration stays the
    /// configuration's unless given).
    public init(configuration: HTTPEndpointConfiguration, retry: RetryPolicy? = nil,
                logger: Logger = Logger(label: "hydrant.http-endpoint")) {
        self.configuration = configuration
        self.retry = retry ?? configuration.retryPolicy
        self.logger = logger
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10),
                           read: .nanoseconds(WebhookSender.nanoseconds(configuration.requestTimeout))))
        http.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    /// Sends `records` as one request (with a fresh request id), retrying per the policy.
    public func deliver(records: [[UInt8]], requestID: String,
                        gzip: (([UInt8]) throws -> [UInt8])? = nil) async throws -> Result {
        let request = try HTTPEndpointRequest(
            configuration: configuration, records: records, requestID: requestID,
            timestamp: WebhookSender.now().nanoseconds.floorDivided(by: 1_000_000).quotient, gzip: gzip)
        var attempt = 0
        var waited: Duration = .zero
        while true {
            attempt += 1
            if Task.isCancelled { return .cancelled }
            let outcome = await send(request)
            if case .accepted = outcome { return .delivered(attempts: attempt) }
            guard case .failed(let code, let message, let retryable) = outcome else { return .cancelled }
            guard retryable else { return .failed(attempts: attempt, errorCode: code, message: message) }
            let delay = retry.delay(forRetry: attempt)
            guard waited + delay <= retry.duration else {
                return .failed(attempts: attempt, errorCode: code, message: message)
            }
            logger.debug("http endpoint attempt failed, retrying", metadata: [
                "endpoint": "\(configuration.name)", "request": "\(requestID)", "code": "\(code)", "attempt": "\(attempt)",
            ])
            do { try await Task.sleep(for: delay) } catch { return .cancelled }
            waited += delay
        }
    }

    /// Closes the connection pool.
    public func shutdown() async throws { try await client.shutdown() }

    private func send(_ request: HTTPEndpointRequest) async -> HTTPEndpointResponse {
        var http = HTTPClientRequest(url: configuration.url)
        http.method = .POST
        for header in request.headers { http.headers.add(name: header.name, value: header.value) }
        http.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await client.execute(
                http, timeout: .nanoseconds(WebhookSender.nanoseconds(configuration.requestTimeout)), logger: logger)
            var body: [UInt8] = []
            for try await chunk in response.body {
                body.append(contentsOf: chunk.readableBytesView)
                if body.count > HTTPEndpointResponse.maximumBodyBytes { break }
            }
            let headers = response.headers.map { (name: $0.name, value: $0.value) }
            return HTTPEndpointResponse.validate(status: Int(response.status.code), headers: headers, body: body,
                                                 requestID: request.requestID)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .failed(errorCode: "HttpEndpoint.RequestTimeout", message: "\(error)", retryable: true)
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            return .failed(errorCode: "HttpEndpoint.ConnectionReset", message: "\(error)", retryable: true)
        } catch {
            return .failed(errorCode: "HttpEndpoint.ConnectionFailed", message: "\(error)", retryable: true)
        }
    }
}

import AsyncHTTPClient
import Foundation
import HydrantArchive
import HydrantRecords
import NIOCore
import NIOHTTP1

/// A client of the Firehose JSON 1.1 API (a remote `hydrant serve`, or anything that speaks it): one
/// `PutRecordBatch` per call, signed with SigV4 when credentials are given.
public struct FirehoseClient: Sendable {
    /// Firehose's limits on one PutRecordBatch.
    public static let maximumRecordsPerRequest = 500
    /// The most decoded bytes one PutRecordBatch may carry.
    public static let maximumBytesPerRequest = 4 * 1024 * 1024
    /// The largest record Firehose accepts, decoded.
    public static let maximumRecordBytes = 1_024_000

    /// The service URL, e.g. `http://127.0.0.1:4443`.
    public let endpoint: String
    /// The signing region.
    public let region: String
    /// The credentials to sign with, or nil to send unsigned requests.
    public let credentials: SigV4Credentials?
    /// How long one request may take, connecting included (AsyncHTTPClient keeps retrying a refused connection
    /// until this deadline, so it is also how long an unreachable endpoint takes to be noticed).
    public let timeout: TimeAmount
    private let httpClient: HTTPClient

    /// A client of `endpoint`; `httpClient` is owned by the caller and outlives this client.
    public init(endpoint: String, region: String = "us-east-1", credentials: SigV4Credentials?,
                httpClient: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.region = region
        self.credentials = credentials
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// Sends records `indices` of `batch` to `stream` in one PutRecordBatch and returns one outcome per index.
    /// The caller keeps each request within `maximumRecordsPerRequest` and `maximumBytesPerRequest`.
    public func putRecordBatch(stream: String, batch: IngestBatch,
                               indices: some Collection<Int>) async throws(FirehoseClientError) -> [PutRecordOutcome] {
        var body: [UInt8] = []
        body.reserveCapacity(64 + indices.reduce(0) { $0 + Base64.encodedCount(decodedCount: batch.range(of: $1).count) + 12 })
        body.append(contentsOf: #"{"DeliveryStreamName":"#.utf8)
        appendJSONString(stream, to: &body)
        body.append(contentsOf: #","Records":["#.utf8)
        var first = true
        for index in indices {
            if !first { body.append(UInt8(ascii: ",")) }
            first = false
            body.append(contentsOf: #"{"Data":""#.utf8)
            Base64.encode(batch[index], into: &body)
            body.append(contentsOf: #""}"#.utf8)
        }
        body.append(contentsOf: "]}".utf8)
        let response = try await send(operation: "PutRecordBatch", body: body)
        return try Self.outcomes(of: response, expected: indices.count)
    }

    /// Sends one operation and returns the response body; non-2xx answers become errors.
    private func send(operation: String, body: [UInt8]) async throws(FirehoseClientError) -> [UInt8] {
        guard let url = URL(string: endpoint), let host = url.host else {
            throw .rejected(status: 0, type: "InvalidEndpoint", message: "\(endpoint) is not an http(s) URL")
        }
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: hostHeader)
        headers.add(name: "Content-Type", value: "application/x-amz-json-1.1")
        headers.add(name: "X-Amz-Target", value: "Firehose_20150804.\(operation)")
        if let credentials {
            let signer = SigV4Signer(credentials: credentials, region: region, service: "firehose")
            let unsigned = SigV4Request(method: "POST", path: "/", headers: headers.map { SigV4Header($0.name, $0.value) },
                                        payload: .bytes(body))
            let signed = signer.sign(unsigned, at: Date())
            headers = HTTPHeaders(signed.headers.map { ($0.name, $0.value) })
        }
        var request = HTTPClientRequest(url: endpoint + "/")
        request.method = .POST
        request.headers = headers
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int
        let payload: [UInt8]
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            var collected = try await response.body.collect(upTo: 8 * 1024 * 1024)
            payload = collected.readBytes(length: collected.readableBytes) ?? []
        } catch {
            throw .unreachable("\(endpoint): \(error)")
        }
        guard (200..<300).contains(status) else {
            let (type, message) = Self.errorShape(payload)
            if status >= 500 || type.hasSuffix("ServiceUnavailableException") || type.hasSuffix("ThrottlingException") {
                throw .busy(status: status, message: message)
            }
            throw .rejected(status: status, type: type, message: message)
        }
        return payload
    }

    /// `__type` (without any namespace) and `message` of an error body.
    static func errorShape(_ body: [UInt8]) -> (type: String, message: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return ("UnknownError", String(decoding: body.prefix(200), as: UTF8.self))
        }
        let rawType = object["__type"] as? String ?? "UnknownError"
        let type = rawType.split(separator: "#").last.map(String.init) ?? rawType
        let message = object["message"] as? String ?? object["Message"] as? String ?? ""
        return (type, message)
    }

    /// The per-record outcomes of a PutRecordBatch response.
    static func outcomes(of body: [UInt8], expected: Int) throws(FirehoseClientError) -> [PutRecordOutcome] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let responses = object["RequestResponses"] as? [[String: Any]], responses.count == expected else {
            throw .malformedResponse(String(decoding: body.prefix(200), as: UTF8.self))
        }
        return responses.map { entry in
            if let id = entry["RecordId"] as? String, entry["ErrorCode"] == nil { return .accepted(recordID: id) }
            let code = entry["ErrorCode"] as? String ?? "UnknownError"
            let message = entry["ErrorMessage"] as? String ?? ""
            if code == "ServiceUnavailableException" { return .throttled }
            return .failed(errorCode: code, message: message)
        }
    }
}

/// Why a request to a Firehose endpoint failed as a whole.
public enum FirehoseClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server could not be reached or the connection broke; retry later.
    case unreachable(String)
    /// The server answered 5xx or asked us to slow down; retry later.
    case busy(status: Int, message: String)
    /// The server refused the request (unknown stream, bad credentials, invalid request); retrying cannot help.
    case rejected(status: Int, type: String, message: String)
    /// A 2xx answer that is not a PutRecordBatch response.
    case malformedResponse(String)

    /// A sentence for logs.
    public var description: String {
        switch self {
        case .unreachable(let reason): return "unreachable: \(reason)"
        case .busy(let status, let message): return "busy (HTTP \(status)): \(message)"
        case .rejected(let status, let type, let message): return "refused (HTTP \(status) \(type)): \(message)"
        case .malformedResponse(let text): return "malformed response: \(text)"
        }
    }

    /// Whether a later retry may succeed.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .busy, .malformedResponse: return true
        case .rejected: return false
        }
    }
}

import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// The HTTP methods the S3 destination uses.
enum S3Method: String, Sendable {
    case get = "GET"
    case put = "PUT"
    case post = "POST"
    case delete = "DELETE"
    case head = "HEAD"
}

/// An S3 response read whole: status, headers we need, and at most `S3Transport.responseLimit` bytes of body.
struct S3Response: Sendable {
    /// The HTTP status code.
    let status: Int
    /// The `ETag` header, when there is one.
    let etag: String?
    /// The body (truncated at the limit; S3's answers to our requests are a few hundred bytes).
    let body: [UInt8]

    /// Whether the status is 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }
}

/// Signs and sends one request to an S3-compatible service and reads its answer, mapping transport failures to
/// `.network`. It does not judge the status; callers know which statuses and bodies mean success.
struct S3Transport: Sendable {
    /// The longest response body kept; the rest is read and dropped so the connection can be reused.
    static let responseLimit = 1 << 20
    /// The time every request gets before its body size is counted.
    static let baseTimeout: Int64 = 60
    /// The slowest upload rate still tolerated, in bytes per second: a part of 8 MiB gets 60 s + 32 s.
    static let minimumRate = 256 * 1024

    let endpoint: S3Endpoint
    let signer: SigV4Signer
    let httpClient: HTTPClient

    /// The timeout of a request carrying `bytes` bytes.
    static func timeout(forBodyOf bytes: Int) -> TimeAmount {
        .seconds(baseTimeout + Int64(bytes / minimumRate))
    }

    /// Sends `method path?query` with `body`, signed; `subject` names the bucket and key for error messages.
    /// `timeout` defaults to `timeout(forBodyOf:)`.
    func send(_ method: S3Method, path: String, query: String = "", body: ArraySlice<UInt8> = [],
              contentType: String? = nil, timeout: TimeAmount? = nil,
              subject: String) async throws(DestinationError) -> S3Response {
        let payloadHash = Hex.encode(SHA256.hash(data: body))
        var headers = [SigV4Header("Host", endpoint.authority)]
        if let contentType { headers.append(SigV4Header("Content-Type", contentType)) }
        let unsigned = SigV4Request(method: method.rawValue, path: path, query: query, headers: headers,
                                    payload: .precomputedHash(payloadHash))
        let signed = signer.sign(unsigned, at: Date())

        var request = HTTPClientRequest(url: endpoint.base + path + (query.isEmpty ? "" : "?" + query))
        switch method {
        case .get: request.method = .GET
        case .put: request.method = .PUT
        case .post: request.method = .POST
        case .delete: request.method = .DELETE
        case .head: request.method = .HEAD
        }
        for header in signed.headers { request.headers.add(name: header.name, value: header.value) }
        if method == .put || method == .post {
            // An explicit body, even empty, so that `Content-Length: 0` is sent; some stores refuse a POST without it.
            request.body = .bytes(ByteBuffer(bytes: body))
        }

        let timeout = timeout ?? Self.timeout(forBodyOf: body.count)
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            var kept: [UInt8] = []
            for try await chunk in response.body {
                let room = Self.responseLimit - kept.count
                if room > 0 { kept.append(contentsOf: chunk.readableBytesView.prefix(room)) }
            }
            return S3Response(status: Int(response.status.code), etag: response.headers.first(name: "ETag"),
                              body: kept)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw DestinationError(.network, "\(subject): no answer from \(endpoint) within "
                + "\(timeout.nanoseconds / 1_000_000_000) s")
        } catch {
            throw DestinationError(.network, "\(subject): cannot reach \(endpoint): \(error)")
        }
    }
}

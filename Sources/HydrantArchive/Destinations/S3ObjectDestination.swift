import AsyncHTTPClient
import NIOCore

/// Objects in a bucket of any S3-compatible store (AWS S3, SeaweedFS, MinIO), addressed path-style
/// (`endpoint/bucket/key`) and signed with SigV4 for the service `s3`, the payload's SHA-256 signed too.
///
/// A body up to `multipartThreshold` is one PUT; a larger one is a multipart upload whose object appears only when
/// the upload completes. Either way a reader sees the whole object or none of it. This type does not retry: the
/// delivery stream owns retries and backoff, and the `DestinationError` kind says whether retrying can help.
///
/// Give it an `HTTPClient` whose `connectionPool.retryConnectionEstablishment` is false (and a `timeout.connect` of
/// a few seconds): by default AsyncHTTPClient keeps retrying a refused connection until the request's deadline
/// (60 s and more here), so an unreachable store would be reported a minute late on every attempt.
public struct S3ObjectDestination: ObjectDestination {
    /// The default largest body sent as a single PUT (16 MiB).
    public static let defaultMultipartThreshold = 16 * 1024 * 1024
    /// The default part size of multipart uploads (8 MiB).
    public static let defaultPartSize = 8 * 1024 * 1024

    /// The service's base URL.
    public let endpoint: S3Endpoint
    /// The bucket objects go to.
    public let bucket: String
    /// The signing region, e.g. `us-east-1`.
    public let region: String
    /// Bodies larger than this many bytes are uploaded in parts.
    public let multipartThreshold: Int
    /// The preferred part size of multipart uploads (at least S3's 5 MiB minimum).
    public let partSize: Int
    private let transport: S3Transport

    /// A destination for `bucket` at `endpoint` (e.g. `http://127.0.0.1:8333`), sending through `httpClient`,
    /// which the caller owns and shuts down. `partSize` is raised to S3's 5 MiB minimum when smaller, and
    /// `multipartThreshold` lowered to S3's 5 GiB single-PUT maximum when larger.
    public init(endpoint: String, bucket: String, region: String, credentials: SigV4Credentials,
                httpClient: HTTPClient, multipartThreshold: Int = defaultMultipartThreshold,
                partSize: Int = defaultPartSize) throws(S3EndpointError) {
        let parsed = try S3Endpoint(endpoint)
        self.endpoint = parsed
        self.bucket = bucket
        self.region = region
        // S3 refuses single PUTs above 5 GiB, the same bound as a part.
        self.multipartThreshold = min(max(multipartThreshold, 0), S3MultipartUpload.maximumPartSize)
        self.partSize = S3MultipartUpload.partSize(preferred: partSize, bodySize: 0)
        let signer = SigV4Signer(credentials: credentials, region: region, service: "s3", pathStyle: .s3)
        transport = S3Transport(endpoint: parsed, signer: signer, httpClient: httpClient)
    }

    /// `s3://BUCKET (ENDPOINT)`.
    public var description: String { "s3://\(bucket) (\(endpoint))" }

    /// Stores `body` under `key` with one PUT, or a multipart upload above `multipartThreshold`.
    public func put(key: ObjectKey, body: [UInt8]) async throws(DestinationError) {
        let path = S3Endpoint.objectPath(bucket: bucket, key: key)
        let subject = "s3://\(bucket)/\(key.text) at \(endpoint)"
        if body.count > multipartThreshold {
            let upload = S3MultipartUpload(transport: transport, path: path, subject: subject)
            try await upload.run(body: body,
                                 partSize: S3MultipartUpload.partSize(preferred: partSize, bodySize: body.count))
            return
        }
        let response = try await transport.send(.put, path: path, body: body[...], subject: subject)
        guard response.isSuccess else {
            let error = S3ErrorResponse(status: response.status, body: response.body)
                ?? S3ErrorResponse(status: response.status, code: nil, message: nil, requestID: nil)
            throw error.destinationError(subject: subject)
        }
    }

    /// Checks that the bucket exists and our credentials may use it (HEAD bucket), so that a server can refuse to
    /// start with a clear message instead of failing every delivery later. An unreachable service is reported
    /// after `timeout` at the latest (AsyncHTTPClient retries failed connections until the request's deadline).
    public func checkBucket(timeout: Duration = .seconds(10)) async throws(DestinationError) {
        let subject = "bucket s3://\(bucket) at \(endpoint)"
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let response = try await transport.send(.head, path: S3Endpoint.bucketPath(bucket),
                                                timeout: .nanoseconds(max(nanoseconds, 1)), subject: subject)
        guard !response.isSuccess else { return }
        // HEAD answers carry no body, so the status alone has to explain.
        switch response.status {
        case 404:
            throw DestinationError(.service, "\(subject) does not exist (HTTP 404); create it first")
        case 401, 403:
            throw DestinationError(.authentication, "\(subject): access refused (HTTP \(response.status)); check "
                + "the access key, the secret, the region '\(region)' and the clock")
        case 301, 307, 400:
            throw DestinationError(.service, "\(subject): the service refused the request (HTTP \(response.status)); "
                + "check that region '\(region)' is the bucket's region and the endpoint serves it")
        default:
            let error = S3ErrorResponse(status: response.status, body: response.body)
                ?? S3ErrorResponse(status: response.status, code: nil, message: nil, requestID: nil)
            throw error.destinationError(subject: subject)
        }
    }
}

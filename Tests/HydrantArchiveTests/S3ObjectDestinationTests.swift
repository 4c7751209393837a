import AsyncHTTPClient
import Foundation
import HydrantArchive
import HydrantTestSupport
import Testing

/// One real SeaweedFS for a whole suite, started before its first test and killed after its last; tests reach it
/// through `SeaweedFSScope.current` (nil when `weed` is absent, and the tests then record a skip).
struct SeaweedFSScope: SuiteTrait, TestScoping {
    /// The server of the suite being run.
    @TaskLocal static var current: SeaweedFS?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        guard SeaweedFS.unavailableReason == nil else {
            try await function()
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-s3-tests-\(UUID().uuidString)").path
        let server = try SeaweedFS.start(directory: directory)
        defer {
            server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await Self.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == SeaweedFSScope {
    /// Runs the suite against one real SeaweedFS.
    static var seaweedFS: Self { Self() }
}

/// The suite's server, or nil after recording why the test is skipped.
private func seaweed() -> SeaweedFS? {
    if let server = SeaweedFSScope.current { return server }
    Issue.record(Comment(rawValue: SeaweedFS.unavailableReason ?? "SeaweedFS absent; skipped"), severity: .warning)
    return nil
}

/// Deterministic bytes, so a mismatch is reproducible, with no runs a store could deduplicate.
private func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    var bytes = [UInt8](repeating: 0, count: count)
    var index = 0
    while index < count {
        var word = generator.next()
        for _ in 0..<8 where index < count {
            bytes[index] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            index += 1
        }
    }
    return bytes
}

@Suite("S3 destination against a real SeaweedFS", .serialized, .seaweedFS)
struct S3ObjectDestinationTests {
    private static let bucket = "lake"

    private func destination(_ server: SeaweedFS, bucket: String = bucket, secret: String? = nil,
                             multipartThreshold: Int = S3ObjectDestination.defaultMultipartThreshold,
                             partSize: Int = S3ObjectDestination.defaultPartSize) throws -> S3ObjectDestination {
        try S3ObjectDestination(
            endpoint: server.endpoint, bucket: bucket, region: server.region,
            credentials: SigV4Credentials(accessKeyID: server.accessKey, secretAccessKey: secret ?? server.secretKey),
            httpClient: HTTPClient.shared, multipartThreshold: multipartThreshold, partSize: partSize)
    }

    private func prepared() throws -> SeaweedFS? {
        guard let server = seaweed() else { return nil }
        try server.inspector.createBucket(Self.bucket)
        return server
    }

    @Test("a small object is stored with one PUT and read back byte for byte by boto3")
    func smallObject() async throws {
        guard let server = try prepared() else { return }
        let body = pseudoRandomBytes(100_000, seed: 1)
        let key = try ObjectKey("network.flow/dt=2024-05-01/hour=13/network-1-2024-05-01-13-00-00-a.json.gz")
        try await destination(server).put(key: key, body: body)
        #expect(try server.inspector.object(bucket: Self.bucket, key: key.text) == body)
        #expect(try !server.inspector.etag(bucket: Self.bucket, key: key.text).contains("-"))
    }

    @Test("an empty object is stored")
    func emptyObject() async throws {
        guard let server = try prepared() else { return }
        let key = try ObjectKey("empty/object.json")
        try await destination(server).put(key: key, body: [])
        #expect(try server.inspector.object(bucket: Self.bucket, key: key.text) == [])
    }

    @Test("a second put under the same key replaces the object")
    func replace() async throws {
        guard let server = try prepared() else { return }
        let key = try ObjectKey("replace/object.json")
        try await destination(server).put(key: key, body: Array("first".utf8))
        try await destination(server).put(key: key, body: Array("second".utf8))
        #expect(try server.inspector.object(bucket: Self.bucket, key: key.text) == Array("second".utf8))
    }

    @Test("keys with spaces, unicode, = and reserved characters are encoded so the stored key is the key given",
          arguments: [
              "encoding/with space/a b.json",
              "encoding/dataset=network.flow/dt=2024-05-01/x.json",
              "encoding/ünïcødé/日本語/ファイル.json",
              "encoding/plus+and&amp;percent%25/tilde~bang!quote'paren()star*.json",
              "encoding/semi;colon,comma@at$dollar#hash[bracket]{brace}.json",
          ])
    func encodedKeys(text: String) async throws {
        guard let server = try prepared() else { return }
        let key = try ObjectKey(text)
        let body = Array("body of \(text)".utf8)
        try await destination(server).put(key: key, body: body)
        let listed = try server.inspector.listKeys(bucket: Self.bucket, prefix: text)
        #expect(listed == [text])
        #expect(try server.inspector.object(bucket: Self.bucket, key: text) == body)
    }

    @Test("a body above the threshold is uploaded in parts and read back byte for byte")
    func multipart() async throws {
        guard let server = try prepared() else { return }
        let mebibyte = 1024 * 1024
        let body = pseudoRandomBytes(13 * mebibyte + 12_345, seed: 13)
        let key = try ObjectKey("multipart/thirteen-mebibytes.json.zst")
        let destination = try destination(server, multipartThreshold: 6 * mebibyte, partSize: 5 * mebibyte)
        try await destination.put(key: key, body: body)
        let stored = try server.inspector.object(bucket: Self.bucket, key: key.text)
        #expect(stored.count == body.count)
        #expect(stored == body)
        // S3's ETag of a multipart object is `"<md5 of part md5s>-<part count>"`: 5 + 5 + 3 MiB.
        #expect(try server.inspector.etag(bucket: Self.bucket, key: key.text).hasSuffix("-3\""))
        #expect(try server.inspector.pendingMultipartUploads(bucket: Self.bucket).isEmpty)
    }

    @Test("a body exactly at the threshold is still one PUT")
    func atThreshold() async throws {
        guard let server = try prepared() else { return }
        let size = 6 * 1024 * 1024
        let body = pseudoRandomBytes(size, seed: 6)
        let key = try ObjectKey("multipart/at-threshold.json")
        try await destination(server, multipartThreshold: size, partSize: 5 * 1024 * 1024).put(key: key, body: body)
        #expect(try server.inspector.object(bucket: Self.bucket, key: key.text) == body)
        #expect(try !server.inspector.etag(bucket: Self.bucket, key: key.text).contains("-"))
    }

    @Test("a wrong secret is reported as an authentication error naming the bucket and key")
    func wrongSecret() async throws {
        guard let server = try prepared() else { return }
        let key = try ObjectKey("auth/refused.json")
        let destination = try destination(server, secret: "not-the-secret")
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: key, body: Array("x".utf8))
        }
        #expect(error?.kind == .authentication)
        #expect(error?.message.contains("s3://\(Self.bucket)/\(key.text)") == true)
        #expect(try server.inspector.listKeys(bucket: Self.bucket, prefix: "auth/").isEmpty)
    }

    @Test("a wrong secret on a multipart upload is an authentication error too")
    func wrongSecretMultipart() async throws {
        guard let server = try prepared() else { return }
        let key = try ObjectKey("auth/refused-multipart.json")
        let destination = try destination(server, secret: "not-the-secret", multipartThreshold: 1024)
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: key, body: pseudoRandomBytes(4096, seed: 4))
        }
        #expect(error?.kind == .authentication)
    }

    @Test("a bucket that does not exist is a service error with S3's code and the bucket's name")
    func missingBucket() async throws {
        guard let server = try prepared() else { return }
        let destination = try destination(server, bucket: "no-such-bucket-here")
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("a/b.json"), body: Array("x".utf8))
        }
        #expect(error?.kind == .service)
        #expect(error?.message.contains("no-such-bucket-here") == true)
        #expect(error?.message.contains("NoSuchBucket") == true)
        #expect(error?.message.contains("HTTP 404") == true)
        #expect(try !server.inspector.bucketExists("no-such-bucket-here"))
    }

    @Test("a multipart upload to a missing bucket fails as a service error")
    func missingBucketMultipart() async throws {
        guard let server = try prepared() else { return }
        let destination = try destination(server, bucket: "no-such-bucket-either", multipartThreshold: 1024)
        let error = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("a/b.json"), body: pseudoRandomBytes(4096, seed: 5))
        }
        #expect(error?.kind == .service)
        #expect(error?.message.contains("no-such-bucket-either") == true)
    }

    @Test("checkBucket passes for an existing bucket and names the problem otherwise")
    func checkBucket() async throws {
        guard let server = try prepared() else { return }
        try await destination(server).checkBucket()

        let missing = await #expect(throws: DestinationError.self) {
            try await destination(server, bucket: "absent-bucket").checkBucket()
        }
        #expect(missing?.kind == .service)
        #expect(missing?.message.contains("s3://absent-bucket") == true)
        #expect(missing?.message.contains("does not exist") == true)

        let refused = await #expect(throws: DestinationError.self) {
            try await destination(server, secret: "wrong").checkBucket()
        }
        #expect(refused?.kind == .authentication)
    }

    @Test("nothing listening on the endpoint is a network error, promptly with a client that does not retry connecting")
    func serverDown() async throws {
        var port = FreePort.pick()
        while FreePort.isListening(port) { port = FreePort.pick() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let destination = try S3ObjectDestination(
            endpoint: "http://127.0.0.1:\(port)", bucket: "lake", region: "us-east-1",
            credentials: SigV4Credentials(accessKeyID: "a", secretAccessKey: "b"), httpClient: client)
        let started = ContinuousClock.now
        let putError = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("a/b.json"), body: Array("x".utf8))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try await client.shutdown()
        #expect(putError?.kind == .network)
        #expect(putError?.message.contains("s3://lake/a/b.json") == true)
        #expect(putError?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test("checkBucket reports an unreachable store within its timeout even with a client that retries connecting")
    func checkBucketServerDown() async throws {
        var port = FreePort.pick()
        while FreePort.isListening(port) { port = FreePort.pick() }
        let destination = try S3ObjectDestination(
            endpoint: "http://127.0.0.1:\(port)", bucket: "lake", region: "us-east-1",
            credentials: SigV4Credentials(accessKeyID: "a", secretAccessKey: "b"), httpClient: HTTPClient.shared)
        let started = ContinuousClock.now
        let error = await #expect(throws: DestinationError.self) {
            try await destination.checkBucket(timeout: .seconds(2))
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(error?.kind == .network)
        #expect(error?.message.contains("s3://lake") == true)
    }
}

@Suite("SeaweedFS outage and restart")
struct SeaweedFSRestartTests {
    @Test("a killed SeaweedFS makes puts fail as network errors; restarted on its ports and directory it has the old objects and takes new ones")
    func restart() async throws {
        guard SeaweedFS.unavailableReason == nil else {
            Issue.record(Comment(rawValue: SeaweedFS.unavailableReason ?? "SeaweedFS absent; skipped"), severity: .warning)
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-s3-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try SeaweedFS.start(directory: directory)
        defer { first.stop() }
        try first.inspector.createBucket("lake")
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        defer { _ = client.shutdown() }
        let destination = try S3ObjectDestination(
            endpoint: first.endpoint, bucket: "lake", region: first.region,
            credentials: SigV4Credentials(accessKeyID: first.accessKey, secretAccessKey: first.secretKey),
            httpClient: client)
        let before = try ObjectKey("outage/before.json")
        try await destination.put(key: before, body: Array("before".utf8))

        first.stop()
        let during = await #expect(throws: DestinationError.self) {
            try await destination.put(key: try ObjectKey("outage/during.json"), body: Array("during".utf8))
        }
        #expect(during?.kind == .network)

        let second = try SeaweedFS.start(directory: directory, ports: first.ports)
        defer { second.stop() }
        #expect(second.endpoint == first.endpoint)
        let after = try ObjectKey("outage/after.json")
        try await destination.put(key: after, body: Array("after".utf8))
        #expect(try second.inspector.objects(bucket: "lake", prefix: "outage/")
            == [before.text: Array("before".utf8), after.text: Array("after".utf8)])
    }
}

@Suite("S3 destination configuration and error documents")
struct S3DestinationUnitTests {
    private let credentials = SigV4Credentials(accessKeyID: "a", secretAccessKey: "b")

    @Test("the description names the bucket and endpoint")
    func description() throws {
        let destination = try S3ObjectDestination(endpoint: "http://127.0.0.1:8333/", bucket: "lake",
                                                  region: "us-east-1", credentials: credentials,
                                                  httpClient: HTTPClient.shared)
        #expect(destination.description == "s3://lake (http://127.0.0.1:8333)")
    }

    @Test("part sizes below S3's 5 MiB minimum are raised to it")
    func partSizeMinimum() throws {
        let destination = try S3ObjectDestination(endpoint: "https://s3.example.com", bucket: "b", region: "r",
                                                  credentials: credentials, httpClient: HTTPClient.shared,
                                                  partSize: 1024)
        #expect(destination.partSize == 5 * 1024 * 1024)
        #expect(destination.endpoint.authority == "s3.example.com")
    }

    @Test("endpoints that are not http(s) URLs without a path are refused with a reason",
          arguments: ["ftp://host", "127.0.0.1:8333", "http://", "http://host/path", "http://host?x=1",
                      "http://user:pw@host", ""])
    func badEndpoint(endpoint: String) {
        #expect(throws: S3EndpointError.self) {
            try S3Endpoint(endpoint)
        }
    }

    @Test("an IPv6 endpoint keeps its brackets in the Host header")
    func ipv6Endpoint() throws {
        #expect(try S3Endpoint("http://[::1]:9000").authority == "[::1]:9000")
    }

    @Test("S3 error documents are read with entities decoded; other bodies are not errors")
    func errorDocument() throws {
        let body = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchBucket</Code><Message>The bucket &quot;x&quot; &amp; more &#x263A;</Message>\
            <BucketName>x</BucketName><RequestId>ABC123</RequestId></Error>
            """.utf8)
        let parsed = try #require(S3ErrorResponse(status: 404, body: body))
        #expect(parsed.code == "NoSuchBucket")
        #expect(parsed.message == "The bucket \"x\" & more \u{263A}")
        #expect(parsed.requestID == "ABC123")
        #expect(!parsed.isAuthentication)
        #expect(parsed.description == "HTTP 404 NoSuchBucket: The bucket \"x\" & more \u{263A} (request id ABC123)")

        let result = Array("<CompleteMultipartUploadResult><ETag>\"e\"</ETag></CompleteMultipartUploadResult>".utf8)
        #expect(S3ErrorResponse(status: 200, body: result) == nil)
        #expect(S3ErrorResponse(status: 500, body: Array("not xml at all <Error".utf8)) == nil)
        #expect(S3ErrorResponse(status: 500, body: []) == nil)
    }

    @Test("truncated or hostile error documents never crash: unclosed elements read as absent, bad references as written",
          arguments: [
              ("<Error>", nil, nil),
              ("<Error><Code>Slow", nil, nil),
              ("<Error><Code/><Message>m</Message></Error>", "", "m"),
              ("<Error><Code>&#xFFFFFFFF;</Code></Error>", "&#xFFFFFFFF;", nil),
              ("<Error><Message>&unknown; &#; &amp</Message></Error>", nil, "&unknown; &#; &amp"),
              ("<Error><CodeX>no</CodeX><Code>yes</Code></Error>", "yes", nil),
          ] as [(String, String?, String?)])
    func hostileErrorDocument(text: String, code: String?, message: String?) throws {
        let parsed = try #require(S3ErrorResponse(status: 503, body: Array(text.utf8)))
        #expect(parsed.code == code)
        #expect(parsed.message == message)
    }

    @Test("bodies that are not error documents are not read as errors", arguments: ["<", "", "<Err>", "<Errors><Code>x</Code></Errors>", "<?xml version=\"1.0\"?><Result/>"])
    func notAnErrorDocument(text: String) {
        #expect(S3ErrorResponse(status: 500, body: Array(text.utf8)) == nil)
    }

    @Test("authentication codes and 401/403 are authentication; other codes are not")
    func authenticationCodes() {
        #expect(S3ErrorResponse(status: 400, code: "InvalidAccessKeyId", message: nil, requestID: nil).isAuthentication)
        #expect(S3ErrorResponse(status: 403, code: nil, message: nil, requestID: nil).isAuthentication)
        #expect(S3ErrorResponse(status: 400, code: "SignatureDoesNotMatch", message: nil, requestID: nil).isAuthentication)
        #expect(!S3ErrorResponse(status: 503, code: "SlowDown", message: nil, requestID: nil).isAuthentication)
        #expect(!S3ErrorResponse(status: 404, code: "NoSuchKey", message: nil, requestID: nil).isAuthentication)
    }
}

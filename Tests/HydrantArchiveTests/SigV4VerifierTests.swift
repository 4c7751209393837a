import Foundation
import Testing
import HydrantArchive

/// Verification of incoming SigV4 requests: the suite's signed requests pass, every kind of tampering is refused
/// with the error that explains it.
@Suite struct SigV4VerifierTests {
    static let verifier = SigV4Verifier(region: SigV4Suite.region, service: SigV4Suite.service,
                                        store: StaticSecretStore([SigV4Suite.accessKeyID: SigV4Suite.secret]))

    /// The suite's signed request `caseName`, parsed.
    static func signed(_ caseName: String) throws -> SigV4Request {
        let text = try #require(SigV4Suite.file(caseName, "sreq"), "\(caseName).sreq")
        return try #require(SigV4Suite.parseRequest(text), "\(caseName).sreq does not parse")
    }

    /// The error `body` throws, or nil.
    static func error(_ body: () throws(SigV4Error) -> SigV4VerifiedRequest) -> SigV4Error? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// Suite cases whose `.sreq` disagrees with their own `.authz`, with the reason.
    static let inconsistentSignedRequests: [String: String] = [
        "get-vanilla-with-session-token": "upstream suite defect: the .sreq Signature is not the .authz one (it is "
            + "the session token's hex rotated); .creq/.sts/.authz agree with each other and with our signer",
    ]

    @Test(arguments: SigV4Suite.caseNames)
    func suiteSignedRequestsVerify(_ caseName: String) throws {
        var request = try Self.signed(caseName)
        let authz = try #require(SigV4Suite.file(caseName, "authz"))
        if let reason = Self.inconsistentSignedRequests[caseName] {
            withKnownIssue(Comment(rawValue: reason)) {
                #expect(request.value(of: "Authorization")?.trimmingCharacters(in: .whitespaces) == authz)
                _ = try Self.verifier.verify(request, now: SigV4Suite.requestTime)
            }
            // Verify the request as it should have been signed: the .sreq with the .authz value.
            request.setHeader("Authorization", authz)
        } else {
            #expect(request.value(of: "Authorization")?.trimmingCharacters(in: .whitespaces) == authz, "\(caseName): .sreq and .authz agree")
        }
        let verified = try Self.verifier.verify(request, now: SigV4Suite.requestTime)
        #expect(verified.accessKeyID == SigV4Suite.accessKeyID)
        #expect(verified.scope == CredentialScope(date: "20150830", region: "us-east-1", service: "service"))
        #expect(verified.requestTime == SigV4Suite.requestTime)
    }

    @Test func absentSuiteIsReported() {
        if SigV4Suite.folder == nil { SigV4Suite.recordAbsent() }
    }

    @Test func wrongSecretIsRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        let request = try Self.signed("get-vanilla")
        let verifier = SigV4Verifier(region: "us-east-1", service: "service") { _ in "not-the-secret" }
        #expect(Self.error { () throws(SigV4Error) in try verifier.verify(request, now: SigV4Suite.requestTime) }
            == .signatureMismatch(accessKeyID: "AKIDEXAMPLE"))
    }

    @Test func unknownKeyIsRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        let request = try Self.signed("get-vanilla")
        let verifier = SigV4Verifier(region: "us-east-1", service: "service", store: StaticSecretStore([:]))
        #expect(Self.error { () throws(SigV4Error) in try verifier.verify(request, now: SigV4Suite.requestTime) }
            == .unknownAccessKey(accessKeyID: "AKIDEXAMPLE"))
    }

    @Test func tamperedRequestsAreRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        let mismatch = SigV4Error.signatureMismatch(accessKeyID: "AKIDEXAMPLE")

        var header = try Self.signed("get-header-value-trim")
        header.setHeader("My-Header1", "value2")
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(header, now: SigV4Suite.requestTime) } == mismatch)

        var body = try Self.signed("post-x-www-form-urlencoded")
        body.payload = .bytes(Array("Param1=value2".utf8))
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(body, now: SigV4Suite.requestTime) } == mismatch)

        var query = try Self.signed("get-vanilla-query-order-value")
        query.query = "Param1=value2&Param1=value3"
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(query, now: SigV4Suite.requestTime) } == mismatch)

        var path = try Self.signed("get-vanilla")
        path.path = "/other"
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(path, now: SigV4Suite.requestTime) } == mismatch)

        var date = try Self.signed("get-vanilla")
        date.setHeader("X-Amz-Date", "20150830T123700Z")
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(date, now: SigV4Suite.requestTime) } == mismatch)
    }

    @Test func timeOutsideFiveMinutesIsRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        let request = try Self.signed("get-vanilla")
        for offset in [-360.0, 360.0] {
            let error = Self.error { () throws(SigV4Error) in
                try Self.verifier.verify(request, now: SigV4Suite.requestTime.addingTimeInterval(offset))
            }
            guard case .requestTimeSkewed(let requestTime, _, let allowed) = error else {
                Issue.record("expected requestTimeSkewed for \(offset) s, got \(String(describing: error))")
                continue
            }
            #expect(requestTime == "20150830T123600Z")
            #expect(allowed == 300)
        }
        for offset in [-299.0, 299.0] {
            #expect(throws: Never.self) { try Self.verifier.verify(request, now: SigV4Suite.requestTime.addingTimeInterval(offset)) }
        }
        var missing = request
        missing.headers.removeAll { $0.name.lowercased() == "x-amz-date" }
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(missing, now: SigV4Suite.requestTime) }
            == .requestTimeMissing)
        var malformed = request
        malformed.setHeader("X-Amz-Date", "2015-08-30 12:36")
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(malformed, now: SigV4Suite.requestTime) }
            == .requestTimeMalformed(value: "2015-08-30 12:36"))
        var repeated = request
        repeated.headers.append(SigV4Header("X-Amz-Date", "20150830T123600Z"))
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(repeated, now: SigV4Suite.requestTime) }
            == .requestTimeMalformed(value: "20150830T123600Z,20150830T123600Z"))
    }

    @Test func scopeMismatchIsRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        let request = try Self.signed("get-vanilla")
        let secrets = StaticSecretStore([SigV4Suite.accessKeyID: SigV4Suite.secret])
        let otherRegion = SigV4Verifier(region: "eu-west-1", service: "service", store: secrets)
        #expect(Self.error { () throws(SigV4Error) in try otherRegion.verify(request, now: SigV4Suite.requestTime) }
            == .credentialScopeMismatch(part: .region, expected: "eu-west-1", received: "us-east-1"))
        let otherService = SigV4Verifier(region: "us-east-1", service: "firehose", store: secrets)
        #expect(Self.error { () throws(SigV4Error) in try otherService.verify(request, now: SigV4Suite.requestTime) }
            == .credentialScopeMismatch(part: .service, expected: "firehose", received: "service"))
        var otherDate = request
        otherDate.setHeader("Authorization", (request.value(of: "Authorization") ?? "")
            .replacingOccurrences(of: "/20150830/", with: "/20150831/"))
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(otherDate, now: SigV4Suite.requestTime) }
            == .credentialScopeMismatch(part: .date, expected: "20150830", received: "20150831"))
    }

    static let goodCredential = "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
    static let goodSignature = "Signature=" + String(repeating: "a", count: 64)

    @Test(arguments: [
        ("", SigV4Error.AuthorizationPart.algorithm),
        ("AWS4-HMAC-SHA1 \(goodCredential), SignedHeaders=host;x-amz-date, \(goodSignature)", .algorithm),
        ("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, \(goodSignature)", .credential),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, \(goodSignature)",
         .credential),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015-08-30/us-east-1/service/aws4_request, SignedHeaders=host, "
            + goodSignature, .credential),
        ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws5_request, SignedHeaders=host, "
            + goodSignature, .credential),
        ("AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, SignedHeaders=host, \(goodSignature)",
         .credential),
        ("AWS4-HMAC-SHA256 \(goodCredential), \(goodSignature)", .signedHeaders),
        ("AWS4-HMAC-SHA256 \(goodCredential), SignedHeaders=host;;x-amz-date, \(goodSignature)", .signedHeaders),
        ("AWS4-HMAC-SHA256 \(goodCredential), SignedHeaders=Host;x-amz-date, \(goodSignature)", .signedHeaders),
        ("AWS4-HMAC-SHA256 \(goodCredential), SignedHeaders=host;x-amz-date", .signature),
        ("AWS4-HMAC-SHA256 \(goodCredential), SignedHeaders=host;x-amz-date, Signature=xyz", .signature),
        ("AWS4-HMAC-SHA256 \(goodCredential), \(goodCredential), SignedHeaders=host, \(goodSignature)", .credential),
        ("AWS4-HMAC-SHA256 \(goodCredential), SignedHeaders=host;x-amz-date, \(goodSignature), Foo=bar", .header),
        ("AWS4-HMAC-SHA256 \(goodCredential) SignedHeaders=host;x-amz-date \(goodSignature)", .credential),
    ])
    func malformedAuthorizationIsRefused(_ value: String, _ part: SigV4Error.AuthorizationPart) {
        let request = SigV4Request(method: "GET", path: "/", headers: [
            SigV4Header("Host", "example.amazonaws.com"), SigV4Header("X-Amz-Date", "20150830T123600Z"),
            SigV4Header("Authorization", value),
        ])
        let error = Self.error { () throws(SigV4Error) in try Self.verifier.verify(request, now: SigV4Suite.requestTime) }
        guard case .malformedAuthorization(let found, let detail) = error else {
            Issue.record("expected malformedAuthorization(\(part)), got \(String(describing: error))")
            return
        }
        #expect(found == part, "\(detail)")
        #expect(!detail.isEmpty)
    }

    @Test func missingAuthorizationIsRefused() {
        let request = SigV4Request(method: "GET", path: "/", headers: [SigV4Header("Host", "example.amazonaws.com")])
        let error = Self.error { () throws(SigV4Error) in try Self.verifier.verify(request, now: SigV4Suite.requestTime) }
        guard case .malformedAuthorization(.header, _) = error else {
            Issue.record("expected malformedAuthorization(header), got \(String(describing: error))")
            return
        }
    }

    @Test func signerAndVerifierAgreeForS3() throws {
        let credentials = SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "s3cret")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "s3")
        let verifier = SigV4Verifier(region: "eu-west-1", service: "s3", pathStyle: .s3) { $0 == "AKID" ? "s3cret" : nil }
        let request = SigV4Request(method: "PUT", path: "/bucket/year=2026/a b.json.gz", query: "x-id=PutObject",
                                   headers: [SigV4Header("Host", "bucket.s3.eu-west-1.amazonaws.com")],
                                   payload: .bytes(Array("hello".utf8)))
        let signed = signer.sign(request, at: SigV4Suite.requestTime)
        #expect(try verifier.verify(signed, now: SigV4Suite.requestTime).accessKeyID == "AKID")

        var tampered = signed
        tampered.payload = .bytes(Array("hellO".utf8))
        let error = Self.error { () throws(SigV4Error) in try verifier.verify(tampered, now: SigV4Suite.requestTime) }
        guard case .payloadHashMismatch = error else {
            Issue.record("expected payloadHashMismatch, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("X-Amz-Content-Sha256") == true)
    }

    @Test func unsignedHostIsRefused() throws {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        var request = try Self.signed("get-vanilla")
        request.setHeader("Authorization", (request.value(of: "Authorization") ?? "")
            .replacingOccurrences(of: "SignedHeaders=host;x-amz-date", with: "SignedHeaders=x-amz-date"))
        #expect(Self.error { () throws(SigV4Error) in try Self.verifier.verify(request, now: SigV4Suite.requestTime) }
            == .requiredHeaderNotSigned(name: "host"))
    }
}

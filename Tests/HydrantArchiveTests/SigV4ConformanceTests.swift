import Foundation
import Testing
@testable import HydrantArchive

/// The AWS SigV4 test suite: canonical request, string to sign and Authorization value of every case.
@Suite struct SigV4ConformanceTests {
    /// Cases this implementation does not pass yet, with the reason. Empty: all cases pass.
    static let knownFailures: [String: String] = [:]

    @Test func suiteHasAllCases() {
        guard SigV4Suite.folder != nil else { return SigV4Suite.recordAbsent() }
        #expect(SigV4Suite.caseNames.count == 34, "cases found: \(SigV4Suite.caseNames)")
        #expect(SigV4Suite.caseNames.contains("normalize-path/get-space"))
        #expect(SigV4Suite.caseNames.contains("post-sts-token/post-sts-header-after"))
        let passing = SigV4Suite.caseNames.count - Self.knownFailures.count
        #expect(passing == 34, "\(passing)/34 cases expected to pass; known failures: \(Self.knownFailures)")
    }

    @Test(arguments: SigV4Suite.caseNames)
    func signsLikeTheSuite(_ caseName: String) throws {
        if let reason = Self.knownFailures[caseName] {
            withKnownIssue(Comment(rawValue: reason)) { try check(caseName) }
        } else {
            try check(caseName)
        }
    }

    private func check(_ caseName: String) throws {
        let raw = try #require(SigV4Suite.file(caseName, "req"), "\(caseName).req")
        let creq = try #require(SigV4Suite.file(caseName, "creq"))
        let sts = try #require(SigV4Suite.file(caseName, "sts"))
        let authz = try #require(SigV4Suite.file(caseName, "authz"))
        let request = try #require(SigV4Suite.parseRequest(raw), "\(caseName).req does not parse")
        // The session token, where a case has one, is read from the expected canonical request (PARAMETERS.md).
        let tokenPrefix = "x-amz-security-token:"
        let token = creq.split(separator: "\n").first { $0.hasPrefix(tokenPrefix) }.map { String($0.dropFirst(tokenPrefix.count)) }
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: SigV4Suite.accessKeyID, secretAccessKey: SigV4Suite.secret,
                                          sessionToken: token),
            region: SigV4Suite.region, service: SigV4Suite.service)
        let prepared = signer.prepare(request, at: SigV4Suite.requestTime)
        let signature = signer.signature(for: prepared, at: SigV4Suite.requestTime)
        #expect(signature.canonicalRequest.text == creq, "\(caseName): canonical request")
        #expect(signature.stringToSign == sts, "\(caseName): string to sign")
        #expect(signature.authorization == authz, "\(caseName): Authorization")
    }

    @Test func s3PathIsNotNormalisedAndEncodedOnce() {
        #expect(CanonicalRequest.canonicalURI("/a/./b/../c//d", style: .s3) == "/a/./b/../c//d")
        #expect(CanonicalRequest.canonicalURI("/my%20key/x%2Fy", style: .s3) == "/my%20key/x%2Fy")
        #expect(CanonicalRequest.canonicalURI("/my key", style: .s3) == "/my%20key")
        #expect(CanonicalRequest.canonicalURI("", style: .s3) == "/")
        #expect(CanonicalRequest.canonicalURI("/my%20key", style: .normalizedDoubleEncoded) == "/my%2520key")
    }

    @Test func s3SigningAddsContentHashAndToken() {
        let signer = SigV4Signer(
            credentials: SigV4Credentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "tok"),
            region: "eu-west-1", service: "s3")
        let signed = signer.sign(SigV4Request(method: "PUT", path: "/bucket/key", headers: [SigV4Header("Host", "h")],
                                              payload: .unsigned), at: SigV4Suite.requestTime)
        #expect(signed.value(of: "x-amz-content-sha256") == "UNSIGNED-PAYLOAD")
        #expect(signed.value(of: "x-amz-security-token") == "tok")
        #expect(signed.value(of: "x-amz-date") == "20150830T123600Z")
        let authorization = signed.value(of: "authorization") ?? ""
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(authorization.contains("Credential=AKID/20150830/eu-west-1/s3/aws4_request"))
    }

    @Test func timeFormatRoundTrips() {
        #expect(SigV4Time.format(SigV4Suite.requestTime) == "20150830T123600Z")
        #expect(SigV4Time.parse("20150830T123600Z") == SigV4Suite.requestTime)
        #expect(SigV4Time.parse("20000229T000000Z") != nil)
        #expect(SigV4Time.parse("20150230T000000Z") == nil)
        #expect(SigV4Time.parse("2015-08-30T12:36:00Z") == nil)
        #expect(SigV4Time.format(Date(timeIntervalSince1970: 0)) == "19700101T000000Z")
    }
}

import Crypto
import Foundation
import Testing
@testable import HydrantAlert

@Suite struct SignatureTests {
    let secret = Array("whsec_test".utf8)
    let body = Array(#"{"version":1,"alert":{"alert.id":"a1"},"suppressed":0}"#.utf8)

    @Test func headerIsTimestampAndHexHMACOfTimestampDotBody() throws {
        let header = WebhookSignature.header(body: body, secret: secret, timestamp: 1_700_000_000)
        #expect(header.hasPrefix("t=1700000000,v1="))
        // Independent computation with swift-crypto over the documented string.
        let mac = HMAC<SHA256>.authenticationCode(for: Array("1700000000.".utf8) + body, using: SymmetricKey(data: secret))
        let hex = mac.map { String(format: "%02x", $0) }.joined()
        #expect(header == "t=1700000000,v1=\(hex)")
    }

    @Test func verifierAcceptsWithinToleranceAndRejectsOtherwise() throws {
        let verifier = SignatureVerifier(secret: secret, tolerance: 300)
        let header = WebhookSignature.header(body: body, secret: secret, timestamp: 1_700_000_000)
        #expect(try verifier.verify(header: header, body: body, now: 1_700_000_299) == 1_700_000_000)
        #expect(try verifier.verify(header: header, body: body, now: 1_699_999_800) == 1_700_000_000)
        #expect(throws: SignatureVerifier.Failure.outsideTolerance(ageSeconds: 301)) {
            try verifier.verify(header: header, body: body, now: 1_700_000_301)
        }
        var tampered = body
        tampered[tampered.count - 2] = UInt8(ascii: "1")
        #expect(throws: SignatureVerifier.Failure.mismatch) {
            try verifier.verify(header: header, body: tampered, now: 1_700_000_000)
        }
        let other = SignatureVerifier(secret: Array("another".utf8))
        #expect(throws: SignatureVerifier.Failure.mismatch) { try other.verify(header: header, body: body, now: 1_700_000_000) }
        #expect(throws: SignatureVerifier.Failure.missingHeader) { try verifier.verify(header: nil, body: body, now: 0) }
        for malformed in ["", "t=abc,v1=00", "v1=" + String(repeating: "0", count: 64), "t=1", "t=1,v1=zz", "t=1,t=2,v1=00"] {
            #expect(throws: SignatureVerifier.Failure.malformedHeader) { try verifier.verify(header: malformed, body: body, now: 1) }
        }
    }

    @Test func anyOfSeveralSignaturesMayMatch() throws {
        let verifier = SignatureVerifier(secret: secret)
        let good = WebhookSignature.header(body: body, secret: secret, timestamp: 50)
        let wrong = WebhookSignature.header(body: body, secret: Array("old".utf8), timestamp: 50)
        let rotated = wrong + "," + good.split(separator: ",")[1] + ",v0=ignored"
        #expect(try verifier.verify(header: rotated, body: body, now: 50) == 50)
    }
}

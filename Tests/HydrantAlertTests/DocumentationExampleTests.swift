import Crypto
import Foundation
import Testing
@testable import HydrantAlert

/// The verification examples of docs/alerts.md, run against Hydrant's own signatures so the docs stay right.
@Suite struct DocumentationExampleTests {
    let secret = "whsec_docs"
    let body = Data(#"{"version":1,"alert":{"alert.id":"doc-1"},"suppressed":0}"#.utf8)

    @Test func swiftExampleAcceptsHydrantSignatures() {
        let now = Int64(Date().timeIntervalSince1970)
        let header = WebhookSignature.header(body: Array(body), secret: Array(secret.utf8), timestamp: now)
        #expect(Self.verify(secret: Data(secret.utf8), header: header, body: body))
        #expect(!Self.verify(secret: Data("other".utf8), header: header, body: body))
        #expect(!Self.verify(secret: Data(secret.utf8), header: header, body: body + Data(" ".utf8)))
        let stale = WebhookSignature.header(body: Array(body), secret: Array(secret.utf8), timestamp: now - 301)
        #expect(!Self.verify(secret: Data(secret.utf8), header: stale, body: body))
    }

    @Test func pythonExampleAcceptsHydrantSignatures() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/alerts.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "```python\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let function = String(text[start.upperBound..<end.lowerBound])
        let now = Int64(Date().timeIntervalSince1970)
        let header = WebhookSignature.header(body: Array(body), secret: Array(secret.utf8), timestamp: now)
        let bodyBase64 = body.base64EncodedString()
        let script = function + """

            import base64, sys
            body = base64.b64decode("\(bodyBase64)")
            good = verify(b"\(secret)", "\(header)", body)
            wrong = verify(b"other", "\(header)", body)
            sys.exit(0 if good and not wrong else 1)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    // Copied verbatim from docs/alerts.md.
    static func verify(secret: Data, header: String, body: Data, tolerance: TimeInterval = 300) -> Bool {
        var stamp: String?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { stamp = pair[1] } else if pair[0] == "v1" { signatures.append(pair[1]) }
        }
        guard let stamp, let seconds = TimeInterval(stamp),
              abs(Date().timeIntervalSince1970 - seconds) <= tolerance else { return false }
        let key = SymmetricKey(data: secret)
        return signatures.contains { hex in
            guard let mac = Data(hexString: hex) else { return false }
            // isValidAuthenticationCode compares in constant time.
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data("\(stamp).".utf8) + body, using: key)
        }
    }
}

// Copied verbatim from docs/alerts.md.
extension Data {
    init?(hexString: String) {
        var bytes: [UInt8] = []
        var iterator = hexString.makeIterator()
        while let high = iterator.next() {
            guard let low = iterator.next(), let byte = UInt8(String([high, low]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}

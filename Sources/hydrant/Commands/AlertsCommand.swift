import ArgumentParser
import Foundation
import Hummingbird
import HTTPTypes
import HydrantAlert
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant alerts`: tools for alert webhooks.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Tools for alert webhooks.",
        subcommands: [AlertsListenCommand.self]
    )
}

/// `hydrant alerts listen`: a webhook receiver that verifies `Hydrant-Signature` and prints each alert.
struct AlertsListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive alert webhooks, verify their signatures and print each alert as one JSON line.",
        discussion: """
        Every POST must carry a valid Hydrant-Signature (HMAC-SHA256 with the secret in the environment variable \
        named by --secret-env, timestamp within --tolerance seconds); valid alerts are printed to stdout as one JSON \
        line each and answered 200, anything else is answered 401 and reported on stderr. See docs/alerts.md.

        Example: HOOK_SECRET=s3cret hydrant alerts listen --port 9000 --secret-env HOOK_SECRET
        """
    )

    @Option(help: "The port to listen on.")
    var port: Int

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .customLong("secret-env"), help: "The environment variable holding the signing secret.")
    var secretEnvironment: String

    @Option(help: "How far (seconds) a signature's timestamp may be from now.")
    var tolerance: Int64 = 300

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1…65535, got \(port)") }
        guard let secret = ProcessInfo.processInfo.environment[secretEnvironment], !secret.isEmpty else {
            throw ValidationError("environment variable \(secretEnvironment) (--secret-env) is not set or empty")
        }
        guard tolerance >= 0 else { throw ValidationError("--tolerance must not be negative") }
    }

    func run() throws {
        let secret = Array((ProcessInfo.processInfo.environment[secretEnvironment] ?? "").utf8)
        let verifier = SignatureVerifier(secret: secret, tolerance: tolerance)
        let host = host, port = port
        do {
            try waitFor { try await Self.listen(verifier: verifier, host: host, port: port) }
        } catch {
            writeStandardError("hydrant: alerts listen: \(error)\n")
            throw ExitCode.failure
        }
    }

    /// The largest request body accepted.
    static let maximumBody = 4 << 20
    static let signatureHeader = HTTPField.Name(WebhookSignature.headerName)!
    static let idempotencyHeader = HTTPField.Name(WebhookSignature.idempotencyHeaderName)!
    static let outputLock = Mutex<Void>(())

    private static func listen(verifier: SignatureVerifier, host: String, port: Int) async throws {
        let logger = Logger(label: "hydrant.alerts.listen")
        let router = Router()
        router.get("/") { _, _ in Response(status: .ok) }
        let receive: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: Self.maximumBody)
            } catch {
                writeStandardError("alerts listen: rejected a request: body larger than \(Self.maximumBody) bytes\n")
                return Self.reply(.contentTooLarge, #"{"error":"body too large"}"#)
            }
            let body = Array(buffer.readableBytesView)
            let key = request.headers[Self.idempotencyHeader] ?? "(none)"
            do {
                try verifier.verify(header: request.headers[Self.signatureHeader], body: body, now: Int64(time(nil)))
            } catch {
                writeStandardError("alerts listen: rejected alert \(key): \(error)\n")
                return Self.reply(.unauthorized, #"{"error":"invalid signature"}"#)
            }
            // One line per alert: JSON whitespace (newlines included) may be replaced by spaces.
            var line = body.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
            line.append(0x0A)
            Self.outputLock.withLock { _ in Self.writeAll(line, to: STDOUT_FILENO) }
            return Self.reply(.ok, #"{"ok":true}"#)
        }
        // Any path: receivers are often configured with a path of the user's choosing.
        router.post("/", use: receive)
        router.post("**", use: receive)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "hydrant-alerts-listen"),
            onServerRunning: { channel in
                writeStandardError("alerts listen: listening on \(host):\(channel.localAddress?.port ?? port)\n")
            },
            logger: logger)
        try await application.runService()
    }

    private static func reply(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

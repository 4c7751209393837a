import Foundation
import HydrantTestSupport

/// The Python receiver in Scripts/webhook_receiver.py, started as a process on a loopback port; it verifies every
/// signature with Python's own HMAC and logs every request.
final class WebhookReceiver {
    /// One request as the receiver logged it.
    struct Request {
        let time: Double
        let key: String
        let attempt: Int
        let step: String
        let signatureOK: Bool
        let signatureReason: String
        let contentType: String?
        let extra: String?
        let body: String

        /// The body parsed as a JSON object.
        var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        }
    }

    let port: Int
    let logPath: String
    /// The receiver's scratch directory (its request log), removed with the receiver.
    private let directory: String
    private var process: ServiceProcess?
    private let secret: String
    private let scripts: [String]
    private let defaultScript: String

    static let scriptPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Scripts/webhook_receiver.py").path

    /// A receiver on `port` (a free one by default); `scripts` are `prefix=steps` entries, `start: false` to start it
    /// later (a receiver that is down).
    init(port: Int = FreePort.pick(), secret: String, scripts: [String] = [], defaultScript: String = "ok",
         start: Bool = true) throws {
        self.port = port
        self.secret = secret
        self.scripts = scripts
        self.defaultScript = defaultScript
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-receiver-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory.path
        logPath = directory.appendingPathComponent("requests.jsonl").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        if start { try self.start() }
    }

    deinit {
        process?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var url: String { "http://127.0.0.1:\(port)/hooks/alerts" }

    /// Starts the process and waits until it accepts connections.
    func start() throws {
        var arguments = [Self.scriptPath, "--port", String(port), "--secret", secret, "--log", logPath, "--default", defaultScript]
        for script in scripts { arguments += ["--script", script] }
        let service = try ServiceProcess(executable: "/usr/bin/env", arguments: ["python3"] + arguments,
                                         logPath: logPath + ".out")
        process = service
        let port = self.port
        try service.waitUntilReady(timeout: 15, what: "webhook receiver") { FreePort.isListening(port) }
    }

    /// Stops the process (SIGKILL).
    func stop() {
        process?.stop()
        process = nil
    }

    /// Every request logged so far.
    func requests() -> [Request] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let time = object["time"] as? Double, let key = object["key"] as? String,
                  let attempt = object["attempt"] as? Int, let step = object["step"] as? String,
                  let ok = object["signature_ok"] as? Bool, let body = object["body"] as? String else { return nil }
            return Request(time: time, key: key, attempt: attempt, step: step, signatureOK: ok,
                           signatureReason: object["signature_reason"] as? String ?? "",
                           contentType: object["content_type"] as? String, extra: object["extra"] as? String, body: body)
        }
    }
}

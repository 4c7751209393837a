import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `hydrant serve` under test: a scratch directory with its hydrant.yaml, archive and write-ahead log, the
/// process, and its loopback port.
final class ServeHarness: @unchecked Sendable {
    /// The scratch directory (the server's working directory).
    let directory: String
    /// The port `server.listen` names.
    let port: Int
    /// The running server, if started.
    private(set) var process: ServiceProcess?
    private var starts = 0
    /// Extra environment for the server.
    let environment: [String: String]

    /// A harness whose hydrant.yaml is `config` with `PORT` replaced by a free port.
    init(config: String, environment: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = FreePort.pick()
        self.environment = environment
        try config.replacingOccurrences(of: "PORT", with: String(port))
            .write(toFile: directory + "/hydrant.yaml", atomically: true, encoding: .utf8)
    }

    deinit {
        process?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The endpoint URL clients use.
    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits until it accepts connections.
    func start() throws {
        starts += 1
        let process = try ServiceProcess(executable: HydrantProcess.binary, arguments: ["serve", "--config", "hydrant.yaml"],
                                         environment: environment, workingDirectory: directory,
                                         logPath: directory + "/serve-\(starts).log")
        self.process = process
        try process.waitUntilReady(timeout: 60, what: "hydrant serve") { FreePort.isListening(port) }
    }

    /// Stops the server with `signal` and returns its wait status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        defer { process = nil }
        return process?.stop(signal: signal, timeout: 60) ?? 0
    }

    /// Every log the server wrote, for failure messages.
    var logs: String {
        (1...max(starts, 1)).compactMap { try? String(contentsOfFile: directory + "/serve-\($0).log", encoding: .utf8) }
            .joined(separator: "\n---\n")
    }
}

/// Runs python3 (boto3 and the AWS CLI are real clients the tests drive).
enum Python {
    /// The client script beside this file.
    static let clientScript = HydrantProcess.packageRoot.appendingPathComponent("Tests/HydrantCLITests/Scripts/firehose_client.py").path

    /// Runs `python3 arguments…` to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        run(executable: "/usr/bin/env", ["python3"] + arguments, environment: environment)
    }

    /// Runs the client script's `command`.
    static func client(_ command: String, _ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        run([clientScript, command] + arguments, environment: environment)
    }

    /// Runs any program to completion, with AWS test credentials unless `environment` overrides them.
    static func run(executable: String, _ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged["AWS_ACCESS_KEY_ID"] = "test-key"
        merged["AWS_SECRET_ACCESS_KEY"] = "test-secret"
        merged["AWS_DEFAULT_REGION"] = "us-east-1"
        merged["AWS_EC2_METADATA_DISABLED"] = "true"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (-1, "", "\(error)") }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdoutData, as: UTF8.self), String(decoding: stderrData, as: UTF8.self))
    }

    /// The records found in a file archive: object path → ids (or unparsable lines).
    static func archive(_ root: String) throws -> [String: [Any]] {
        let result = client("archive", [root])
        guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [Any]] else {
            throw ServiceProcess.Failure(description: "archive reader failed: \(result.stderr)")
        }
        return object
    }
}

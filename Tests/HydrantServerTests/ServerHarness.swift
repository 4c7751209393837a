import Foundation
import HydrantArchive
import HydrantServer
import HydrantStream
import Logging
import Prometheus

/// A `FirehoseServer` running in this process on a free port, stopped by cancelling its task.
final class ServerHarness: Sendable {
    let port: Int
    let ingest: MemoryIngest
    let registry: PrometheusCollectorRegistry
    private let task: Task<Void, any Error>

    /// Starts a server over a fresh `MemoryIngest`; `secrets` turns SigV4 verification on.
    init(secrets: [String: String]? = nil, limits: FirehoseLimits = FirehoseLimits()) async throws {
        let ingest = MemoryIngest()
        let registry = PrometheusCollectorRegistry()
        var logger = Logger(label: "test.server")
        logger.logLevel = .error
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = FirehoseServer(
            ingest: ingest,
            authenticator: secrets.map { RequestAuthenticator(store: StaticSecretStore($0)) },
            registry: registry,
            configuration: .init(host: "127.0.0.1", port: 0, limits: limits),
            logger: logger,
            onServerRunning: { port in continuation.yield(port) }
        )
        task = Task { try await server.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw HarnessError("the server did not start") }
        self.port = port
        self.ingest = ingest
        self.registry = registry
    }

    var endpoint: String { "http://127.0.0.1:\(port)" }

    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Bytes handed from a reader thread to the waiting one (the dispatch group orders the accesses).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// The output of a finished child process.
struct ProcessOutput: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `arguments` (through /usr/bin/env, so that `python3` and `aws` are found on PATH) with `environment`
/// added, without blocking a concurrency-pool thread (the in-process server needs them).
func runProcess(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) async throws -> ProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            var merged = ProcessInfo.processInfo.environment
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
            let out = Pipe(), err = Pipe(), input = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = input
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try? input.fileHandleForWriting.close()
            // stderr is drained on another thread so that neither pipe can fill up and stall the child.
            let errBox = DataBox()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
                errBox.data = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            let errData = errBox.data
            process.waitUntilExit()
            continuation.resume(returning: ProcessOutput(status: process.terminationStatus,
                                                         stdout: String(decoding: outData, as: UTF8.self),
                                                         stderr: String(decoding: errData, as: UTF8.self)))
        }
    }
}

/// Runs a Python program (given as text) with `arguments`, the AWS variables set for a local endpoint.
func runPython(_ program: String, _ arguments: [String], secret: String = "any-secret",
               accessKey: String = "hydrant") async throws -> ProcessOutput {
    try await runProcess(["python3", "-c", program] + arguments, environment: awsEnvironment(accessKey: accessKey, secret: secret))
}

/// The environment for boto3 and the AWS CLI against a local endpoint.
func awsEnvironment(accessKey: String = "hydrant", secret: String = "any-secret") -> [String: String] {
    ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": "us-east-1",
     "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
     "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1", "AWS_PAGER": ""]
}

/// Parses the JSON object a script printed on its last line.
func lastJSONObject(_ output: ProcessOutput) throws -> [String: Any] {
    guard let line = output.stdout.split(separator: "\n").last,
          let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw HarnessError("no JSON result (status \(output.status)):\n\(output.stdout)\n\(output.stderr)")
    }
    return object
}

/// This process's resident set size in bytes (Linux).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
    return kilobytes * 1024
}

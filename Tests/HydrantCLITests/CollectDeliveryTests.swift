import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hydrant collect --config`: a real exporter (Debian's softflowd replaying a capture as IPFIX) into the
/// collector, whose records go into an in-process delivery stream with a file destination.
@Suite("collect into delivery streams", .serialized)
struct CollectDeliveryTests {
    static let capture = HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-200.pcap").path

    @Test("collect --config --stream delivers every collected flow record into the stream's archive")
    func collectIntoStream() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/softflowd") else {
            Issue.record(Comment(rawValue: "softflowd is not installed; skipped"), severity: .warning)
            return
        }
        let scratch = try DeliveryOptionsTests.Scratch()
        let config = """
            storage: {dir: \(scratch.path)/wal}
            streams:
              - name: other
                destination:
                  file: {root: \(scratch.path)/other}
              - name: netflow
                buffering: {size_mb: 5, interval_s: 60}
                destination:
                  file: {root: \(scratch.path)/lake}
            """
        try config.write(toFile: scratch.path + "/hydrant.yaml", atomically: true, encoding: .utf8)
        let port = FreePort.pick()
        let collector = try ServiceProcess(
            executable: HydrantProcess.binary,
            arguments: ["collect", "--ipfix", "\(port)", "--host", "127.0.0.1", "--config", scratch.path + "/hydrant.yaml",
                        "--stream", "netflow", "--observer-name", "collector-1"],
            logPath: scratch.path + "/collect.log")
        try collector.waitUntilReady(timeout: 60, what: "hydrant collect") { collector.logTail().contains("listening on udp") }
        let exporter = try ServiceProcess(executable: "/usr/sbin/softflowd",
                                          arguments: ["-r", Self.capture, "-n", "127.0.0.1:\(port)", "-v", "10", "-d"],
                                          logPath: scratch.path + "/softflowd.log")
        try exporter.waitUntilReady(timeout: 60, what: "softflowd") { !exporter.isRunning }
        usleep(500_000)  // let the collector drain the socket buffer
        let status = collector.stop(signal: SIGTERM, timeout: 60)
        let log = collector.logTail(20_000)
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "exit status \(status): \(log)")

        let summary = try #require(log.split(separator: "\n").first { $0.hasPrefix("hydrant collect: ") && $0.contains("flow records") })
        let flows = try #require(Int(summary.split(separator: ",").first { $0.contains("flow records") }?
            .split(separator: " ").first ?? ""), "\(summary)")
        #expect(flows > 10, "\(log)")
        #expect(log.contains("records written: \(flows)"), "\(log)")
        #expect(log.contains("stream netflow: \(flows) records"), "\(log)")

        // The interval is 60 s, so the records were delivered by the flush at shutdown.
        let archived = try DeliveryOptionsTests.archivedRecords(scratch.path + "/lake")
        #expect(archived.count == flows)
        var ports: Set<Int> = []
        for (path, record) in archived {
            #expect((record["event"] as? [String: Any])?["dataset"] as? String == "flowlog.netflow")
            #expect(path.hasPrefix("flowlog.netflow/"), "\(path)")
            #expect((record["observer"] as? [String: Any])?["name"] as? String == "collector-1")
            #expect((record["netflow"] as? [String: Any])?["version"] as? Int == 10)
            if let port = (record["destination"] as? [String: Any])?["port"] as? Int { ports.insert(port) }
        }
        #expect(ports.contains(53) || ports.contains(443) || ports.contains(80), "real traffic of the capture: \(ports.sorted())")
        if FileManager.default.fileExists(atPath: scratch.path + "/other") {
            #expect(try DeliveryOptionsTests.archivedRecords(scratch.path + "/other").isEmpty, "only the named stream")
        }
    }

    @Test("collect refuses --output together with --config, and an unknown --stream")
    func collectUsageErrors() throws {
        let scratch = try DeliveryOptionsTests.Scratch()
        try "streams:\n  - name: a\n    destination: {file: {root: \(scratch.path)/lake}}\n"
            .write(toFile: scratch.path + "/hydrant.yaml", atomically: true, encoding: .utf8)
        let both = try HydrantProcess.run(["collect", "--ipfix", "0", "--config", scratch.path + "/hydrant.yaml", "-o", scratch.path + "/x"])
        #expect(both.exitStatus == 2, "\(both.stderr)")
        let unknown = try HydrantProcess.run(["collect", "--ipfix", "0", "--config", scratch.path + "/hydrant.yaml", "--stream", "nope"])
        #expect(unknown.exitStatus == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("no such stream"), "\(unknown.stderr)")
    }
}

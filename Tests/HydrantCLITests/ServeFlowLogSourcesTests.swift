import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hydrant serve` with flow-log inputs: a `sources.netflow` collector whose records flow into a delivery stream,
/// and the `vpc_flow_log` processor on records put through the Firehose API with boto3.
@Suite("serve: flow-log sources", .serialized)
struct ServeFlowLogSourcesTests {
    static let capture = HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-200.pcap").path

    /// Big-endian writer for hand-built export datagrams.
    struct Bytes {
        var bytes: [UInt8] = []
        mutating func u8(_ v: UInt8) { bytes.append(v) }
        mutating func u16(_ v: UInt16) { bytes += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
        mutating func u64(_ v: UInt64) { u32(UInt32(v >> 32)); u32(UInt32(v & 0xFFFF_FFFF)) }
    }

    /// An IPFIX message of domain 7 holding `sets`.
    static func ipfix(sequence: UInt32, _ sets: [[UInt8]]) -> [UInt8] {
        var m = Bytes()
        let body = sets.flatMap { $0 }
        m.u16(10); m.u16(UInt16(16 + body.count)); m.u32(1_700_000_000); m.u32(sequence); m.u32(7)
        return m.bytes + body
    }

    static func set(_ id: UInt16, _ content: [UInt8]) -> [UInt8] {
        var m = Bytes()
        m.u16(id); m.u16(UInt16(4 + content.count))
        return m.bytes + content
    }

    /// Template 256: src, dst, src port, dst port, protocol, octets, packets, flowStart/EndMilliseconds, and an
    /// enterprise element (PEN 9, id 42, 2 bytes).
    static let template: [UInt8] = {
        var t = Bytes()
        t.u16(256); t.u16(10)
        for (id, length) in [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8), (152, 8), (153, 8)] as [(UInt16, UInt16)] {
            t.u16(id); t.u16(length)
        }
        t.u16(0x8000 | 42); t.u16(2); t.u32(9)
        return set(2, t.bytes)
    }()

    /// `count` records from 10.9.0.i:40000+i to 192.0.2.1:443, i+1 KB and i+1 packets.
    static func data(count: Int) -> [UInt8] {
        var d = Bytes()
        for i in 0..<count {
            d.u32(0x0A09_0000 + UInt32(i)); d.u32(0xC000_0201); d.u16(40_000 + UInt16(i)); d.u16(443); d.u8(6)
            d.u64(UInt64(1000 * (i + 1))); d.u64(UInt64(i + 1))
            d.u64(1_700_000_000_000); d.u64(1_700_000_001_500)
            d.u16(UInt16(i))
        }
        return set(256, d.bytes)
    }

    static func send(_ datagrams: [[UInt8]], to port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            try #require(sent == datagram.count)
        }
    }

    /// The records archived under `root`, parsed.
    static func archived(_ root: String) throws -> [(path: String, record: [String: Any])] {
        var found: [(String, [String: Any])] = []
        guard FileManager.default.fileExists(atPath: root) else { return [] }
        for (path, records) in try Python.archive(root) {
            for case let record as [String: Any] in records { found.append((path, record)) }
        }
        return found
    }

    @Test("sources.netflow: IPFIX and NetFlow v9 datagrams become flowlog.netflow records archived by the stream")
    func netflowSource() throws {
        let ipfixPort = FreePort.pick()
        var netflowPort = FreePort.pick()
        while netflowPort == ipfixPort { netflowPort = FreePort.pick() }
        let serve = try ServeHarness(config: """
            server:
              listen: 127.0.0.1:PORT
            storage:
              dir: ./wal
            streams:
              - name: api
                destination:
                  file: {root: ./api}
              - name: flows
                buffering: {size_mb: 5, interval_s: 60}
                destination:
                  file: {root: ./lake}
            sources:
              netflow:
                stream: flows
                bind: 127.0.0.1
                ipfix_port: \(ipfixPort)
                netflow_port: \(netflowPort)
                keep_enterprise: true
                observer_name: edge-1
                receive_buffer_mb: 8
            """)
        try serve.start()
        // Data before its template is held, then released when the template arrives.
        try Self.send([Self.ipfix(sequence: 0, [Self.data(count: 3)]),
                       Self.ipfix(sequence: 0, [Self.template]),
                       Self.ipfix(sequence: 3, [Self.data(count: 20)])], to: ipfixPort)
        // A real exporter: softflowd replaying a capture as NetFlow v9.
        var softflowdRan = false
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/softflowd") {
            let exporter = try ServiceProcess(executable: "/usr/sbin/softflowd",
                                              arguments: ["-r", Self.capture, "-n", "127.0.0.1:\(netflowPort)", "-v", "9", "-d"],
                                              logPath: serve.directory + "/softflowd.log")
            try exporter.waitUntilReady(timeout: 60, what: "softflowd") { !exporter.isRunning }
            softflowdRan = true
        } else {
            Issue.record(Comment(rawValue: "softflowd is not installed; the v9 half is skipped"), severity: .warning)
        }
        usleep(500_000)
        let status = serve.stop(signal: SIGTERM)
        let logs = serve.logs
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "exit status \(status): \(logs)")
        #expect(logs.contains("netflow source listening"), "\(logs)")

        // The interval is 60 s: everything was delivered by the flush at shutdown, after the source put its last records.
        let records = try Self.archived(serve.directory + "/lake")
        let stopped = try #require(logs.split(separator: "\n").first { $0.contains("netflow source stopped") }, "\(logs)")
        let collected = try #require(stopped.firstMatch(of: /flow_records=(\d+)/).map { Int($0.1) } ?? nil, "\(stopped)")
        #expect(records.count == collected, "every collected record archived once: \(stopped)")
        #expect(stopped.contains("records_put=\(collected)"), "\(stopped)")

        let ipfix = records.filter { (($0.record["netflow"] as? [String: Any])?["version"] as? Int) == 10 }
        #expect(ipfix.count == 23, "3 held + 20")
        for (path, record) in ipfix {
            #expect(path.hasPrefix("flowlog.netflow/"), "\(path)")
            #expect((record["event"] as? [String: Any])?["dataset"] as? String == "flowlog.netflow")
            #expect((record["observer"] as? [String: Any])?["name"] as? String == "edge-1")
            #expect((record["destination"] as? [String: Any])?["ip"] as? String == "192.0.2.1")
            #expect((record["destination"] as? [String: Any])?["port"] as? Int == 443)
            let source = try #require(record["source"] as? [String: Any])
            let port = try #require(source["port"] as? Int)
            let index = port - 40_000
            #expect(source["ip"] as? String == "10.9.0.\(index)")
            #expect(source["bytes"] as? Int == 1000 * (index + 1))
            #expect(source["packets"] as? Int == index + 1)
            let netflow = try #require(record["netflow"] as? [String: Any])
            #expect(netflow["enterprise"] as? [String] == ["9.42=\(index)"])
            #expect((netflow["exporter"] as? [String: Any])?["ip"] as? String == "127.0.0.1")
        }
        if softflowdRan {
            let v9 = records.filter { (($0.record["netflow"] as? [String: Any])?["version"] as? Int) == 9 }
            #expect(v9.count == collected - 23)
            #expect(v9.count > 10, "softflowd exported the capture's flows")
            let ports = Set(v9.compactMap { ($0.record["destination"] as? [String: Any])?["port"] as? Int })
            #expect(ports.contains(53) || ports.contains(443) || ports.contains(80), "\(ports.sorted())")
        }
        #expect(try Self.archived(serve.directory + "/api").isEmpty, "only the configured stream gets the records")
    }

    @Test("sources.netflow: a UDP port in use stops serve at start-up, naming the file and the port")
    func portInUse() throws {
        let blocker = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(blocker) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(blocker, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(blocker, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let scratch = try DeliveryOptionsTests.Scratch()
        try """
            streams:
              - name: flows
                destination: {file: {root: \(scratch.path)/lake}}
            sources:
              netflow: {stream: flows, bind: 127.0.0.1, ipfix_port: \(port)}
            """.write(toFile: scratch.path + "/hydrant.yaml", atomically: true, encoding: .utf8)
        let run = try HydrantProcess.run(["serve", "--config", scratch.path + "/hydrant.yaml"])
        #expect(run.exitStatus == 1, "\(run.stderr)")
        #expect(run.stderr.contains("hydrant.yaml:5:") && run.stderr.contains("bind udp 127.0.0.1:\(port)"), "\(run.stderr)")
    }

    @Test("vpc_flow_log: lines put with boto3 become flowlog.vpc records; bad lines go to processing-failed with the reason")
    func vpcFlowLogProcessor() throws {
        let serve = try ServeHarness(config: """
            server:
              listen: 127.0.0.1:PORT
            storage:
              dir: ./wal
            streams:
              - name: vpc
                buffering: {size_mb: 1, interval_s: 60}
                processors:
                  - vpc_flow_log
                  - append_delimiter
                destination:
                  file: {root: ./lake}
            """)
        try serve.start()
        let lines = [
            "2 123456789012 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 443 6 10 5000 1700000000 1700000060 ACCEPT OK",
            "2 123456789012 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA",
            "2 123456789012 eni-0a1b2c3d 10.0.1.999 198.51.100.7 49152 443 6 10 5000 1700000000 1700000060 ACCEPT OK",
            "2 123456789012 eni-0a1b2c3d 2001:db8::5 2001:db8::7 22 50022 6 3 180 1700000000 1700000060 REJECT OK\n",
        ]
        let script = """
            import json, sys, boto3
            client = boto3.client("firehose", endpoint_url=sys.argv[1], region_name="us-east-1")
            lines = json.loads(sys.argv[2])
            answer = client.put_record_batch(DeliveryStreamName="vpc", Records=[{"Data": l.encode()} for l in lines])
            print(answer["FailedPutCount"])
            """
        let linesJSON = String(decoding: try JSONSerialization.data(withJSONObject: lines), as: UTF8.self)
        let put = Python.run(["-c", script, serve.endpoint, linesJSON])
        try #require(put.status == 0, "\(put.stderr)\n\(serve.logs)")
        #expect(put.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let status = serve.stop(signal: SIGTERM)
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "exit status \(status): \(serve.logs)")

        let archived = try Self.archived(serve.directory + "/lake")
        let flows = archived.filter { $0.path.hasPrefix("flowlog.vpc/") }.map(\.record)
        #expect(flows.count == 2, "two traffic lines; NODATA is counted, not archived: \(archived.map(\.path))")
        let accepted = try #require(flows.first { ($0["source"] as? [String: Any])?["ip"] as? String == "10.0.1.5" })
        #expect((accepted["event"] as? [String: Any])?["dataset"] as? String == "flowlog.vpc")
        #expect((accepted["event"] as? [String: Any])?["outcome"] as? String == "accept")
        #expect((accepted["destination"] as? [String: Any])?["port"] as? Int == 443)
        #expect((accepted["source"] as? [String: Any])?["bytes"] as? Int == 5000)
        #expect(((accepted["cloud"] as? [String: Any])?["account"] as? [String: Any])?["id"] as? String == "123456789012")
        #expect((accepted["event"] as? [String: Any])?["ingested"] != nil)
        let rejected = try #require(flows.first { ($0["source"] as? [String: Any])?["ip"] as? String == "2001:db8::5" })
        #expect((rejected["event"] as? [String: Any])?["outcome"] as? String == "reject")

        let failures = archived.filter { $0.path.contains("processing-failed") }.map(\.record)
        #expect(failures.count == 1, "\(archived.map(\.path))")
        let failure = try #require(failures.first)
        #expect(failure["errorCode"] as? String == "VPCFlowLog.MalformedRecord")
        let message = failure["errorMessage"] as? String ?? ""
        #expect(message.contains("srcaddr") && message.contains("10.0.1.999"), "\(message)")
        let raw = try #require((failure["rawData"] as? String).flatMap { Data(base64Encoded: $0) })
        #expect(String(decoding: raw, as: UTF8.self) == lines[2])
    }
}

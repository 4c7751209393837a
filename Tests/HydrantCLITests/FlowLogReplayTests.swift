import Foundation
import Testing

/// `hydrant replay` over flow logs, with the real binary: VPC Flow Logs files (recognised by their header, plain
/// or gzip, or headerless with `--format vpc-flow-log`, or on stdin), and NetFlow/IPFIX export inside captures
/// (`--netflow-port`).
@Suite struct FlowLogReplayTests {
    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    static func path(_ object: [String: Any], _ dotted: String) -> Any? {
        var current: Any? = object
        for key in dotted.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    static func dataset(_ object: [String: Any]) -> String? { path(object, "event.dataset") as? String }

    /// A scratch directory removed when the test ends.
    final class Scratch {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-flowlog-\(UUID().uuidString)").path
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The conformance folder, or nil with a warning.
    static func folder(_ name: String) -> URL? {
        guard let url = HydrantProcess.conformance(name) else {
            Issue.record(Comment(rawValue: "../shared/conformance/\(name) is absent; skipped"), severity: .warning)
            return nil
        }
        return url
    }

    struct VPCCase {
        var file: String
        var records: [[String: Any]]
        var flows: Int
        var noData: Int
        var skipData: Int
    }

    static func vpcCases(_ folder: URL) throws -> [VPCCase] {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected_parsed.json")))
            as? [String: Any] ?? [:]
        return try expected.sorted { $0.key < $1.key }.map { name, value in
            let entry = try #require(value as? [String: Any], "\(name)")
            let records = try #require(entry["records"] as? [[String: Any]]).compactMap { $0["fields"] as? [String: Any] }
            let status = records.map { $0["log-status"] as? String }
            return VPCCase(file: try #require(entry["log_file"] as? String), records: records,
                           flows: status.filter { $0 != "NODATA" && $0 != "SKIPDATA" }.count,
                           noData: status.filter { $0 == "NODATA" }.count, skipData: status.filter { $0 == "SKIPDATA" }.count)
        }
    }

    /// The records of a replay match the expected traffic lines in order: addresses, ports, bytes, outcome.
    static func check(_ got: [[String: Any]], _ c: VPCCase, _ place: String) {
        let traffic = c.records.filter { ($0["log-status"] as? String).map { $0 == "OK" } ?? true }
        #expect(got.count == traffic.count, "\(place)")
        for (record, fields) in zip(got, traffic) {
            #expect(dataset(record) == "flowlog.vpc", "\(place)")
            #expect(path(record, "source.ip") as? String == fields["srcaddr"] as? String, "\(place)")
            #expect(path(record, "destination.ip") as? String == fields["dstaddr"] as? String, "\(place)")
            #expect(path(record, "source.port") as? Int == fields["srcport"] as? Int, "\(place)")
            #expect(path(record, "source.bytes") as? Int == fields["bytes"] as? Int, "\(place)")
            #expect(path(record, "event.outcome") as? String == (fields["action"] as? String)?.lowercased(), "\(place)")
            #expect(path(record, "flow.kind") as? String == "unidirectional")
        }
    }

    @Test("every conformance .log is recognised by its header and replays to its traffic lines")
    func vpcFilesByHeader() throws {
        guard let folder = Self.folder("vpc-flow-logs") else { return }
        let cases = try Self.vpcCases(folder)
        #expect(cases.count >= 8)
        for c in cases {
            let run = try HydrantProcess.run(["replay", folder.appendingPathComponent(c.file).path, "--observer", "t"])
            #expect(run.exitStatus == 0, "\(c.file): \(run.stderr)")
            Self.check(try Self.lines(run.stdout), c, c.file)
            #expect(run.stderr.contains("flowlog.vpc: \(c.flows) records written, \(c.noData) NODATA, \(c.skipData) SKIPDATA"),
                    "\(c.file): \(run.stderr)")
        }
    }

    @Test("gzip files, several files in one run, headerless files with --format, custom --vpc-format, and stdin")
    func vpcVariants() throws {
        guard let folder = Self.folder("vpc-flow-logs") else { return }
        let scratch = try Scratch()
        let cases = try Self.vpcCases(folder)
        let v2 = try #require(cases.first { $0.file == "default-v2-format.log" })
        let v5 = try #require(cases.first { $0.file == "v5-fields.log" })
        let source = folder.appendingPathComponent(v2.file).path

        // gzip: recognised through the compression.
        let gz = scratch.path + "/flows.log.gz"
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(source)' > '\(gz)'"]
        try gzip.run()
        gzip.waitUntilExit()
        let zipped = try HydrantProcess.run(["replay", gz, folder.appendingPathComponent(v5.file).path])
        #expect(zipped.exitStatus == 0, "\(zipped.stderr)")
        let both = try Self.lines(zipped.stdout)
        #expect(both.count == v2.flows + v5.flows)
        Self.check(Array(both.prefix(v2.flows)), v2, "gzip")
        Self.check(Array(both.dropFirst(v2.flows)), v5, "second file")

        // Headerless: the default format with --format, an error naming the file without it.
        let text = try String(contentsOfFile: source, encoding: .utf8)
        let headerless = scratch.path + "/headerless.log"
        try text.split(separator: "\n").dropFirst().joined(separator: "\n").write(toFile: headerless, atomically: true, encoding: .utf8)
        let plain = try HydrantProcess.run(["replay", "--format", "vpc-flow-log", headerless])
        #expect(plain.exitStatus == 0, "\(plain.stderr)")
        Self.check(try Self.lines(plain.stdout), v2, "headerless")
        let asCapture = try HydrantProcess.run(["replay", headerless])
        #expect(asCapture.exitStatus == 1, "a headerless file is not recognised and is no capture either")

        // A custom field list for headerless lines (v5 without its header).
        let v5Text = try String(contentsOf: folder.appendingPathComponent(v5.file), encoding: .utf8)
        let v5Lines = v5Text.split(separator: "\n")
        let custom = scratch.path + "/custom.log"
        try v5Lines.dropFirst().joined(separator: "\n").write(toFile: custom, atomically: true, encoding: .utf8)
        let withFormat = try HydrantProcess.run(["replay", "--format", "vpc-flow-log", "--vpc-format", String(v5Lines[0]), custom])
        #expect(withFormat.exitStatus == 0, "\(withFormat.stderr)")
        Self.check(try Self.lines(withFormat.stdout), v5, "--vpc-format")
        let wrongFormat = try HydrantProcess.run(["replay", "--format", "vpc-flow-log", custom])
        #expect(wrongFormat.stdout.isEmpty, "v5 lines do not fit the v2 format")
        #expect(wrongFormat.stderr.contains("bad lines skipped"), "\(wrongFormat.stderr)")
        #expect(wrongFormat.stderr.contains("custom.log:1:"), "errors name the file and line: \(wrongFormat.stderr)")

        // Standard input, with its header.
        let stdin = try HydrantProcess.run(["replay", "--format", "vpc-flow-log", "-"], stdinPath: source)
        #expect(stdin.exitStatus == 0, "\(stdin.stderr)")
        Self.check(try Self.lines(stdin.stdout), v2, "stdin")

        // --vpc-format without --format, and mixing logs with captures, are usage errors.
        let misuse = try HydrantProcess.run(["replay", "--vpc-format", "srcaddr dstaddr", source])
        #expect(misuse.exitStatus == 2)
        let capture = HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-200.pcap").path
        let mixed = try HydrantProcess.run(["replay", source, capture])
        #expect(mixed.exitStatus == 2, "\(mixed.stderr)")
        #expect(mixed.stderr.contains("cannot be replayed in one run"), "\(mixed.stderr)")
    }

    /// The `expected_decode_size` of each conformance context counts every data record (Logstash emits options
    /// and address-less records too, and drops data that precedes its template); the summary's counters give the
    /// same sum, and the flow records written are exactly the `flowlog.netflow` lines.
    @Test("NetFlow/IPFIX captures replayed with --netflow-port give the expected records beside the packet flows")
    func netflowInCaptures() throws {
        guard let folder = Self.folder("netflow") else { return }
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected_events.json")))
            as? [String: Any])
        var compared = 0
        var seenPcaps: Set<String> = []
        for context in root["contexts"] as? [[String: Any]] ?? [] {
            let name = context["context"] as? String ?? "?"
            guard let pcap = context["derived_pcap"] as? String, let expected = context["expected_decode_size"] as? Int,
                  !name.lowercased().contains("invalid"), seenPcaps.insert(pcap).inserted else { continue }
            let run = try HydrantProcess.run(["replay", folder.appendingPathComponent(pcap).path, "--netflow-port", "2055",
                                              "--netflow-port", "4739", "--observer", "t"])
            #expect(run.exitStatus == 0, "\(name): \(run.stderr)")
            let records = try Self.lines(run.stdout)
            let netflow = records.filter { Self.dataset($0) == "flowlog.netflow" }
            let line = try #require(run.stderr.split(separator: "\n").first { $0.contains("netflow (udp 2055, 4739)") }, "\(run.stderr)")
            func counter(_ label: String) -> Int? {
                guard let range = line.range(of: " \(label)") else { return nil }
                return Int(line[..<range.lowerBound].split(separator: " ").last?.trimmingCharacters(in: .punctuationCharacters) ?? "")
            }
            let flows = try #require(counter("flow records"), "\(line)")
            let decoded = flows + (counter("options records") ?? -1_000) + (counter("addressless records") ?? -1_000)
                - (counter("held records released") ?? 1_000)
            #expect(decoded == expected, "\(name): \(line)")
            #expect(netflow.count == flows, "\(name)")
            #expect(records.contains { Self.dataset($0) == "network.flow" }, "the export's own UDP flow is still a packet flow")
            for record in netflow {
                #expect(Self.path(record, "netflow.exporter.ip") as? String == "192.0.2.1", "\(name)")
                #expect(Self.path(record, "observer.name") as? String == "t")
            }
            // The first expected event with addresses is among the records.
            if let event = (context["expected_events"] as? [[String: Any]])?.compactMap({ $0["netflow"] as? [String: Any] })
                .first(where: { $0["ipv4_src_addr"] is String && $0["l4_dst_port"] is Int }) {
                let match = netflow.contains {
                    Self.path($0, "source.ip") as? String == event["ipv4_src_addr"] as? String
                        && Self.path($0, "destination.port") as? Int == event["l4_dst_port"] as? Int
                }
                #expect(match, "\(name): no record from \(event["ipv4_src_addr"] ?? "?") to port \(event["l4_dst_port"] ?? "?")")
            }
            compared += 1
        }
        #expect(compared >= 35)
    }

    @Test("without --netflow-port a capture of export replays as before: packet flows only")
    func noPortsNoNetFlow() throws {
        guard let folder = Self.folder("netflow") else { return }
        let pcap = folder.appendingPathComponent("pcap/IPFIX_Mikrotik_RouterOS_6_39_2.pcap").path
        let plain = try HydrantProcess.run(["replay", pcap, "--observer", "t"])
        #expect(plain.exitStatus == 0)
        let records = try Self.lines(plain.stdout)
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { Self.dataset($0) == "network.flow" })
        #expect(!plain.stderr.contains("netflow"))
        // A port nothing is sent to decodes nothing.
        let other = try HydrantProcess.run(["replay", pcap, "--observer", "t", "--netflow-port", "9995"])
        #expect(other.stdout == plain.stdout)
        #expect(other.stderr.contains("0 datagrams"), "\(other.stderr)")
    }
}

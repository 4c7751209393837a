import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real exporter into the real collector: Debian's softflowd replays a capture from `captures/` as NetFlow v9
/// and IPFIX into `hydrant collect` (started as a process), and the flows must agree with `hydrant replay`'s own
/// flows of the same capture.
///
/// Allowed differences, and how they are handled:
/// - softflowd exports one record per direction; `hydrant replay` one record per conversation. Each replay flow is
///   split into its forward (initiator → responder) and reverse directions before comparing, and directions with
///   no packets are dropped.
/// - softflowd expires flows on its own timeouts and on FIN/RST, and may export one conversation as several
///   records; records with the same 5-tuple are summed.
/// - softflowd's byte counts include Ethernet padding of short frames; hydrant's are IP total lengths (see the
///   comparison below).
/// - softflowd only tracks TCP, UDP, ICMP and other IP protocols with addresses; `hydrant replay` the same, so the
///   5-tuple sets must be equal. For ICMP softflowd puts type/code in the destination port; ports are compared for
///   TCP and UDP only.
@Suite(.serialized) struct SoftflowdLiveTests {
    static let root = Conformance.packageRoot
    static let capture = root.appendingPathComponent("captures/mixed-200.pcap").path

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("hydrant")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside.path }
        return root.appendingPathComponent(".build/debug/hydrant").path
    }

    struct Key: Hashable, CustomStringConvertible {
        var source: String, sourcePort: Int, destination: String, destinationPort: Int, proto: Int
        var description: String { "\(proto) \(source):\(sourcePort) -> \(destination):\(destinationPort)" }
    }

    static func key(_ object: [String: Any], reverse: Bool = false) -> Key? {
        guard let source = object["source"] as? [String: Any], let destination = object["destination"] as? [String: Any],
              let network = object["network"] as? [String: Any], let proto = network["iana_number"] as? Int,
              let sourceIP = source["ip"] as? String, let destinationIP = destination["ip"] as? String
        else { return nil }
        let ported = proto == 6 || proto == 17
        let sp = ported ? source["port"] as? Int ?? 0 : 0
        let dp = ported ? destination["port"] as? Int ?? 0 : 0
        return reverse ? Key(source: destinationIP, sourcePort: dp, destination: sourceIP, destinationPort: sp, proto: proto)
            : Key(source: sourceIP, sourcePort: sp, destination: destinationIP, destinationPort: dp, proto: proto)
    }

    static func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Directional packets and bytes per 5-tuple from `hydrant replay`.
    static func replayDirections() throws -> [Key: (packets: Int, bytes: Int)] {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).jsonl").path
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            try? FileManager.default.removeItem(atPath: scratch + ".log")
        }
        let replay = try ServiceProcess(executable: binary, arguments: ["replay", capture, "-o", scratch], logPath: scratch + ".log")
        try replay.waitUntilReady(timeout: 120, what: "hydrant replay") { !replay.isRunning }
        var out: [Key: (packets: Int, bytes: Int)] = [:]
        for flow in lines(try String(contentsOfFile: scratch, encoding: .utf8)) {
            let source = flow["source"] as? [String: Any] ?? [:]
            let destination = flow["destination"] as? [String: Any] ?? [:]
            for (reverse, side) in [(false, source), (true, destination)] {
                guard let key = key(flow, reverse: reverse), let packets = side["packets"] as? Int, packets > 0 else { continue }
                let bytes = side["bytes"] as? Int ?? 0
                out[key, default: (0, 0)].packets += packets
                out[key, default: (0, 0)].bytes += bytes
            }
        }
        return out
    }

    /// Directional packets and bytes per 5-tuple from softflowd through `hydrant collect`.
    static func collected(version: Int) throws -> (directions: [Key: (packets: Int, bytes: Int)], versions: Set<Int>) {
        let port = FreePort.pick()
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("collect-\(UUID().uuidString).jsonl").path
        let log = output + ".log"
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: log)
        }
        let collector = try ServiceProcess(executable: binary, arguments: ["collect", "--netflow", "\(port)", "--host", "127.0.0.1", "-o", output],
                                           logPath: log)
        try collector.waitUntilReady(timeout: 30, what: "hydrant collect") { collector.logTail().contains("listening on udp") }
        let exporter = try ServiceProcess(executable: "/usr/sbin/softflowd",
                                          arguments: ["-r", capture, "-n", "127.0.0.1:\(port)", "-v", "\(version)", "-d"],
                                          logPath: output + ".softflowd.log")
        try exporter.waitUntilReady(timeout: 60, what: "softflowd") { !exporter.isRunning }
        try? FileManager.default.removeItem(atPath: output + ".softflowd.log")
        usleep(500_000)  // the last datagrams are in the socket buffer; let the collector drain them
        let status = collector.stop(signal: SIGTERM)
        #expect(status & 0x7f == 0 && (status >> 8) & 0xff == 0, "hydrant collect exit status \(status): \(collector.logTail())")
        #expect(collector.logTail().contains("0 malformed datagrams"), "\(collector.logTail())")
        var out: [Key: (packets: Int, bytes: Int)] = [:]
        var versions: Set<Int> = []
        for record in lines(try String(contentsOfFile: output, encoding: .utf8)) {
            guard let key = key(record) else { continue }
            let source = record["source"] as? [String: Any] ?? [:]
            out[key, default: (0, 0)].packets += source["packets"] as? Int ?? 0
            out[key, default: (0, 0)].bytes += source["bytes"] as? Int ?? 0
            if let v = (record["netflow"] as? [String: Any])?["version"] as? Int { versions.insert(v) }
        }
        return (out, versions)
    }

    @Test(arguments: [9, 10]) func softflowdAgreesWithReplay(version: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/softflowd") else {
            Issue.record(Comment(rawValue: "softflowd is not installed; skipped"), severity: .warning)
            return
        }
        let expected = try Self.replayDirections()
        let (got, versions) = try Self.collected(version: version)
        #expect(versions == [version])
        #expect(!expected.isEmpty)
        #expect(Set(got.keys) == Set(expected.keys),
                "only softflowd: \(Set(got.keys).subtracting(expected.keys).prefix(5)); only replay: \(Set(expected.keys).subtracting(got.keys).prefix(5))")
        var mismatched: [String] = []
        for (key, want) in expected {
            guard let have = got[key] else { continue }
            // Packets must be equal. softflowd counts bytes from the captured frame past the link header, so
            // Ethernet padding of frames below the 60-byte minimum (46 bytes of payload) is counted; hydrant
            // counts the IP total length (SCHEMA.md). A padded packet is at least a 20-byte IP header, so
            // softflowd may exceed replay by at most 26 bytes per packet, and never fall short.
            let padding = have.bytes - want.bytes
            if have.packets != want.packets || padding < 0 || padding > 26 * want.packets {
                mismatched.append("\(key): softflowd \(have.packets)/\(have.bytes), replay \(want.packets)/\(want.bytes)")
            }
        }
        #expect(mismatched.isEmpty, "\(mismatched.prefix(10))")
    }
}

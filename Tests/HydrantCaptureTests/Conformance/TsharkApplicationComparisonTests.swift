import Foundation
import HydrantRecords
import Testing
@testable import HydrantCapture

/// Hydrant's DNS, HTTP and TLS records against what Debian's tshark extracts from the same captures: every capture
/// of `../shared/conformance/suricata-verify` and `../shared/conformance/community-id` that carries DNS, HTTP or TLS.
///
/// Compared as sets per capture: (query name, qtype) of every query and (query name, qtype, rcode) of every
/// response; (method, host, uri, status) of every request; (SNI, JA3) of every ClientHello. Where the two disagree
/// for a reason that is not a bug, the capture and the reason are listed in `explained`, and the test asserts that
/// the disagreement is exactly the one explained.
@Suite(.serialized) struct TsharkApplicationComparisonTests {
    /// Disagreements that are understood, by capture (relative to the conformance folder) and dataset.
    static let explained: [String: String] = [
        "community-id/pcaps/tcp.pcap http":
            "the snap length cuts the request line before its version (`GET /images/sf.net_box.gif HTT`); tshark shows the method and target, Hydrant makes no record from a request line it cannot read whole",
        "community-id/pycommunityid/tcp.pcap http":
            "the same capture as community-id/pcaps/tcp.pcap: a request line cut by the snap length",
        "suricata-verify/tests/vxlan-decoder-01/input.pcap dns":
            "DNS inside VXLAN: tshark decodes UDP port 4789 as VXLAN by default; Hydrant's decoder does not unwrap VXLAN (Suricata too needs it switched on)",
    ]

    /// Where tshark is, or nil.
    static let tshark: String? = SynthTests.executable("tshark")

    /// The captures to compare: every pcap of the two conformance folders, once each.
    static func captures() -> [String] {
        guard let root = SharedConformance.folder else { return [] }
        var found: Set<String> = []
        for folder in ["suricata-verify/tests", "community-id"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(atPath: base.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".pcap") || path.hasSuffix(".pcapng") {
                found.insert("\(folder)/\(path)")
            }
        }
        return found.sorted()
    }

    /// Runs tshark and returns its standard output lines split into tab-separated fields.
    static func tsharkFields(_ path: String, filter: String, fields: [String]) throws -> [[String]] {
        guard let tshark else { return [] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tshark)
        process.arguments = ["-n", "-r", path, "-Y", filter, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
            + fields.flatMap { ["-e", $0] }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The three sets tshark gives for a capture, from one run of tshark over it.
    static func tsharkSets(_ path: String) throws -> (dns: Set<String>, http: Set<String>, tls: Set<String>) {
        let fields = ["frame.number", "dns.flags.response", "dns.qry.name", "dns.qry.type", "dns.flags.rcode",
                      "http.request.method", "http.host", "http.request.uri", "http.response.code", "http.request_in",
                      "tls.handshake.type", "tls.handshake.extensions_server_name", "tls.handshake.ja3"]
        let rows = try tsharkFields(path, filter: "(dns && !icmp && !icmpv6) || http || tls.handshake.type == 1",
                                    fields: fields).filter { $0.count == fields.count }
        var dns: Set<String> = []
        var statusByRequest: [String: String] = [:]
        var requests: [(frame: String, text: String)] = []
        var tls: Set<String> = []
        for row in rows {
            if !row[2].isEmpty {
                let name = row[2] == "<Root>" ? "." : row[2].lowercased()
                let type = UInt16(row[3]).map(DNSNames.typeName) ?? row[3]
                dns.insert("\(name) \(type)")
                if row[1] == "1", let code = UInt16(row[4]) { dns.insert("\(name) \(type) \(DNSNames.responseCodeName(code))") }
            }
            if !row[5].isEmpty {
                let host = HTTPHeadParser.domain(ofAuthority: row[6]) ?? "-"
                requests.append((row[0], "\(row[5]) \(host) \(row[7])"))
            }
            if !row[8].isEmpty { statusByRequest[row[9]] = row[8] }
            if row[10] == "1" { tls.insert("\(row[11].isEmpty ? "-" : row[11]) \(row[12])") }
        }
        let http = Set(requests.map { "\($0.text) \(statusByRequest[$0.frame] ?? "-")" })
        return (dns, http, tls)
    }

    /// The same three sets from Hydrant's records.
    static func hydrantSets(_ records: CaptureRecords) -> (dns: Set<String>, http: Set<String>, tls: Set<String>) {
        var dns: Set<String> = []
        for record in records.dns {
            guard let name = record.questionName, let type = record.questionType else { continue }
            dns.insert("\(name) \(type)")
            if let code = record.responseCode { dns.insert("\(name) \(type) \(code)") }
        }
        let http = Set(records.http.map { record in
            "\(record.method) \(record.domain ?? "-") \(record.target) \(record.statusCode.map { "\($0)" } ?? "-")"
        })
        let tls = Set(records.tls.map { "\($0.serverName ?? "-") \($0.ja3)" })
        return (dns, http, tls)
    }

    @Test(.enabled(if: tshark != nil, "tshark is not installed (make test-deps installs it)"), arguments: captures())
    func recordsMatchTshark(capture: String) throws {
        guard let root = SharedConformance.folder else { return }
        var path = root.appendingPathComponent(capture).path
        if capture.hasSuffix(".gz") { path = try CaptureHarness.gunzip(URL(fileURLWithPath: path)).path }
        let theirs = try Self.tsharkSets(path)
        // A capture libpcap cannot open (a few fuzzed ones) has nothing to compare.
        guard let (records, _) = try? CaptureHarness.replayAll([path]) else { return }
        let ours = Self.hydrantSets(records)
        for (dataset, mine, tsharks) in [("dns", ours.dns, theirs.dns), ("http", ours.http, theirs.http),
                                         ("tls", ours.tls, theirs.tls)] {
            let key = "\(capture) \(dataset)"
            if let reason = Self.explained[key] {
                #expect(mine != tsharks, "\(key) is listed as disagreeing (\(reason)) but now agrees: remove the entry")
            } else {
                #expect(mine == tsharks, "\(key): only Hydrant \(mine.subtracting(tsharks).sorted()), only tshark \(tsharks.subtracting(mine).sorted())")
            }
        }
    }
}

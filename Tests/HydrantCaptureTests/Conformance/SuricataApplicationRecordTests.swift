import Foundation
import HydrantRecords
import Testing
import Yams
@testable import HydrantCapture

/// The `network.tls`, `network.http` and `network.dns` records of whole replays, and the flows' `network.protocol`,
/// against Suricata's expectations in `../shared/conformance/suricata-verify`.
///
/// Each mapped test's capture goes through the real capture engine (libpcap source, decoder, application analyzer,
/// flow table). Every `tls`, `http` and `flow` check of its `test.yaml` is evaluated on our records of that kind: the
/// number of records agreeing on every mapped key must equal Suricata's count (one Suricata `tls` or `http` event is
/// one handshake or one request, as one of our records is). Suricata's `dns` events are per message; for them the
/// record-level claim is that the question names and types and the answers each check names appear in our records
/// (the per-message counts are checked by `SuricataDNSMessageTests`).
@Suite struct SuricataApplicationRecordTests {
    /// Tests whose tls, http, flow and dns checks are evaluated on records.
    static let mappedTests = [
        "community-id-ipv4", "community-id-ipv6", "ja4-tls", "tls/tls-client-hello-frag-01", "tls/tls-ja3s",
        "tls/tls-json-output-ids", "decode-sll2-02", "eve-ip-version-4", "http-ipv6",
        "dns/dns-udp-eve-txt", "dns/dns-udp-eve-dig", "dns/dns-udp-eve-log-srv", "dns/dns-corrupt-additionals",
        "dns/dns-tcp-www-google-com", "dns/dns-eve", "dns-udp-nxdomain-soa",
    ]

    /// Checks not evaluated, and why.
    static let skippedEventTypes: [String: String] = [
        "alert": "Suricata's signatures are not Hydrant's rules (the rule engine has its own tests)",
        "anomaly": "Suricata's protocol-anomaly events have no Hydrant counterpart",
        "fileinfo": "files are not extracted from HTTP bodies",
        "netflow": "Suricata's netflow events are unidirectional halves of a flow",
        "stats": "Suricata's engine counters",
    ]

    /// EVE keys left out of the match, and why.
    static let unmappedKeys: [String: String] = [
        "event_type": "selects the record kind", "ip_v": "implied by the addresses",
        "tls.ja3s.string": "the JA3S text is not a record field (its MD5, tls.ja3s.hash, is)",
        "packet_info.linktype_name": "link types are not a record field",
    ]

    /// Flow keys evaluated here (the others are the flow suite's).
    static let flowKeys: Set<String> = ["src_ip", "dest_ip", "src_port", "dest_port", "proto", "community_id", "app_proto"]

    /// A record of any kind, flattened to the EVE keys it can answer.
    typealias Flat = [String: String]

    /// The Community ID seed of the test being evaluated (Suricata's `community-id-seed`); records carry seed 0.
    @TaskLocal static var seed: UInt16 = 0

    static func common(_ record: some NetworkRecord) -> Flat {
        var flat: Flat = [
            "src_ip": record.sourceIP.description, "dest_ip": record.destinationIP.description,
            "proto": record.ianaNumber == 6 ? "TCP" : record.ianaNumber == 17 ? "UDP" : "\(record.ianaNumber)",
        ]
        if let port = record.sourcePort { flat["src_port"] = "\(port)" }
        if let port = record.destinationPort { flat["dest_port"] = "\(port)" }
        if seed == 0 {
            flat["community_id"] = record.communityID
        } else if let sourcePort = record.sourcePort, let destinationPort = record.destinationPort {
            // A test with another seed is checked with that seed over the record's own endpoints.
            flat["community_id"] = CommunityID(seed: seed).string(
                source: record.sourceIP, destination: record.destinationIP, ianaNumber: record.ianaNumber,
                sourcePort: sourcePort, destinationPort: destinationPort, hasPorts: true)
        }
        return flat
    }

    /// A check's value in our form: addresses canonical (Suricata writes IPv6 in full).
    static func canonical(_ key: String, _ value: Any) -> String {
        let text = "\(value)"
        if key == "src_ip" || key == "dest_ip", let address = IPAddress(text) { return address.description }
        return text
    }

    static func flat(_ record: TLSRecord) -> Flat {
        var flat = common(record)
        flat["tls.sni"] = record.serverName
        flat["tls.version"] = record.version.map { $0 == "ssl3" ? "SSLv3" : "TLS \($0)" }
        flat["tls.ja3.hash"] = record.ja3
        flat["tls.ja4"] = record.ja4
        flat["tls.ja3s.hash"] = record.ja3s
        return flat
    }

    static func flat(_ record: HTTPRecord) -> Flat {
        var flat = common(record)
        flat["http.hostname"] = record.domain
        flat["http.url"] = record.target
        flat["http.http_method"] = record.method
        flat["http.protocol"] = "HTTP/\(record.version)"
        flat["http.http_user_agent"] = record.userAgent
        flat["http.status"] = record.statusCode.map { "\($0)" }
        flat["http.length"] = record.responseBodyBytes.map { "\($0)" }
        return flat
    }

    static func flat(_ record: FlowRecord) -> Flat {
        var flat = common(record)
        flat["app_proto"] = record.applicationProtocol
        return flat
    }

    /// Known failures, counted: the test runs and must still fail, for the reason given.
    static let knownFailures: [String: String] = [
        "eve-ip-version-4": "a one-sided capture (only the server's packets): Hydrant pairs each HTTP request with its response and makes no record from a response whose request it never saw",
    ]

    @Test(arguments: mappedTests)
    func checksHoldOnRecords(test: String) throws {
        if let reason = Self.knownFailures[test] {
            try withKnownIssue(Comment(rawValue: reason)) { try evaluateTest(test) }
        } else {
            try evaluateTest(test)
        }
    }

    private func evaluateTest(_ test: String) throws {
        guard let folder = SharedConformance.file("suricata-verify/tests/\(test)") else {
            Issue.record(Comment(rawValue: "../shared/conformance/suricata-verify is absent; skipped"), severity: .warning)
            return
        }
        let yaml = try #require(try Yams.load(yaml: String(contentsOf: folder.appendingPathComponent("test.yaml"), encoding: .utf8)) as? [String: Any])
        let pcap: URL
        if let relative = yaml["pcap"] as? String {
            pcap = folder.appendingPathComponent(relative).standardizedFileURL
        } else {
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasSuffix(".pcap") })
            pcap = folder.appendingPathComponent(name)
        }
        let seed = SuricataFlowTests.communityIDSeed(testFolder: folder)
        let (records, _) = try CaptureHarness.replayAll([pcap.path])
        try Self.$seed.withValue(seed) { try evaluate(yaml: yaml, records: records, test: test) }
    }

    private func evaluate(yaml: [String: Any], records: CaptureRecords, test: String) throws {
        let byKind: [String: [Flat]] = [
            "tls": records.tls.map(Self.flat), "http": records.http.map(Self.flat), "flow": records.flows.map(Self.flat),
        ]

        var evaluated = 0
        for check in try #require(yaml["checks"] as? [[String: Any]]) {
            guard let filter = check["filter"] as? [String: Any], let count = filter["count"] as? Int,
                  let match = filter["match"] as? [String: Any] else { continue }
            let isDNS = match.keys.contains { $0.hasPrefix("dns.") }
            guard let kind = match["event_type"] as? String ?? (isDNS ? "dns" : nil) else { continue }
            if let requires = filter["requires"] as? [String: Any], requires["lt-version"] != nil { continue }
            if kind == "dns" {
                try checkDNS(match, count: count, records: records.dns, test: test)
                evaluated += 1
                continue
            }
            guard let candidates = byKind[kind] else {
                #expect(Self.skippedEventTypes[kind] != nil, "\(test): event type \(kind) is neither mapped nor skipped")
                continue
            }
            // A flow check is about the flow's application protocol; without app_proto it was checked by the flow suite.
            if kind == "flow" && match["app_proto"] == nil { continue }
            let wanted = match.filter { Self.unmappedKeys[$0.key] == nil && (kind != "flow" || Self.flowKeys.contains($0.key)) }
                .map { ($0.key, Self.canonical($0.key, $0.value)) }
            let matching = candidates.filter { flat in wanted.allSatisfy { flat[$0.0] == $0.1 } }
            #expect(matching.count == count,
                    "\(test): \(matching.count) \(kind) records match \(wanted.sorted { $0.0 < $1.0 }), Suricata counts \(count); records: \(candidates)")
            evaluated += 1
        }
        #expect(evaluated > 0, "\(test): no check evaluated")
    }

    /// The question and the answers a Suricata dns check names are in our DNS records.
    /// A check on `dns.type` alone counts queries (`request`) or responses: each query or response of a
    /// transaction is one Suricata event, and a record holds one of each when both were seen.
    private func checkDNS(_ match: [String: Any], count: Int, records: [DNSRecord], test: String) throws {
        if match.count == 1, let type = match["dns.type"] as? String {
            let seen = type == "request" ? records.filter { $0.responseCode == nil || $0.duration != nil }.count
                                         : records.filter { $0.responseCode != nil }.count
            #expect(seen == count, "\(test): \(seen) DNS \(type)s in records, Suricata counts \(count)")
            return
        }
        var names: [String] = []
        var types: [String] = []
        var answers: [String] = []
        for (key, value) in match {
            let text = "\(value)"
            if key.hasPrefix("dns.queries["), key.hasSuffix(".rrname") { names.append(text) }
            if key.hasPrefix("dns.queries["), key.hasSuffix(".rrtype") { types.append(text) }
            if key.hasPrefix("dns.answers["), key.hasSuffix(".rdata") { answers.append(text) }
            if key.hasPrefix("dns.grouped."), !key.hasPrefix("dns.grouped.TXT") { answers.append(text) }
            if key == "dns.rrname" { names.append(text) }
            if key == "dns.rrtype" { types.append(text) }
        }
        for name in names {
            #expect(records.contains { $0.questionName == name }, "\(test): no DNS record asks for \(name)")
        }
        for type in types {
            #expect(records.contains { $0.questionType == type }, "\(test): no DNS record asks type \(type)")
        }
        for answer in answers {
            // TXT data is quoted in presentation form; Suricata's rdata is the bare text.
            #expect(records.contains { $0.answerData.contains(answer) || $0.answerData.contains("\"\(answer)\"") },
                    "\(test): no DNS record answers \(answer); answers: \(records.map(\.answerData))")
        }
    }
}

import Foundation
import HydrantCapture
import HydrantRecords
import Testing

/// The rule scenarios of `hydrant synth` and the captures in `captures/` made from them.
@Suite struct ScenarioCaptureTests {
    private static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("captures")

    /// (scenario, file, seed) of every entry of `captures/scenarios.json`.
    private static func manifest() throws -> [(scenario: RuleScenario, file: String, seed: UInt64)] {
        let data = try Data(contentsOf: captures.appendingPathComponent("scenarios.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let list = try #require(root["scenarios"] as? [[String: Any]])
        return try list.map { entry in
            let name = try #require(entry["name"] as? String)
            let scenario = try #require(RuleScenario(rawValue: name), "unknown scenario \(name)")
            return (scenario, try #require(entry["file"] as? String), UInt64(try #require(entry["seed"] as? Int)))
        }
    }

    private static func generate(_ scenario: RuleScenario, seed: UInt64) throws -> [UInt8] {
        var writer = PcapWriter(inMemory: scenario.snapLength)
        try scenario.write(to: &writer, seed: seed)
        return writer.memoryContents
    }

    @Test func everyScenarioHasASmallCaptureInTheManifest() throws {
        let entries = try Self.manifest()
        #expect(Set(entries.map(\.scenario)) == Set(RuleScenario.allCases))
        #expect(entries.count == RuleScenario.allCases.count)
        for entry in entries {
            let size = try #require(try FileManager.default.attributesOfItem(
                atPath: Self.captures.appendingPathComponent(entry.file).path)[.size] as? Int)
            #expect(size > 10_000 && size < 1_000_000, "\(entry.file): \(size) bytes")
        }
    }

    /// The files in `captures/` are what the generator makes now: a changed generator must regenerate them.
    @Test func capturesEqualWhatTheGeneratorMakes() throws {
        for entry in try Self.manifest() {
            let file = try Data(contentsOf: Self.captures.appendingPathComponent(entry.file))
            let generated = try Self.generate(entry.scenario, seed: entry.seed)
            #expect([UInt8](file) == generated, """
                captures/\(entry.file) differs from `hydrant synth --scenario \(entry.scenario.rawValue) --seed \
                \(entry.seed)`; regenerate it
                """)
        }
    }

    @Test func scenariosAreDeterministicAndSeeded() throws {
        for scenario in [RuleScenario.portscan, .dnsTunnel, .browsing] {
            #expect(try Self.generate(scenario, seed: 7) == Self.generate(scenario, seed: 7))
            #expect(try Self.generate(scenario, seed: 7) != Self.generate(scenario, seed: 8))
        }
    }

    /// Every conversation of a scenario ends inside the capture, and the bulk transfers keep their IP-level
    /// byte counts although frames are cut at the snap length.
    @Test func exfiltrationFlowsCountFullTransfers() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-exfil-\(UUID().uuidString).pcap")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(try Self.generate(.exfiltration, seed: 1)).write(to: url)
        let (records, _) = try CaptureHarness.replayAll([url.path])
        let uploads = records.flows.filter {
            $0.destinationPort == 443 && $0.destinationIP.description == "203.0.113.99"
        }
        #expect(uploads.count == 3)
        for flow in uploads {
            #expect(flow.sourceBytes > 40_000_000 && flow.sourceBytes < 40_100_000)
            #expect(flow.state == "SF")
        }
    }

    /// `dns.question.registered_domain` and `dns.question.subdomain` on the tunnel's queries (with Debian's
    /// Public Suffix List; without it the fields are absent).
    @Test func tunnelQueriesCarryRegisteredDomainAndSubdomain() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-tunnel-\(UUID().uuidString).pcap")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(try Self.generate(.dnsTunnel, seed: 1)).write(to: url)
        let (records, _) = try CaptureHarness.replayAll([url.path])
        let tunnel = records.dns.filter { $0.questionName?.hasSuffix(".cloud-sync.test") == true }
        #expect(tunnel.count == 90)
        guard PublicSuffixList.system != nil else {
            #expect(tunnel.allSatisfy { $0.questionRegisteredDomain == nil && $0.questionSubdomain == nil })
            return
        }
        for record in tunnel {
            #expect(record.questionRegisteredDomain == "cloud-sync.test")
            let subdomain = try #require(record.questionSubdomain)
            #expect(subdomain.hasSuffix(".up") && subdomain.split(separator: ".").first?.count == 52)
            #expect(record.questionName == subdomain + ".cloud-sync.test")
        }
        #expect(Set(tunnel.compactMap(\.questionSubdomain)).count == 90)
        // A name that is its own registered domain has no subdomain; a public suffix has neither.
        let list = try #require(PublicSuffixList.system)
        #expect(list.split("Example.CO.UK.")?.registeredDomain == "example.co.uk")
        #expect(list.split("example.co.uk")?.subdomain == nil)
        #expect(list.split("a.b.example.co.uk")?.subdomain == "a.b")
        #expect(list.split("co.uk") == nil)
    }
}

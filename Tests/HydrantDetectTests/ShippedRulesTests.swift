import Foundation
import HydrantDetect
import HydrantRecords
import Testing

/// The rules in `rules/`: they load cleanly, carry the metadata a shipped rule needs, and raise exactly the
/// alerts `captures/scenarios.json` lists on each scenario capture (none on the benign ones).
@Suite struct ShippedRulesTests {
    @Test func everyShippedRuleLoadsWithoutErrors() throws {
        let (set, errors) = try ShippedRules.load()
        #expect(errors.isEmpty, "\(errors.map(\.description).joined(separator: "\n"))")
        // 12 files: 8 correlations with their base rules, 4 plain detections.
        #expect(set.correlations.count == 8)
        #expect(set.detections.count == 12)
        #expect(set.filterCount == 0)
    }

    @Test func everyShippedRuleHasItsMetadata() throws {
        let (set, _) = try ShippedRules.load()
        let uuid = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        var ids: Set<String> = []
        let alerting: [(id: String?, title: String, description: String?, level: String?, tags: [String])] =
            set.detections.filter(\.generatesAlerts).map { ($0.id, $0.title, $0.description, $0.level, $0.tags) }
            + set.correlations.map { ($0.id, $0.title, $0.description, $0.level, $0.tags) }
        #expect(alerting.count == 12)
        for rule in alerting {
            let id = try #require(rule.id, "\(rule.title): no id")
            #expect(id.wholeMatch(of: uuid) != nil, "\(rule.title): id \(id) is not a UUID v4")
            #expect(ids.insert(id).inserted, "\(rule.title): duplicate id")
            #expect((rule.description ?? "").count > 80, "\(rule.title): description too short")
            #expect(["low", "medium", "high", "critical"].contains(rule.level ?? ""), "\(rule.title): level")
            #expect(rule.tags.contains { $0.hasPrefix("attack.t") }, "\(rule.title): no ATT&CK technique tag")
        }
        for rule in set.detections where !rule.generatesAlerts {
            #expect(rule.id.map { $0.wholeMatch(of: uuid) != nil } == true, "\(rule.title): base rule id")
        }
        // Every file names its false positives.
        let files = try FileManager.default.subpathsOfDirectory(atPath: ShippedRules.rulesDirectory)
            .filter { $0.hasSuffix(".yml") }
        #expect(files.count == 12)
        for file in files {
            let text = try String(contentsOfFile: ShippedRules.rulesDirectory + "/" + file, encoding: .utf8)
            #expect(text.contains("\nfalsepositives:\n  - "), "\(file): no falsepositives")
        }
    }

    @Test func theManifestCoversEveryAlertingRule() throws {
        let (set, _) = try ShippedRules.load()
        let scenarios = try ShippedRules.manifest()
        let expected = Set(scenarios.flatMap { $0.alerts.map(\.rule) })
        let alerting = Set(set.detections.filter(\.generatesAlerts).compactMap(\.id)
            + set.correlations.compactMap(\.id))
        // The known-bad-domain rule needs enriched records; `knownBadDomainRuleReadsTheEnrichment` covers it.
        let enrichmentOnly: Set<String> = ["bc1fe217-ea61-4b12-b4fa-0582813414d3"]
        #expect(expected == alerting.subtracting(enrichmentOnly))
        #expect(expected.isSubset(of: alerting))
        for scenario in scenarios {
            #expect(scenario.benign == scenario.alerts.isEmpty, "\(scenario.name)")
        }
        #expect(scenarios.filter(\.benign).map(\.name).sorted() == ["backup", "browsing", "dns", "tls"])
    }

    @Test(arguments: try ShippedRules.manifest())
    func scenarioRaisesExactlyItsAlerts(_ scenario: ShippedRules.Scenario) throws {
        let (set, errors) = try ShippedRules.load()
        try #require(errors.isEmpty)
        let capture = ShippedRules.capturesDirectory.appendingPathComponent(scenario.file)
        let records = try ShippedRules.records(of: capture)
        #expect(records.count > 20, "\(scenario.name): too few records")
        let alerts = ShippedRules.alerts(rules: set, records: records)
        let raised = alerts.map(ShippedRules.ExpectedAlert.init).sorted { $0.description < $1.description }
        var expected = scenario.alerts.sorted { $0.description < $1.description }
        if !FileManager.default.fileExists(atPath: PublicSuffixList.debianPath) {
            // Without the list the DNS records lack registered_domain and subdomain, so the tunnel rules are silent.
            expected.removeAll { ShippedRules.needPublicSuffixList.contains($0.rule) }
            Issue.record(Comment(rawValue: "\(PublicSuffixList.debianPath) absent: DNS tunnel alerts not expected"),
                         severity: .warning)
        }
        #expect(raised == expected, """
            \(scenario.name): raised
            \(raised.map(\.description).joined(separator: "\n"))
            expected
            \(expected.map(\.description).joined(separator: "\n"))
            """)
        if scenario.benign { #expect(alerts.isEmpty, "\(scenario.name) is benign") }
        // A second replay of the same capture gives the same alerts, ids included.
        let again = ShippedRules.alerts(rules: set, records: try ShippedRules.records(of: capture))
        #expect(again.map(\.id) == alerts.map(\.id))
        #expect(again == alerts)
    }

    /// The benign scenarios come close to the thresholds: with a threshold lowered, or an exclusion taken out, the
    /// same captures do alert, so their silence with the shipped rules is the thresholds' doing.
    @Test func benignScenariosComeNearTheThresholds() throws {
        func alerts(_ capture: String, editing file: String, _ edit: (String) -> String) throws -> [AlertRecord] {
            var sources: [(file: String, text: String)] = []
            let root = ShippedRules.rulesDirectory
            let files = try FileManager.default.subpathsOfDirectory(atPath: root).filter { $0.hasSuffix(".yml") }
            for path in files.sorted() {
                let text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
                sources.append((path, path == file ? edit(text) : text))
            }
            let (set, errors) = RuleSet.parse(sources: sources)
            #expect(errors.isEmpty, "\(errors)")
            let records = try ShippedRules.records(of: ShippedRules.capturesDirectory.appendingPathComponent(capture))
            return ShippedRules.alerts(rules: set, records: records)
        }
        // The mail server's 24 TXT lookups in a minute, under the threshold of 30.
        let txt = try alerts("dns-lookups.pcap", editing: "dns/dns_high_txt_rate.yml") {
            $0.replacingOccurrences(of: "gte: 30", with: "gte: 20")
        }
        #expect(txt.map(\.group) == ["source.ip=10.0.2.25"])
        // The prober's 40 names under example.com, under the threshold of 50.
        if FileManager.default.fileExists(atPath: PublicSuffixList.debianPath) {
            let unique = try alerts("dns-lookups.pcap", editing: "dns/dns_tunnel_unique_subdomains.yml") {
                $0.replacingOccurrences(of: "gte: 50", with: "gte: 35")
            }
            #expect(unique.map(\.group) == ["source.ip=10.10.3.99,dns.question.registered_domain=example.com"])
        }
        // The 120 MB backup push goes to an internal address; without the exclusion it is over the threshold.
        let push = try alerts("backup.pcap", editing: "network/large_outbound_transfer.yml") {
            $0.replacingOccurrences(of: "condition: selection and not internal", with: "condition: selection")
        }
        #expect(push.map(\.group) == ["source.ip=10.0.3.102,destination.ip=10.0.9.11"])
        // The link checker reaches 25 servers on 443; counting successful sessions too, a threshold of 20 fires.
        let sweep = try alerts("tls.pcap", editing: "network/host_sweep.yml") {
            $0.replacingOccurrences(of: "gte: 30", with: "gte: 20")
                .replacingOccurrences(of: "      - OTH\n", with: "      - OTH\n      - SF\n")
        }
        #expect(sweep.map(\.group) == ["source.ip=10.10.4.60,destination.port=443"])
    }

    @Test func knownBadDomainRuleReadsTheEnrichment() throws {
        let (set, _) = try ShippedRules.load()
        func record(_ threat: String) -> String {
            "{\"@timestamp\":\"2024-01-01T00:00:01.000000000Z\",\"event\":{\"dataset\":\"network.dns\"},"
                + "\"source\":{\"ip\":\"10.10.1.9\",\"port\":40000},\"destination\":{\"ip\":\"10.0.0.53\",\"port\":53},"
                + "\"network\":{\"transport\":\"udp\",\"community_id\":\"1:x\"},"
                + "\"dns\":{\"question\":{\"name\":\"a.evil.test\",\"type\":\"A\",\"registered_domain\":\"evil.test\","
                + "\"subdomain\":\"a\"}}\(threat)}"
        }
        let matched = ",\"threat\":{\"indicator\":{\"type\":\"domain-name\",\"value\":\"evil.test\","
            + "\"matched\":{\"field\":\"dns.question.name\"},\"count\":1},\"feed\":{\"name\":\"local\"}}"
        let byAddress = ",\"threat\":{\"indicator\":{\"type\":\"ipv4-addr\",\"value\":\"10.0.0.53\","
            + "\"matched\":{\"field\":\"destination.ip\"},\"count\":1},\"feed\":{\"name\":\"local\"}}"
        let alerts = ShippedRules.alerts(rules: set, records: [record(matched), record(byAddress), record("")])
        #expect(alerts.map(\.ruleID) == ["bc1fe217-ea61-4b12-b4fa-0582813414d3"])
        #expect(alerts.first?.level == "high")
    }
}

import Foundation
import Testing
@testable import HydrantDetect
import HydrantRecords

@Suite struct LoadingTests {
    @Test func errorsNameFileLineAndProblem() {
        let yaml = """
        title: bad modifier
        logsource: {category: dns}
        detection:
            sel:
                query|contians: x
            condition: sel
        ---
        title: bad condition
        logsource: {category: dns}
        detection:
            sel:
                query: x
            condition: sel AND sel
        ---
        title: unavailable field
        logsource: {category: dns_query}
        detection:
            sel:
                Image|endswith: '\\\\cmd.exe'
            condition: sel
        ---
        title: no mapping
        logsource: {product: windows, service: security}
        detection:
            sel:
                EventID: 4625
            condition: sel
        """
        let errors = loadErrors(yaml)
        #expect(errors.count == 4)
        #expect(errors.map(\.description) == [
            "bad.yml:5: unknown modifier \"contians\" on query (rule \"bad modifier\")",
            "bad.yml:13: uppercase \"AND\" in condition; Sigma condition keywords are lowercase (and) (rule \"bad condition\")",
            "bad.yml:19: field Image is not available in network.dns (rule \"unavailable field\")",
            "bad.yml:22: no field mapping routes logsource (product: windows, service: security) to a Hydrant dataset (rule \"no mapping\")",
        ])
        #expect(errors.map(\.reason) == [.modifier, .condition, .unavailableField, .unmappedLogsource])
    }

    @Test func invalidYAMLAndValuesAreReported() {
        #expect(loadErrors("title: x\n  bad: [").first?.reason == .unreadable)
        let cidr = loadErrors(dnsRule("sel:\n    source.ip|cidr: 10.0.0.1/8\ncondition: sel"))
        #expect(cidr.first?.reason == .value)
        #expect(cidr.first?.line == 5)
        let regex = loadErrors(dnsRule("sel:\n    dns.question.name|re: '(unclosed'\ncondition: sel"))
        #expect(regex.first?.message.contains("invalid regular expression") == true)
        let gt = loadErrors(dnsRule("sel:\n    destination.port|gt: '5'\ncondition: sel"))
        #expect(gt.first?.message.contains("takes a number") == true)
        let order = loadErrors(dnsRule("sel:\n    dns.question.name|contains|re: 'x'\ncondition: sel"))
        #expect(order.first?.message.contains("\"re\" must be the first modifier") == true)
        let b64 = loadErrors(dnsRule("sel:\n    dns.question.name|contains|base64: 'x'\ncondition: sel"))
        #expect(b64.first?.message.contains("wildcards") == true)
    }

    @Test func mappingsRouteTaxonomiesToDatasets() throws {
        let zeek = """
        title: zeek dns
        logsource: {product: zeek, service: dns}
        detection:
            sel:
                query|endswith: '.onion'
                id.resp_p: 53
            condition: sel
        ---
        title: sysmon dns_query
        logsource: {category: dns_query, product: windows}
        detection:
            sel:
                QueryName|endswith: '.onion'
            condition: sel
        ---
        title: network_connection
        logsource: {category: network_connection, product: windows}
        detection:
            sel:
                Initiated: 'true'
                DestinationHostname|endswith: '.onion'
            condition: sel
        """
        let e = engine(zeek)
        #expect(e.rules.detections.map(\.datasets) == [[.networkDNS], [.networkDNS],
                                                         [.networkFlow, .networkTLS, .networkHTTP, .flowlogVPC, .flowlogNetFlow]])
        #expect(e.matchingTitles(event: dnsEvent("x.ONION")) == ["zeek dns", "sysmon dns_query"])
        let tls: [String: EventValue] = ["event": ["dataset": "network.tls"], "tls": ["client": ["server_name": "a.onion"]]]
        #expect(e.matchingTitles(event: tls) == ["network_connection"])
    }

    @Test func correlationsResolveReferencesAndFields() throws {
        let yaml = """
        title: dns query
        name: any_dns
        logsource: {category: dns}
        detection:
            sel:
                query|endswith: '.example'
            condition: sel
        ---
        title: many queries
        name: many_dns
        correlation:
            type: value_count
            rules: [any_dns]
            group-by: [src_ip]
            timespan: 5m
            condition: {field: query, gte: 10}
        ---
        title: chained
        correlation:
            type: temporal
            rules: [many_dns, any_dns]
            group-by: [src_ip]
            timespan: 1h
        ---
        title: broken
        correlation:
            type: event_count
            rules: [nothing_here]
            timespan: 5m
            condition: {gte: 1}
        ---
        title: bad timespan
        correlation:
            type: event_count
            rules: [any_dns]
            timespan: 90
            condition: {gte: 1}
        """
        let (set, errors) = RuleSet.parse(yaml: yaml, file: "c.yml")
        #expect(set.correlations.map(\.title) == ["many queries", "chained"])
        let first = try #require(set.correlations.first)
        #expect(first.timespan == 300_000_000_000)
        #expect(first.resolvedFields["any_dns"]?["src_ip"] == ["source.ip"])
        #expect(first.resolvedFields["any_dns"]?["query"] == ["dns.question.name"])
        #expect(set.correlations[1].comparisons == [CorrelationComparison(operation: "gte", value: 2)])
        #expect(errors.map(\.description) == [
            "c.yml:28: references rule \"nothing_here\", which is not loaded (rule \"broken\")",
            "c.yml:36: timespan must be a number with a unit s, m, h, d (e.g. 5m), got 90 (rule \"bad timespan\")",
        ])
        // Referenced by correlations with generate: false, the detection raises no alert of its own.
        #expect(set.detections.first?.generatesAlerts == false)
    }

    @Test func filtersAreAndedIntoTheirRules() {
        let yaml = """
        title: dns
        id: 6f3e2987-db24-4c78-a860-b4f4095a7095
        logsource: {category: dns}
        detection:
            sel:
                query|endswith: '.example'
            condition: sel
        ---
        title: keep internal out
        logsource: {category: dns}
        filter:
            rules: [6f3e2987-db24-4c78-a860-b4f4095a7095]
            internal:
                src_ip|cidr: 10.0.0.0/8
            condition: not internal
        """
        let e = engine(yaml)
        #expect(e.rules.filterCount == 1)
        #expect(e.matchingTitles(event: dnsEvent("a.example")).isEmpty)
        #expect(e.matchingTitles(event: dnsEvent("a.example", ["source": ["ip": "192.0.2.1"]])) == ["dns"])
    }

    @Test func duplicateIdsAreRejected() {
        let rule = "title: a\nid: same\nlogsource: {category: dns}\ndetection:\n    s:\n        query: x\n    condition: s\n"
        let errors = loadErrors(rule + "---\n" + rule)
        #expect(errors.count == 1)
        #expect(errors.first?.reason == .reference)
    }

    @Test func loadsDirectoriesAndReportsMissingPaths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try dnsRule("sel:\n    dns.question.name: x\ncondition: sel", title: "one").write(
            to: folder.appendingPathComponent("sub/one.yml"), atomically: true, encoding: .utf8)
        try "title: [broken".write(to: folder.appendingPathComponent("two.yaml"), atomically: true, encoding: .utf8)
        try "not a rule".write(to: folder.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let (set, errors) = try RuleSet.load(paths: [folder.path])
        #expect(set.detections.map(\.title) == ["one"])
        #expect(errors.count == 1)
        #expect(errors.first?.file.hasSuffix("two.yaml") == true)
        #expect(throws: RuleSet.PathError.self) { try RuleSet.load(paths: [folder.path + "/missing"]) }
    }
}

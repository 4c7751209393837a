import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct EnricherTests {
    static let flow = #"{"@timestamp":"2024-01-01T00:00:00.000000000Z","event":{"dataset":"network.flow"},"source":{"ip":"10.20.5.7","port":40582,"bytes":72},"destination":{"ip":"81.2.69.160","port":443},"network":{"transport":"tcp","bytes":160}}"#

    private func resources(in directory: URL, geo: Bool = true) throws -> EnrichmentResources {
        let assets = try EnrichTestSupport.write("cidr,name,zone,owner,criticality\n10.20.0.0/16,payroll,dc,finance,high\n10.20.5.7,payroll-db-1,dc,finance,critical\n",
                                                 to: "assets.csv", in: directory)
        let ips = try EnrichTestSupport.write("81.2.69.160\n203.0.113.0/24\n", to: "ips.txt", in: directory)
        let domains = try EnrichTestSupport.write("evil.com\n", to: "domains.txt", in: directory)
        let fingerprints = try EnrichTestSupport.write("e7d705a3286e19ea42f587b344ee6865\nhttp://evil.example/gate.php\n",
                                                       to: "fp.txt", in: directory)
        var geoIP: [ReloadableResource<GeoIPDatabase>] = []
        if geo, let folder = EnrichTestSupport.mmdbFolder {
            geoIP = [try EnrichmentResources.geoIPDatabase(path: folder.appendingPathComponent("test-data/GeoLite2-City-Test.mmdb").path),
                     try EnrichmentResources.geoIPDatabase(path: folder.appendingPathComponent("test-data/GeoLite2-ASN-Test.mmdb").path)]
        }
        return EnrichmentResources(
            geoIP: geoIP,
            assets: try EnrichmentResources.assetInventory(path: assets),
            homeNetworks: try HomeNetworks(["10.0.0.0/8"]),
            intel: try EnrichmentResources.threatIntel(sources: [IntelFeedSource(feed: "abuse-ips", path: ips),
                                                                 IntelFeedSource(feed: "bad-domains", path: domains),
                                                                 IntelFeedSource(feed: "fingerprints", path: fingerprints)]),
            domainScorer: (try? PublicSuffixList()).map { DomainScorer(suffixList: $0) })
    }

    private func enrich(_ lines: [String], _ resources: EnrichmentResources) throws -> [[String: Any]] {
        let (bytes, ends) = EnrichTestSupport.batch(lines)
        let enricher = Enricher(resources: resources)
        let (out, outEnds) = enricher.enrich(bytes, ends: ends)
        #expect(outEnds.count == ends.count)
        return try EnrichTestSupport.parse(out, outEnds)
    }

    @Test func flowGainsEveryFieldInTheRightObjects() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let records = try enrich([Self.flow], try resources(in: directory))
        let record = try #require(records.first)
        let value = { EnrichTestSupport.value(record, $0) }
        #expect(value("source.port") as? Int == 40582, "existing members stay")
        #expect(value("source.asset.name") as? String == "payroll-db-1")
        #expect(value("source.asset.criticality") as? String == "critical")
        #expect(value("source.geo") == nil, "private addresses get no GeoIP")
        #expect(value("network.direction") as? String == "outbound")
        #expect(value("network.transport") as? String == "tcp")
        #expect(value("threat.indicator.type") as? String == "ipv4-addr")
        #expect(value("threat.indicator.value") as? String == "81.2.69.160")
        #expect(value("threat.indicator.matched.field") as? String == "destination.ip")
        #expect(value("threat.indicator.count") as? Int == 1)
        #expect(value("threat.feed.name") as? String == "abuse-ips")
        if EnrichTestSupport.mmdbFolder != nil {
            #expect(value("destination.geo.country_iso_code") as? String == "GB")
            #expect(value("destination.geo.city_name") as? String == "London")
        }
    }

    @Test func asnFieldsFromTheASNDatabase() throws {
        guard EnrichTestSupport.mmdbFolder != nil else { return EnrichTestSupport.recordMMDBAbsent() }
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let line = #"{"source":{"ip":"1.128.0.1"},"destination":{"ip":"2001:218::1"}}"#
        let record = try #require(try enrich([line], try resources(in: directory)).first)
        #expect(EnrichTestSupport.value(record, "source.as.number") as? Int == 1221)
        #expect(EnrichTestSupport.value(record, "source.as.organization.name") as? String == "Telstra Pty Ltd")
        #expect(EnrichTestSupport.value(record, "network.direction") as? String == "external")
    }

    @Test func dnsHttpAndTlsRecords() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = [
            #"{"event":{"dataset":"network.dns"},"source":{"ip":"10.0.0.9"},"destination":{"ip":"10.0.0.53"},"dns":{"id":7,"question":{"name":"a.b.evil.com","type":"A"}}}"#,
            #"{"event":{"dataset":"network.dns"},"dns":{"question":{"name":"notevil.com"}}}"#,
            #"{"event":{"dataset":"network.http"},"url":{"original":"/gate.php","domain":"EVIL.example"}}"#,
            #"{"event":{"dataset":"network.tls"},"tls":{"client":{"server_name":"x.evil.com","ja3":"e7d705a3286e19ea42f587b344ee6865"}}}"#,
        ]
        let records = try enrich(lines, try resources(in: directory))
        #expect(EnrichTestSupport.value(records[0], "threat.indicator.value") as? String == "evil.com")
        #expect(EnrichTestSupport.value(records[0], "threat.indicator.matched.field") as? String == "dns.question.name")
        #expect(EnrichTestSupport.value(records[0], "threat.feed.name") as? String == "bad-domains")
        #expect(EnrichTestSupport.value(records[0], "network.direction") as? String == "internal")
        #expect(EnrichTestSupport.value(records[0], "dns.question.type") as? String == "A")
        #expect(EnrichTestSupport.value(records[1], "threat") == nil)
        #expect(EnrichTestSupport.value(records[1], "network") == nil, "no IPs, no direction")
        #expect(EnrichTestSupport.value(records[2], "threat.indicator.type") as? String == "url")
        #expect(EnrichTestSupport.value(records[2], "threat.indicator.value") as? String == "evil.example/gate.php")
        #expect(EnrichTestSupport.value(records[3], "threat.indicator.matched.field") as? String == "tls.client.server_name")
        #expect(EnrichTestSupport.value(records[3], "threat.indicator.count") as? Int == 2)
        if (try? PublicSuffixList()) != nil {
            #expect(EnrichTestSupport.value(records[0], "dns.question.entropy") is Double)
            #expect(EnrichTestSupport.value(records[1], "dns.question.dga_score") is Double)
            let entropy = try #require(EnrichTestSupport.value(records[1], "dns.question.entropy") as? Double)
            #expect(abs(entropy - ShannonEntropy.bits("notevil")) < 0.001)
        }
    }

    @Test func existingFieldsAreNotDuplicatedAndOddRecordsPassThrough() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = [
            #"{"source":{"ip":"10.20.5.7","asset":{"name":"mine"}},"destination":{"ip":"81.2.69.160"},"network":{"direction":"inbound"},"threat":{"x":1}}"#,
            #"{"source":{"ip":"10.20.5.7"}"#,
            #"not json"#,
            #"[1,2,3]"#,
            #"{"source":{},"destination":{"ip":"10.20.0.1"},"network":{}}"#,
            #"  {"source" : { "ip" : "10.20.5.7" } , "destination":{"ip":"8.8.8.8"}}  "#,
            #"{"source":{"ip":"10.20\u002e5.7"}}"#,
            #"{}"#,
        ]
        let (bytes, ends) = EnrichTestSupport.batch(lines)
        let enricher = Enricher(resources: try resources(in: directory, geo: false))
        let (out, outEnds) = enricher.enrich(bytes, ends: ends)
        var start = 0
        var texts: [String] = []
        for end in outEnds {
            texts.append(String(decoding: out[start..<end], as: UTF8.self))
            start = end
        }
        #expect(texts[0] == lines[0] + "\n", "nothing to add without duplicating keys")
        #expect(texts[1] == lines[1] + "\n")
        #expect(texts[2] == lines[2] + "\n")
        #expect(texts[3] == lines[3] + "\n")
        #expect(texts[6] == lines[6] + "\n", "escaped values are not read")
        #expect(texts[7] == lines[7] + "\n")
        #expect(enricher.statistics.passedThrough == 3)
        let fourth = try JSONSerialization.jsonObject(with: Data(texts[4].utf8)) as? [String: Any] ?? [:]
        #expect(EnrichTestSupport.value(fourth, "destination.asset.name") as? String == "payroll")
        #expect(EnrichTestSupport.value(fourth, "network.direction") == nil, "no source address")
        let fifth = try JSONSerialization.jsonObject(with: Data(texts[5].utf8)) as? [String: Any] ?? [:]
        #expect(EnrichTestSupport.value(fifth, "network.direction") as? String == "outbound")
        #expect(EnrichTestSupport.value(fifth, "source.asset.name") as? String == "payroll-db-1")
        #expect(texts[5].hasSuffix("  \n"), "trailing whitespace is kept")
    }

    /// Records are enriched against one snapshot per batch: while another thread swaps the feed between two
    /// versions, every batch sees all of one version or all of the other, never a mix or an empty table.
    @Test func reloadWhileRecordsFlowNeverShowsAHalfTable() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("1.1.1.1\n2.2.2.2\n", to: "ips.txt", in: directory)
        let intel = try EnrichmentResources.threatIntel(sources: [IntelFeedSource(feed: "ips", path: path)])
        let resources = EnrichmentResources(intel: intel)
        let versions = ["1.1.1.1\n2.2.2.2\n", "# version b\n3.3.3.3\n1.1.1.1\n2.2.2.2\n203.0.113.0/24\n"]
        // A thread of its own: the test's cooperative threads may all be busy with other suites.
        let finished = DispatchSemaphore(value: 0)
        let writer = Thread {
            for round in 0..<60 {
                _ = try? EnrichTestSupport.write(versions[round % 2], to: "ips.txt", in: directory)
                usleep(3000)
            }
            finished.signal()
        }
        writer.start()
        let enricher = Enricher(resources: resources, reloadInterval: .zero)
        let lines = (0..<200).map { index in
            #"{"source":{"ip":"\#(["1.1.1.1", "2.2.2.2", "3.3.3.3", "203.0.113.9"][index % 4])"}}"#
        }
        let (bytes, ends) = EnrichTestSupport.batch(lines)
        var versionsSeen = Set<Int>()
        var batches = 0
        while batches < 50 || finished.wait(timeout: .now()) == .timedOut {
            batches += 1
            let (out, outEnds) = enricher.enrich(bytes, ends: ends)
            let records = try EnrichTestSupport.parse(out, outEnds)
            let matched = records.map { EnrichTestSupport.value($0, "threat.indicator.value") as? String }
            let newVersion = matched[2] != nil
            for (index, value) in matched.enumerated() {
                switch index % 4 {
                case 0, 1: #expect(value != nil, "listed in both versions")
                default: #expect((value != nil) == newVersion, "record \(index) disagrees with its batch")
                }
            }
            versionsSeen.insert(newVersion ? 1 : 0)
        }
        #expect(enricher.statistics.reloadFailures == 0)
        #expect(enricher.statistics.reloads > 0)
        #expect(versionsSeen == [0, 1], "both versions were in use at some point")
        print("reload test: versions seen \(versionsSeen.sorted()), reloads \(enricher.statistics.reloads)")
    }

    @Test func skippedObjectsAreWalkedRightWhereverTheirBracketsFall() throws {
        // Nested values the enricher does not read are skipped from bracket to bracket eight bytes at a time: put
        // brackets inside strings, nested arrays and objects, and their closes at every offset around those words.
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let resources = try resources(in: directory, geo: false)
        for length in 0..<24 {
            let filler = String(repeating: "a", count: length)
            let extra = #"{"\#(filler)":"}]{[","list":[1,{"c":"]\#(filler)"},[[]],{}],"e\"}":{"\#(filler)":[]}}"#
            let line = Self.flow.replacingOccurrences(of: #"{"@timestamp""#, with: #"{"extra":\#(extra),"@timestamp""#)
            let records = try enrich([line], resources)
            let record = try #require(records.first)
            let kept = try #require(record["extra"] as? [String: Any], "length \(length)")
            #expect(kept[filler] as? String == "}]{[", "length \(length)")
            #expect((record["network"] as? [String: Any])?["direction"] as? String == "outbound", "length \(length)")
            let source = try #require(record["source"] as? [String: Any])
            #expect((source["asset"] as? [String: Any])?["name"] as? String == "payroll-db-1", "length \(length)")

            // An unclosed nested object, or an escape JSON does not allow inside a skipped string, makes the record
            // malformed: it passes through unchanged.
            for broken in [line.replacingOccurrences(of: #"[[]]"#, with: #"[[]"#),
                           line.replacingOccurrences(of: #""}]{[""#, with: #""}]\x{[""#)] {
                #expect(broken != line)
                let (bytes, ends) = EnrichTestSupport.batch([broken])
                let enricher = Enricher(resources: resources)
                let (out, _) = enricher.enrich(bytes, ends: ends)
                #expect(out == bytes, "length \(length)")
                #expect(enricher.statistics.passedThrough == 1)
            }
        }
    }

    @Test func stringsAreWalkedRightWhereverTheirQuotesEscapesAndControlBytesFall() throws {
        // The walker scans strings eight bytes at a time: put a string's end, an escaped quote, a backslash pair
        // and a raw control byte at every offset around those words, before the fields the enricher reads.
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let resources = try resources(in: directory, geo: false)
        for length in 0..<40 {
            let filler = String(repeating: "a", count: length)
            let escaped = String(repeating: "b", count: length % 9) + #"\"q\\"# + filler
            let line = Self.flow
                .replacingOccurrences(of: #""dataset":"network.flow""#, with: #""dataset":"network.flow","note":"\#(escaped)""#)
                .replacingOccurrences(of: #"{"@timestamp""#, with: #"{"pad":"\#(filler)","@timestamp""#)
            let records = try enrich([line], resources)
            let record = try #require(records.first)
            let event = try #require(record["event"] as? [String: Any])
            #expect(event["note"] as? String == String(repeating: "b", count: length % 9) + "\"q\\" + filler)
            let source = try #require(record["source"] as? [String: Any])
            #expect((source["asset"] as? [String: Any])?["name"] as? String == "payroll-db-1", "length \(length)")
            #expect((record["network"] as? [String: Any])?["direction"] as? String == "outbound", "length \(length)")

            // A raw control byte inside a skipped string makes the record malformed: it passes through unchanged.
            let broken = line.replacingOccurrences(of: #""pad":"\#(filler)""#, with: "\"pad\":\"\(filler)\u{01}x\"")
            let (bytes, ends) = EnrichTestSupport.batch([broken])
            let enricher = Enricher(resources: resources)
            let (out, _) = enricher.enrich(bytes, ends: ends)
            #expect(out == bytes, "length \(length)")
            #expect(enricher.statistics.passedThrough == 1)
        }
    }
}

import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

/// The exact bytes the enricher writes: members spliced in where their objects close, commas where they belong,
/// everything else copied as it was, whatever the order, nesting, spacing and escaping of the record.
@Suite struct EnricherSpliceTests {
    static let asset = #""asset":{"name":"payroll-db-1","zone":"dc","owner":"finance","criticality":"critical"}"#
    static let subnet = #""asset":{"name":"payroll","zone":"dc","owner":"finance","criticality":"high"}"#
    static func threat(_ value: String, _ field: String, count: Int = 1) -> String {
        #""threat":{"indicator":{"type":"ipv4-addr","value":"\#(value)","matched":{"field":"\#(field)"},"count":\#(count)},"feed":{"name":"abuse-ips"}}"#
    }

    private func resources(in directory: URL, geo: [ReloadableResource<GeoIPDatabase>] = []) throws -> EnrichmentResources {
        let assets = try EnrichTestSupport.write(
            "cidr,name,zone,owner,criticality\n10.20.0.0/16,payroll,dc,finance,high\n10.20.5.7,payroll-db-1,dc,finance,critical\n",
            to: "assets.csv", in: directory)
        let ips = try EnrichTestSupport.write("81.2.69.160\n", to: "ips.txt", in: directory)
        return EnrichmentResources(
            geoIP: geo,
            assets: try EnrichmentResources.assetInventory(path: assets),
            homeNetworks: try HomeNetworks(["10.0.0.0/8"]),
            intel: try EnrichmentResources.threatIntel(sources: [IntelFeedSource(feed: "abuse-ips", path: ips)]))
    }

    /// Each line enriched in one batch, as text (without the newline the batch adds).
    private func enrich(_ lines: [String], _ enricher: Enricher) -> [String] {
        let (bytes, ends) = EnrichTestSupport.batch(lines)
        let (out, outEnds) = enricher.enrich(bytes, ends: ends)
        var start = 0
        var texts: [String] = []
        for end in outEnds {
            texts.append(String(decoding: out[start..<max(start, end - 1)], as: UTF8.self))
            start = end
        }
        return texts
    }

    @Test func membersGoWhereTheirObjectsCloseInAnyOrder() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let enricher = Enricher(resources: try resources(in: directory))
        let cases: [(String, String)] = [
            // network before the endpoints, destination before source
            (#"{"network":{"transport":"tcp"},"destination":{"ip":"10.20.5.7"},"source":{"port":1,"ip":"81.2.69.160"}}"#,
             #"{"network":{"transport":"tcp","direction":"inbound"},"destination":{"ip":"10.20.5.7",\#(Self.asset)},"source":{"port":1,"ip":"81.2.69.160"},\#(Self.threat("81.2.69.160", "source.ip"))}"#),
            // no network object: one is made at the end, before the threat, which goes there too
            (#"{"source":{"ip":"10.20.1.1"},"destination":{"ip":"81.2.69.160"}}"#,
             #"{"source":{"ip":"10.20.1.1",\#(Self.subnet)},"destination":{"ip":"81.2.69.160"},"network":{"direction":"outbound"},\#(Self.threat("81.2.69.160", "destination.ip"))}"#),
            // empty network object: no comma before the direction
            (#"{"network":{},"source":{"ip":"10.1.1.1"},"destination":{"ip":"10.20.5.7"}}"#,
             #"{"network":{"direction":"internal"},"source":{"ip":"10.1.1.1"},"destination":{"ip":"10.20.5.7",\#(Self.asset)}}"#),
            // spacing is kept; members go right before the closing brace
            (#" { "source" : { "ip" : "10.20.5.7" } , "destination" :{"ip":"8.8.8.8" }  } "#,
             #" { "source" : { "ip" : "10.20.5.7" ,\#(Self.asset)} , "destination" :{"ip":"8.8.8.8" }  ,"network":{"direction":"outbound"}} "#),
            // fields of the same name deeper down are not read
            (#"{"event":{"source":{"ip":"10.20.5.7"}},"source":{"nat":{"ip":"10.20.5.7"},"ip":"9.9.9.9"},"destination":{"ip":"8.8.8.8","x":[{"ip":"10.20.5.7"}]}}"#,
             #"{"event":{"source":{"ip":"10.20.5.7"}},"source":{"nat":{"ip":"10.20.5.7"},"ip":"9.9.9.9"},"destination":{"ip":"8.8.8.8","x":[{"ip":"10.20.5.7"}]},"network":{"direction":"external"}}"#),
            // an escaped address is not read: no asset, no direction; the other endpoint still matches intel
            (#"{"source":{"ip":"10.20.5.\u0037"},"destination":{"ip":"81.2.69.160"}}"#,
             #"{"source":{"ip":"10.20.5.\u0037"},"destination":{"ip":"81.2.69.160"},\#(Self.threat("81.2.69.160", "destination.ip"))}"#),
            // absent source: the destination's members only
            (#"{"destination":{"ip":"10.20.5.7"}}"#, #"{"destination":{"ip":"10.20.5.7",\#(Self.asset)}}"#),
            // a source that is not an object, an empty one, members already there
            (#"{"source":"10.20.5.7","destination":{}}"#, #"{"source":"10.20.5.7","destination":{}}"#),
            (#"{"source":{"ip":"10.20.5.7","asset":null},"destination":{"ip":"10.20.1.2","asset":{}},"network":{"direction":"x"}}"#,
             #"{"source":{"ip":"10.20.5.7","asset":null},"destination":{"ip":"10.20.1.2","asset":{}},"network":{"direction":"x"}}"#),
            // a network that is not an object gets no direction and no second network
            (#"{"source":{"ip":"10.20.5.7"},"destination":{"ip":"10.20.1.2"},"network":"lan"}"#,
             #"{"source":{"ip":"10.20.5.7",\#(Self.asset)},"destination":{"ip":"10.20.1.2",\#(Self.subnet)},"network":"lan"}"#),
            // an existing threat object: no second one
            (#"{"threat":{},"source":{"ip":"81.2.69.160"},"destination":{"ip":"10.20.5.7"}}"#,
             #"{"threat":{},"source":{"ip":"81.2.69.160"},"destination":{"ip":"10.20.5.7",\#(Self.asset)},"network":{"direction":"inbound"}}"#),
            // IPv4-mapped IPv6 spelling of a listed address
            (#"{"source":{"ip":"::ffff:81.2.69.160"},"destination":{"ip":"::ffff:10.20.5.7"}}"#,
             #"{"source":{"ip":"::ffff:81.2.69.160"},"destination":{"ip":"::ffff:10.20.5.7",\#(Self.asset)},"network":{"direction":"inbound"},"threat":{"indicator":{"type":"ipv4-addr","value":"::ffff:81.2.69.160","matched":{"field":"source.ip"},"count":1},"feed":{"name":"abuse-ips"}}}"#),
        ]
        let texts = enrich(cases.map(\.0), enricher)
        for (index, (line, expected)) in cases.enumerated() {
            #expect(texts[index] == expected, "\(line)")
            #expect((try? JSONSerialization.jsonObject(with: Data(texts[index].utf8))) != nil, "valid JSON: \(texts[index])")
        }
    }

    @Test func geoMembersComeFirstThenTheAsset() throws {
        guard let folder = EnrichTestSupport.mmdbFolder else { return EnrichTestSupport.recordMMDBAbsent() }
        let city = try GeoIPDatabase(path: folder.appendingPathComponent("test-data/GeoLite2-City-Test.mmdb").path)
        let asn = try GeoIPDatabase(path: folder.appendingPathComponent("test-data/GeoLite2-ASN-Test.mmdb").path)
        let geo = [try EnrichmentResources.geoIPDatabase(path: city.path), try EnrichmentResources.geoIPDatabase(path: asn.path)]
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let enricher = Enricher(resources: try resources(in: directory, geo: geo))
        // Written out here from what the databases say, to check the splice, not the encoder.
        func members(_ address: String) throws -> String {
            let ip = try #require(IPAddress(address))
            var record = city.lookup(ip) ?? GeoIPRecord()
            if let more = asn.lookup(ip) { record.merge(more) }
            var geo: [String] = []
            if let country = record.countryISOCode { geo.append(#""country_iso_code":"\#(country)""#) }
            if let name = record.cityName { geo.append(#""city_name":"\#(name)""#) }
            var asn: [String] = []
            if let number = record.asNumber { asn.append(#""number":\#(number)"#) }
            if let name = record.asOrganization { asn.append(#""organization":{"name":"\#(name)"}"#) }
            var parts: [String] = []
            if !geo.isEmpty { parts.append(#""geo":{\#(geo.joined(separator: ","))}"#) }
            if !asn.isEmpty { parts.append(#""as":{\#(asn.joined(separator: ","))}"#) }
            return parts.joined(separator: ",")
        }
        let london = try members("81.2.69.160")
        let telstra = try members("1.128.0.1")
        #expect(london.contains("London") && !telstra.isEmpty)
        let lines = [
            #"{"source":{"ip":"81.2.69.160"},"destination":{"ip":"10.20.5.7"}}"#,
            #"{"destination":{},"source":{"ip":"1.128.0.1","port":2}}"#,
            #"{"source":{"ip":"1.128.0.1","geo":{}},"destination":{"ip":"81.2.69.160","asset":1}}"#,
        ]
        let expected = [
            #"{"source":{"ip":"81.2.69.160",\#(london)},"destination":{"ip":"10.20.5.7",\#(Self.asset)},"network":{"direction":"inbound"},\#(Self.threat("81.2.69.160", "source.ip"))}"#,
            #"{"destination":{},"source":{"ip":"1.128.0.1","port":2,\#(telstra)}}"#,
            #"{"source":{"ip":"1.128.0.1","geo":{}},"destination":{"ip":"81.2.69.160","asset":1,\#(london)},"network":{"direction":"external"},\#(Self.threat("81.2.69.160", "destination.ip"))}"#,
        ]
        // Twice: the second batch answers from the cache.
        for round in 0..<2 {
            let texts = enrich(lines, enricher)
            for index in lines.indices { #expect(texts[index] == expected[index], "round \(round), line \(index)") }
        }
    }

    @Test func largeRecordsGrowTheOutputAndLaterBatchesStillCome() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let enricher = Enricher(resources: try resources(in: directory))
        // Records larger than the output's first capacity, then many small ones, then a large one again: every
        // byte lands where it belongs whatever the buffer had to do.
        let large = String(repeating: "x", count: 3 << 20)
        let batches: [[String]] = [
            [#"{"pad":"\#(large)","source":{"ip":"10.20.5.7"}}"#, #"{"destination":{"ip":"10.20.5.7"}}"#],
            Array(repeating: #"{"source":{"ip":"10.20.5.7"},"pad":"\#(String(repeating: "y", count: 300))"}"#, count: 5000),
            [#"{"source":{"ip":"10.20.5.7"}}"#, #"{"a":"\#(large)\#(large)","source":{"ip":"10.20.5.7"}}"#],
        ]
        for lines in batches {
            let texts = enrich(lines, enricher)
            #expect(texts.count == lines.count)
            for (text, line) in zip(texts, lines) {
                let expected = line.replacingOccurrences(of: #""ip":"10.20.5.7"}"#, with: #""ip":"10.20.5.7",\#(Self.asset)}"#)
                #expect(text == expected)
            }
        }
    }

    @Test func recordsAppendAfterWhatTheOutputHolds() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let enricher = Enricher(resources: try resources(in: directory))
        let (bytes, ends) = EnrichTestSupport.batch([#"{"source":{"ip":"10.20.5.7"}}"#, "not json"])
        var out = Array("kept".utf8)
        var outEnds = [4]
        enricher.enrich(bytes, ends: ends, into: &out, ends: &outEnds)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text == "kept" + #"{"source":{"ip":"10.20.5.7",\#(Self.asset)}}"# + "\n" + "not json\n")
        #expect(outEnds == [4, 4 + 31 + Self.asset.utf8.count, out.count])
        // Ends past the bytes or going backwards are clamped.
        var clamped: [UInt8] = []
        var clampedEnds: [Int] = []
        enricher.enrich(bytes, ends: [ends[0], 3, bytes.count + 50], into: &clamped, ends: &clampedEnds)
        #expect(clampedEnds.count == 3)
        #expect(clampedEnds[0] == clampedEnds[1])
        #expect(Array(clamped[clampedEnds[1]...]) == Array(bytes[ends[0]...]))
    }
}

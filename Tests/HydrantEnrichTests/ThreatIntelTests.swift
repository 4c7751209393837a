import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct ThreatIntelTests {
    private func intel(_ feeds: [(String, String, String)]) throws -> ThreatIntel {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = try feeds.map { feed, name, text in
            IntelFeedSource(feed: feed, path: try EnrichTestSupport.write(text, to: name, in: directory))
        }
        return try ThreatIntel(sources: sources)
    }

    @Test func plainListOfEveryKind() throws {
        let intel = try intel([("mixed", "mixed.txt", """
            # a feed
            185.220.101.7
            203.0.113.0/24     # a block
            2001:db8:bad::/48
            2001:db8:1::66
            evil.com
            *.tracker.example
            http://malware.example.org/payload.exe?x=1#frag
            e7d705a3286e19ea42f587b344ee6865
            t13d1516h2_8daaf6152771_e5627efa2ab1
            """)])
        #expect(intel.count == 9)
        #expect(intel.lookup(address: IPAddress("185.220.101.7")!) == IntelHit(type: .ipv4, indicator: "185.220.101.7",
                                                                              feed: "mixed", count: 1))
        #expect(intel.lookup(address: IPAddress("::ffff:185.220.101.7")!)?.indicator == "185.220.101.7")
        #expect(intel.lookup(address: IPAddress("203.0.113.77")!)?.indicator == "203.0.113.0/24")
        #expect(intel.lookup(address: IPAddress("2001:db8:bad:1::1")!)?.indicator == "2001:db8:bad::/48")
        #expect(intel.lookup(address: IPAddress("2001:db8:1::66")!)?.type == .ipv6)
        #expect(intel.lookup(address: IPAddress("185.220.101.8")!) == nil)
        #expect(intel.lookup(url: "https://MALWARE.example.org:8443/payload.exe?x=1")?.feed == "mixed")
        #expect(intel.lookup(url: "http://malware.example.org/payload.exe") == nil)
        #expect(intel.lookup(fingerprint: "E7D705A3286E19EA42F587B344EE6865", type: .ja3)?.feed == "mixed")
        #expect(intel.lookup(fingerprint: "t13d1516h2_8daaf6152771_e5627efa2ab1", type: .ja4)?.type == .ja4)
        #expect(intel.lookup(domain: "a.b.tracker.example")?.indicator == "tracker.example")
    }

    @Test func domainSuffixMatching() throws {
        let intel = try intel([("bad-domains", "domains.txt", "evil.com\nsub.evil.com\n")])
        #expect(intel.lookup(domain: "evil.com")?.indicator == "evil.com")
        #expect(intel.lookup(domain: "a.b.evil.com")?.indicator == "evil.com")
        #expect(intel.lookup(domain: "EVIL.COM.")?.indicator == "evil.com")
        #expect(intel.lookup(domain: "notevil.com") == nil)
        #expect(intel.lookup(domain: "evil.com.au") == nil)
        #expect(intel.lookup(domain: "com") == nil)
        // The longest listed suffix is reported; both listings are counted.
        #expect(intel.lookup(domain: "x.sub.evil.com") == IntelHit(type: .domain, indicator: "sub.evil.com",
                                                                   feed: "bad-domains", count: 2))
    }

    @Test func csvFeedWithTypeColumnAndSeveralFeeds() throws {
        let intel = try intel([
            ("abuse", "abuse.csv", "first_seen,indicator,type\n2024-01-01,185.220.101.7,ip\n2024-01-02,evil.com,domain\n2024-01-03,,\n"),
            ("other", "other.txt", "185.220.101.7\n185.220.101.7\n"),
        ])
        // The same address in two feeds: the first feed is reported, both counted; a repeat within a feed is not.
        #expect(intel.lookup(address: IPAddress("185.220.101.7")!) == IntelHit(type: .ipv4, indicator: "185.220.101.7",
                                                                              feed: "abuse", count: 2))
        #expect(intel.lookup(domain: "www.evil.com")?.feed == "abuse")
        #expect(intel.feeds == ["abuse", "other"])
    }

    @Test func badLinesNameFileAndLine() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (text, line) in [("1.2.3.4\nnot a domain!\n", 2), ("a,b\nx,y\n", 1), ("indicator,type\n1.2.3.4,bogus\n", 2),
                             ("indicator,type\n1.2.3.4\n", 2), ("10.0.0.0/40\n", 1), ("evil..com\n", 1)] {
            let path = try EnrichTestSupport.write(text, to: "feed.txt", in: directory)
            do {
                _ = try ThreatIntel(sources: [IntelFeedSource(feed: "f", path: path)])
                Issue.record("loaded \(text.debugDescription)")
            } catch {
                #expect(error.path == path)
                #expect(error.line == line, "\(text.debugDescription): \(error)")
            }
        }
    }

    /// A million indicators (addresses, blocks and domains) load quickly and take under 64 bytes each.
    @Test func millionIndicatorsAreCompact() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = ""
        text.reserveCapacity(24_000_000)
        var generator = SystemRandomNumberGenerator()
        var listedAddresses: [String] = []
        var listedDomains: [String] = []
        for index in 0..<1_000_000 {
            switch index % 4 {
            case 0, 1:
                let value = UInt32.random(in: 0x0100_0000...0xDFFF_FFFF, using: &generator)
                let address = "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).\(value & 255)"
                if index % 997 == 0 { listedAddresses.append(address) }
                text += address + "\n"
            case 2:
                let domain = "d\(index)x\(UInt32.random(in: 0...UInt32.max, using: &generator)).example"
                if index % 997 == 2 { listedDomains.append(domain) }
                text += domain + "\n"
            default:
                let value = UInt32.random(in: 0x0100_0000...0xDFFF_FFFF, using: &generator) & 0xFFFF_FF00
                text += "\(value >> 24).\(value >> 16 & 255).\(value >> 8 & 255).0/24\n"
            }
        }
        let path = try EnrichTestSupport.write(text, to: "big.txt", in: directory)
        let start = ContinuousClock.now
        let intel = try ThreatIntel(sources: [IntelFeedSource(feed: "big", path: path)])
        let elapsed = ContinuousClock.now - start
        #expect(intel.count > 990_000)
        let perIndicator = Double(intel.tableBytes) / Double(intel.count)
        #expect(perIndicator < 64, "\(perIndicator) bytes per indicator")
        print("ThreatIntel: \(intel.count) indicators loaded in \(elapsed) (debug build), \(perIndicator) bytes each")
        // Large tables are searched through their top-bits buckets: every listed indicator is still found, and an
        // address or name next to a listed one is not matched exactly.
        for address in listedAddresses {
            let hit = intel.lookup(address: try #require(IPAddress(address)))
            #expect(hit?.type == .ipv4, "\(address)")
        }
        for domain in listedDomains {
            #expect(intel.lookup(domain: "www." + domain)?.type == .domain, "\(domain)")
            #expect(intel.lookup(domain: "x" + domain) == nil, "\(domain)")
        }
        #expect(elapsed < .seconds(60))
    }

    @Test func reloadSwapsWholeTables() throws {
        let directory = try EnrichTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try EnrichTestSupport.write("1.1.1.1\n", to: "ips.txt", in: directory)
        let resource = try EnrichmentResources.threatIntel(sources: [IntelFeedSource(feed: "ips", path: path)])
        #expect(resource.current.lookup(address: IPAddress("1.1.1.1")!) != nil)
        try EnrichTestSupport.write("2.2.2.2\n", to: "ips.txt", in: directory)
        #expect(try resource.reloadIfChanged())
        #expect(resource.current.lookup(address: IPAddress("1.1.1.1")!) == nil)
        #expect(resource.current.lookup(address: IPAddress("2.2.2.2")!) != nil)
    }
}

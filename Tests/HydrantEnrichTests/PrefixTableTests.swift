import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct PrefixTableTests {
    private func table(_ blocks: [String]) -> PrefixTable<String> {
        PrefixTable(blocks.map { (IPPrefix($0)!, $0) })
    }

    @Test func longestPrefixWinsWhateverTheOrder() {
        let blocks = ["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32", "0.0.0.0/0"]
        for permutation in [blocks, blocks.reversed(), [blocks[2], blocks[0], blocks[4], blocks[3], blocks[1]]] {
            let table = table(permutation)
            #expect(table.lookup(IPAddress("10.1.2.3")!) == "10.1.2.3/32")
            #expect(table.lookup(IPAddress("10.1.2.4")!) == "10.1.2.0/24")
            #expect(table.lookup(IPAddress("10.1.3.0")!) == "10.1.0.0/16")
            #expect(table.lookup(IPAddress("10.1.255.255")!) == "10.1.0.0/16")
            #expect(table.lookup(IPAddress("10.2.0.0")!) == "10.0.0.0/8")
            #expect(table.lookup(IPAddress("10.0.255.255")!) == "10.0.0.0/8")
            #expect(table.lookup(IPAddress("11.0.0.0")!) == "0.0.0.0/0")
            #expect(table.lookup(IPAddress("255.255.255.255")!) == "0.0.0.0/0")
        }
    }

    @Test func gapsBetweenBlocksMatchNothing() {
        let table = table(["10.0.0.0/24", "10.0.2.0/24", "192.168.1.128/25"])
        #expect(table.lookup(IPAddress("9.255.255.255")!) == nil)
        #expect(table.lookup(IPAddress("10.0.0.255")!) == "10.0.0.0/24")
        #expect(table.lookup(IPAddress("10.0.1.0")!) == nil)
        #expect(table.lookup(IPAddress("10.0.2.0")!) == "10.0.2.0/24")
        #expect(table.lookup(IPAddress("10.0.3.0")!) == nil)
        #expect(table.lookup(IPAddress("192.168.1.127")!) == nil)
        #expect(table.lookup(IPAddress("192.168.1.128")!) == "192.168.1.128/25")
    }

    @Test func ipv4MappedIPv6MatchesIPv4BlocksBothWays() {
        let table = table(["10.20.0.0/16", "::ffff:192.168.0.0/112"])
        #expect(table.lookup(IPAddress("::ffff:10.20.3.4")!) == "10.20.0.0/16")
        #expect(table.lookup(IPAddress("10.20.3.4")!) == "10.20.0.0/16")
        #expect(table.lookup(IPAddress("192.168.7.7")!) == "::ffff:192.168.0.0/112")
        #expect(table.lookup(IPAddress("::ffff:10.21.0.1")!) == nil)
        // Not mapped: an IPv6 address whose low bits look like 10.20.x.x is not in the IPv4 block.
        #expect(table.lookup(IPAddress("2001::a14:304")!) == nil)
    }

    @Test func ipv6LongestPrefix() {
        let table = table(["2001:db8::/32", "2001:db8:a0a::/64", "2001:db8:a0a::1/128", "::/0"])
        #expect(table.lookup(IPAddress("2001:db8:a0a::1")!) == "2001:db8:a0a::1/128")
        #expect(table.lookup(IPAddress("2001:db8:a0a::2")!) == "2001:db8:a0a::/64")
        #expect(table.lookup(IPAddress("2001:db8:a0b::2")!) == "2001:db8::/32")
        #expect(table.lookup(IPAddress("2001:db9::")!) == "::/0")
        #expect(table.lookup(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")!) == "::/0")
        #expect(table.lookup(IPAddress("10.0.0.1")!) == nil)
    }

    @Test func identicalBlocksTheLaterWins() {
        let table = PrefixTable([(IPPrefix("10.0.0.0/8")!, "first"), (IPPrefix("10.0.0.0/8")!, "second")])
        #expect(table.lookup(IPAddress("10.9.9.9")!) == "second")
    }

    @Test func prefixParsingClearsHostBitsAndRejectsNonsense() {
        #expect(IPPrefix("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(IPPrefix("10.1.2.3")?.length == 32)
        #expect(IPPrefix("2001:db8::1/33")?.description == "2001:db8::/33")
        for bad in ["10.0.0.0/33", "10.0.0/8", "x/8", "10.0.0.0/", "10.0.0.0/-1", "::/129", "", "1.2.3.4/8/9"] {
            #expect(IPPrefix(bad) == nil, "\(bad)")
        }
    }

    @Test func agreesWithLinearScanOnRandomBlocks() {
        var generator = SystemRandomNumberGenerator()
        var entries: [(prefix: IPPrefix, value: Int)] = []
        for index in 0..<400 {
            let address = IPAddress(ipv4: UInt32.random(in: 0x0A00_0000...0x0A0F_FFFF, using: &generator))
            entries.append((IPPrefix(address: address, length: Int.random(in: 8...32, using: &generator)), index))
        }
        let table = PrefixTable(entries)
        for _ in 0..<5000 {
            let probe = IPAddress(ipv4: UInt32.random(in: 0x09FF_FF00...0x0A10_0100, using: &generator))
            var best: (length: Int, index: Int)?
            for (index, entry) in entries.enumerated() where entry.prefix.contains(probe) {
                if best.map({ entry.prefix.length >= $0.length }) ?? true { best = (entry.prefix.length, index) }
            }
            #expect(table.index(of: probe) == best?.index, "\(probe)")
        }
    }

    @Test func largeTablesSearchedThroughBucketsAgreeWithLinearScan() {
        // More blocks than `TopBuckets.minimumCount`, spread over the whole space and nested, so that lookups go
        // through the bucket index and often land in a bucket holding no segment start.
        var generator = SystemRandomNumberGenerator()
        var entries: [(prefix: IPPrefix, value: Int)] = []
        var bases: [UInt32] = []
        for index in 0..<6000 {
            let base = UInt32.random(in: 0...UInt32.max, using: &generator)
            bases.append(base)
            let address = IPAddress(ipv4: base)
            entries.append((IPPrefix(address: address, length: Int.random(in: 6...32, using: &generator)), index))
        }
        let table = PrefixTable(entries)
        for round in 0..<3000 {
            let base = bases[round % bases.count]
            let probe = IPAddress(ipv4: round % 2 == 0 ? base &+ UInt32(round) : UInt32.random(in: 0...UInt32.max, using: &generator))
            var best: (length: Int, index: Int)?
            for (index, entry) in entries.enumerated() where entry.prefix.contains(probe) {
                if best.map({ entry.prefix.length >= $0.length }) ?? true { best = (entry.prefix.length, index) }
            }
            #expect(table.index(of: probe) == best?.index, "\(probe)")
        }
    }

    @Test func denseBucketsAnsweredByBlockTablesAgreeWithLinearScan() {
        // Thousands of /24s and smaller blocks packed into a few /16s (an asset inventory's shape), so that those
        // buckets get per-/24 tables: /24s covered by one block, /24s with blocks starting inside, and gaps.
        var mixer = StructuralIndexTests.Mixer(state: 5)
        var entries: [(prefix: IPPrefix, value: Int)] = []
        for index in 0..<5000 {
            let third = UInt32(mixer.below(256))
            let second = UInt32(mixer.below(24))
            let fourth = UInt32(mixer.below(256))
            let length = [24, 24, 24, 25, 28, 32, 20, 16][mixer.below(8)]
            let address = IPAddress(ipv4: 10 << 24 | second << 16 | third << 8 | fourth)
            entries.append((IPPrefix(address: address, length: length), index))
        }
        entries.append((IPPrefix("10.0.0.0/8")!, 5000))
        // A few IPv6 blocks dense in one /16 of keys as well.
        for index in 0..<5000 {
            let high = UInt64(0x2001_0d00) << 32 | UInt64(mixer.below(1 << 16)) << 16
            entries.append((IPPrefix(address: IPAddress(ipv6High: high, low: 0), length: [48, 64, 40][mixer.below(3)]),
                            5001 + index))
        }
        let table = PrefixTable(entries)
        for round in 0..<4000 {
            let probe: IPAddress
            if round % 4 == 3 {
                let high = UInt64(0x2001_0d00) << 32 | UInt64(mixer.below(1 << 16)) << 16 | UInt64(mixer.below(4))
                probe = IPAddress(ipv6High: high, low: UInt64(mixer.below(3)))
            } else {
                let value = 10 << 24 | UInt32(mixer.below(26)) << 16 | UInt32(mixer.below(256)) << 8
                    | UInt32(mixer.below(256))
                probe = IPAddress(ipv4: value)
            }
            var best: (length: Int, index: Int)?
            for (index, entry) in entries.enumerated() where entry.prefix.contains(probe) {
                if best.map({ entry.prefix.length >= $0.length }) ?? true { best = (entry.prefix.length, index) }
            }
            #expect(table.index(of: probe) == best?.index, "\(probe)")
        }
    }
}

import Testing
@testable import HydrantDetect
import HydrantRecords
import HydrantTestSupport

/// CIDR tests as the evaluator runs them (masks over an address's halves, addresses parsed once per value entry),
/// against `IPNetwork.contains` on freshly parsed addresses.
@Suite struct CIDRMaskTests {
    private func randomNetwork(_ random: inout SeededGenerator) -> IPNetwork? {
        let v6 = random.chance(50)
        let width = v6 ? 128 : 32
        // Lengths at and around the word boundaries are where masks go wrong.
        let length = random.chance(30) ? [0, 1, 31, 32, 63, 64, 65, 127, 128].filter { $0 <= width }[random.below(v6 ? 9 : 4)]
            : random.below(width + 1)
        var address = v6 ? IPAddress(ipv6High: random.next(), low: random.next()) : IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next()))
        for bit in length..<width {
            if v6 {
                if bit < 64 { address.high &= ~(UInt64(1) << UInt64(63 - bit)) } else { address.low &= ~(UInt64(1) << UInt64(127 - bit)) }
            } else {
                address.low &= ~(UInt64(1) << UInt64(31 - bit))
            }
        }
        return IPNetwork("\(address)/\(length)")
    }

    /// Addresses near and far from `network`: inside it with random host bits, one bit off, the other family,
    /// random, and IPv4 addresses with stray bits above their 32 (which `IPNetwork` ignores).
    private func candidates(near network: IPNetwork, _ random: inout SeededGenerator) -> [IPAddress] {
        var out: [IPAddress] = []
        let base = network.address
        for _ in 0..<40 {
            var inside = base
            let width = base.isIPv6 ? 128 : 32
            for bit in network.prefixLength..<width where random.chance(50) {
                if base.isIPv6 {
                    if bit < 64 { inside.high |= UInt64(1) << UInt64(63 - bit) } else { inside.low |= UInt64(1) << UInt64(127 - bit) }
                } else {
                    inside.low |= UInt64(1) << UInt64(31 - bit)
                }
            }
            out.append(inside)
            var flipped = inside
            let bit = random.below(width)
            if base.isIPv6 {
                if bit < 64 { flipped.high ^= UInt64(1) << UInt64(63 - bit) } else { flipped.low ^= UInt64(1) << UInt64(127 - bit) }
            } else {
                flipped.low ^= UInt64(1) << UInt64(31 - bit)
            }
            out.append(flipped)
            var family = inside
            family.isIPv6.toggle()
            out.append(family)
            var stray = inside
            if !base.isIPv6 { stray.low |= random.next() << 32 }
            out.append(stray)
            out.append(IPAddress(ipv6High: random.next(), low: random.next()))
            out.append(IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next())))
        }
        return out
    }

    @Test func maskAnswersAsTheNetwork() throws {
        var random = SeededGenerator(seed: 13)
        var networks = 0, inside = 0, outside = 0
        for _ in 0..<600 {
            guard let network = randomNetwork(&random) else { continue }
            networks += 1
            let mask = CIDRMask(network)
            for address in candidates(near: network, &random) {
                let expected = network.contains(address)
                #expect(mask.contains(address) == expected, "\(network) \(address)")
                if expected { inside += 1 } else { outside += 1 }
            }
        }
        #expect(networks > 500)
        #expect(inside > 10_000 && outside > 10_000)
        for address in [IPAddress(ipv4: 0), IPAddress(ipv6High: 0, low: 0), IPAddress(ipv4: 1)] {
            #expect(!CIDRMask.never.contains(address))
        }
    }

    @Test func addressesParsedOncePerRecord() {
        let cache = EntryAddressCache()
        let texts = ["10.0.0.1", "fe80::1", "not an address", "", "300.1.1.1", "::ffff:1.2.3.4"]
        let buffers = texts.map { text -> UnsafeMutableBufferPointer<UInt8> in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(text.utf8.count, 1))
            _ = buffer.initialize(from: text.utf8)
            return buffer
        }
        defer { for buffer in buffers { buffer.deallocate() } }
        var parses = 0
        func ask(_ entry: Int, _ stamp: UInt32) {
            let i = entry % texts.count
            let got = cache.address(entry: entry, stamp: stamp) {
                parses += 1
                return UnsafeBufferPointer(rebasing: buffers[i][0..<texts[i].utf8.count])
            }
            #expect(got == IPAddress(texts[i]), "\(texts[i])")
        }
        // Entries far past the first capacity grow the cache.
        for entry in 0..<100 { ask(entry, 1) }
        #expect(parses == 100)
        for entry in 0..<100 { ask(entry, 1) }
        #expect(parses == 100)
        for entry in stride(from: 0, to: 100, by: 3) { ask(entry, 2) }
        #expect(parses == 134)
        ask(1_000, 2)
        #expect(parses == 135)
        ask(1_000, 2)
        #expect(parses == 135)
        cache.clear()
        ask(0, 2)
        #expect(parses == 136)
    }

    /// A private-range list under `not` (lazy CIDR atoms tested in the `and`/`or` loops) and a list beside an
    /// indexed test, over records whose addresses are single values, arrays, other families and malformed text:
    /// the engine matches exactly when some value is inside some network.
    @Test func engineMatchesTheNetworks() {
        let ranges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                      "224.0.0.0/4", "fc00::/7", "fe80::/10", "ff00::/8", "::1/128"]
        let networks = ranges.compactMap(IPNetwork.init)
        #expect(networks.count == ranges.count)
        let list = ranges.map { "'\($0)'" }.joined(separator: ", ")
        let external = engine(dnsRule("sel:\n    dns.question.type: A\ninternal:\n    source.ip|cidr: [\(list)]\ncondition: sel and not internal"))
        let either = engine(dnsRule("sel:\n    dns.question.name: x.test\nnet:\n    source.ip|cidr: [\(list)]\ncondition: sel or net"))
        var random = SeededGenerator(seed: 7)
        func address() -> EventValue {
            switch random.below(8) {
            case 0: return .string("10.\(random.below(256)).\(random.below(256)).\(random.below(256))")
            case 1: return .string("172.\(12 + random.below(8)).0.\(random.below(256))")
            case 2: return .string("fe\(["80", "bf", "c0", "7f"][random.below(4)])::\(String(random.below(65_536), radix: 16))")
            case 3: return .string(["::1", "::2", "fd00::5", "ff02::1", "192.168.1.1", "1.1.1.1"][random.below(6)])
            case 4: return .string(["10.0.0", "10.0.0.0.1", "", "x", "::g", "100.63.255.255", "100.64.0.0"][random.below(7)])
            case 5: return .int(Int64(random.below(1_000)))
            default: return .string("\(random.below(256)).\(random.below(256)).\(random.below(256)).\(random.below(256))")
            }
        }
        func inside(_ value: EventValue) -> Bool {
            switch value {
            case .string(let text):
                guard let parsed = IPAddress(text) else { return false }
                return networks.contains { $0.contains(parsed) }
            case .int(let number):
                guard let parsed = IPAddress(String(number)) else { return false }
                return networks.contains { $0.contains(parsed) }
            case .array(let items): return items.contains(where: inside)
            default: return false
            }
        }
        var internalCount = 0, externalCount = 0
        for i in 0..<3_000 {
            let value: EventValue = random.chance(30) ? .array((0..<random.below(4)).map { _ in address() }) : address()
            let name = random.chance(20) ? "x.test" : "y.test"
            let event = dnsEvent(name, ["source": ["ip": value, "port": 1]])
            let isInternal = inside(value)
            if isInternal { internalCount += 1 } else { externalCount += 1 }
            #expect(!external.matchingTitles(event: event).isEmpty == !isInternal, "\(i): \(value)")
            #expect(!either.matchingTitles(event: event).isEmpty == (isInternal || name == "x.test"), "\(i): \(value)")
        }
        #expect(internalCount > 500 && externalCount > 500)
    }
}

import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantCapture

@Suite struct DNSAddressTextTests {
    /// The table of recent answer addresses gives each address's own text: 50,000 seeded IPv4 and IPv6 addresses
    /// drawn from a pool of 2,000 (so most are found, and slots change hands all the time), IPv4 addresses next to
    /// IPv6 addresses of the same low bits, against `description`.
    @Test func givesEachAddressItsOwnText() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0xadd7_e47)
        var transactions = DNSTransactions(configuration: ApplicationConfiguration())
        var pool: [IPAddress] = []
        for _ in 0..<1_000 {
            let value = UInt32(truncatingIfNeeded: random.next())
            pool.append(IPAddress(ipv4: value))
            // The IPv6 address whose bits are the IPv4 one's: equal high and low, another address.
            pool.append(random.chance(50) ? IPAddress(ipv6High: 0, low: UInt64(value))
                                          : IPAddress(ipv6High: random.next(), low: random.next()))
        }
        for _ in 0..<50_000 {
            let address = pool[random.below(pool.count)]
            #expect(transactions.addressText(address) == address.description)
        }
    }
}

@Suite struct RecentStringsTests {
    /// Whatever the table holds, a text comes back as the String of its bytes: 30,000 seeded texts from a pool of 300
    /// (ASCII, UTF-8, bytes that are not UTF-8, empty, past the longest kept) in four slots.
    @Test func givesTheStringOfTheBytes() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0x57a1_95)
        let strings = RecentStrings(slots: 4, longest: 24)
        let pool: [[UInt8]] = (0..<300).map { index in
            let length = index % 37
            return (0..<length).map { _ in
                switch random.below(10) {
                case 0: return 0xff
                case 1: return 0xc3
                case 2: return 0xa9
                default: return UInt8(0x61 + random.below(3))
                }
            }
        }
        for _ in 0..<30_000 {
            let bytes = pool[random.below(pool.count)]
            let text = bytes.withUnsafeBytes { strings.string($0) }
            #expect(text == String(decoding: bytes, as: UTF8.self), "\(bytes)")
        }
    }
}

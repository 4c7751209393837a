import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantCapture

/// The DNS parser's memo of Community IDs by flow key must give, for every key, the ID the hash gives: checked on
/// seeded random keys drawn from a small pool (so keys repeat, near and far apart, and other keys take their slot
/// in between), IPv4 and IPv6, both directions of a conversation, VLAN-tagged or not.
@Suite struct CommunityIDMemoTests {
    private typealias Random = HydrantTestSupport.SeededGenerator

    /// A UDP packet between two endpoints.
    private struct Endpoints {
        var source: IPAddress
        var destination: IPAddress
        var sourcePort: UInt16
        var destinationPort: UInt16
        var vlanID: UInt16?
    }

    private static func address(_ random: inout Random, ipv6: Bool) -> IPAddress {
        // Few distinct addresses, so that different conversations share one endpoint and some sort the other way.
        let host = UInt64(random.below(40))
        return ipv6 ? IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: host) : IPAddress(ipv4: 0x0A00_0000 | UInt32(host))
    }

    @Test func memoGivesTheHashedIDForEveryKey() {
        var random = Random(seed: 0xC1D)
        let pool: [Endpoints] = (0..<3000).map { _ in
            let ipv6 = random.chance(30)
            return Endpoints(source: Self.address(&random, ipv6: ipv6), destination: Self.address(&random, ipv6: ipv6),
                             sourcePort: random.chance(10) ? 53 : UInt16(1024 + random.below(64_000)),
                             destinationPort: random.chance(90) ? 53 : UInt16(random.below(65_536)),
                             vlanID: random.chance(10) ? UInt16(random.below(4096)) : nil)
        }
        let hasher = CommunityID(seed: 0)
        var memo = CommunityIDMemo()
        var mismatches = 0
        var made = 0
        for _ in 0..<60_000 {
            var endpoints = pool[random.below(random.chance(70) ? 40 : pool.count)]
            if random.chance(50) {
                swap(&endpoints.source, &endpoints.destination)
                swap(&endpoints.sourcePort, &endpoints.destinationPort)
            }
            var packet = DecodedPacket()
            packet.source = endpoints.source
            packet.destination = endpoints.destination
            packet.sourcePort = endpoints.sourcePort
            packet.destinationPort = endpoints.destinationPort
            packet.ianaNumber = 17
            packet.hasPorts = true
            packet.vlanID = endpoints.vlanID
            let key = FlowKey.make(packet).key
            let expected = hasher.string(source: endpoints.source, destination: endpoints.destination, ianaNumber: 17,
                                         sourcePort: endpoints.sourcePort, destinationPort: endpoints.destinationPort,
                                         hasPorts: true)
            let id = memo.id(of: key, hash: key.hash(seed: 0)) {
                made += 1
                return expected
            }
            if id != expected { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // The memo was used (keys repeat) and was not a cache of everything (other keys took slots).
        #expect(made > 3000 && made < 50_000)
    }
}

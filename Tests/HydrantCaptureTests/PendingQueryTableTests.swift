import HydrantTestSupport
import Testing
@testable import HydrantCapture

@Suite("Pending query table: DNS queries waiting for their responses")
struct PendingQueryTableTests {
    private typealias Key = PendingQueryTable<Int>.Key

    /// A key from a small pool: 300 connections (IPv4 and IPv6, some VLAN-tagged) times eight transaction ids, so
    /// keys of one connection differ only in their id.
    private static func key(_ number: Int) -> Key {
        let connection = UInt64(number / 8)
        let ipv6 = connection % 5 == 0
        let flow = FlowKey(aHigh: ipv6 ? 0x2001_0db8 << 32 : 0, aLow: 0x0A00_0000 | connection,
                           bHigh: ipv6 ? 0x2001_0db8 << 32 : 0, bLow: 0x0A00_0035,
                           portsAndVLANs: (40_000 + connection % 3) << 48 | 53 << 32 | (connection % 4 == 0 ? 7 << 16 : 0),
                           protocolAndFlags: 17 | FlowKey.hasPortsFlag | (ipv6 ? FlowKey.ipv6Flag : 0)
                               | (connection % 4 == 0 ? FlowKey.vlanFlag : 0))
        return Key(flow: flow, id: UInt16(number % 8) &* 0x1111)
    }

    /// Seeded inserts, lookups, in-place changes, removals and clears against a `Dictionary`, with the table's hash
    /// seed fixed and random, across growth and backward-shift deletions.
    @Test(arguments: [0, 1, 0x5eed] as [UInt64])
    func matchesDictionary(seed: UInt64) {
        var random = HydrantTestSupport.SeededGenerator(seed: 0xd15_7ab1e ^ seed)
        var table = PendingQueryTable<Int>(seed: seed == 0x5eed ? UInt64.random(in: .min ... .max) : seed)
        var model: [Int: Int] = [:]
        for step in 0..<80_000 {
            let number = random.below(2_400)
            let key = Self.key(number)
            let hash = table.hash(key)
            #expect(hash == table.hash(Self.key(number)), "a key hashes the same every time")
            switch random.below(10) {
            case 0..<4:
                let found = table.slot(of: key, hash: hash)
                #expect((found != nil) == (model[number] != nil), "step \(step)")
                if found == nil {
                    let slot = table.insert(step, key: key, hash: hash)
                    model[number] = step
                    #expect(table[slot] == step)
                }
            case 4..<7:
                #expect(table.remove(key, hash: hash) == model.removeValue(forKey: number), "step \(step)")
                #expect(table.slot(of: key, hash: hash) == nil)
            case 7..<9:
                if let slot = table.slot(of: key, hash: hash) {
                    #expect(table[slot] == model[number])
                    table[slot] += 1
                    model[number, default: 0] += 1
                } else {
                    #expect(model[number] == nil, "step \(step)")
                }
            default:
                if random.below(400) == 0 {
                    table.removeAll()
                    model.removeAll()
                }
            }
            if step % 1_009 == 0 {
                #expect(table.count == model.count)
                #expect(table.values.sorted() == model.values.sorted())
                for (number, value) in model {
                    let probe = Self.key(number)
                    let slot = table.slot(of: probe, hash: table.hash(probe))
                    #expect(slot.map { table[$0] } == value)
                }
            }
        }
        #expect(table.count == model.count)
        for number in 0..<2_400 {
            let probe = Self.key(number)
            #expect(table.slot(of: probe, hash: table.hash(probe)).map { table[$0] } == model[number])
        }
    }

    /// Keys that share every bit of their hash that picks the bucket and the tag still come apart by the key compare.
    @Test func keysOfOneHashStayApart() {
        var table = PendingQueryTable<Int>(seed: 9)
        let keys = (0..<200).map { Self.key($0) }
        // Every key filed under one hash: one probe run, all tags equal.
        for (index, key) in keys.enumerated() { table.insert(index, key: key, hash: 0xABCD_0000_0000_0001) }
        for (index, key) in keys.enumerated() {
            #expect(table.slot(of: key, hash: 0xABCD_0000_0000_0001).map { table[$0] } == index)
        }
        for (index, key) in keys.enumerated() where index % 2 == 0 {
            #expect(table.remove(key, hash: 0xABCD_0000_0000_0001) == index)
        }
        for (index, key) in keys.enumerated() {
            #expect(table.slot(of: key, hash: 0xABCD_0000_0000_0001).map { table[$0] } == (index % 2 == 0 ? nil : index))
        }
        #expect(table.count == 100)
    }
}

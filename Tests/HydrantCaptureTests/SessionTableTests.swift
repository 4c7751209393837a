@testable import HydrantCapture
import Testing

@Suite("Session table: the analyzer's index of followed TCP connections")
struct SessionTableTests {
    private static func key(_ number: UInt64) -> FlowKey {
        FlowKey(aHigh: 0, aLow: 0x0A00_0000 | (number & 0xFFFF), bHigh: 0, bLow: 0x0A01_0000 | (number >> 16),
                portsAndVLANs: (number % 7) << 48 | 443 << 32, protocolAndFlags: 6 | FlowKey.hasPortsFlag)
    }

    @Test("inserts, lookups and removals in random order match a Dictionary, across growth and backward shifts")
    func matchesDictionary() {
        var table = SessionTable()
        var reference: [UInt64: TCPSession] = [:]
        var state: UInt64 = 42
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        for step in 0..<60_000 {
            let number = next() % 5_000
            let key = Self.key(number)
            let hash = key.hash(seed: 0)
            if next() % 3 == 0 {
                table.remove(key, hash: hash)
                reference[number] = nil
                #expect(table.unretainedSession(key, hash: hash) == nil)
            } else if table.session(key, hash: hash) == nil {
                let session = TCPSession(time: Int64(step), limits: TCPStreamAssembler.Limits())
                table.insert(session, key: key, hash: hash)
                reference[number] = session
            }
            if step % 997 == 0 {
                #expect(table.count == reference.count)
                for (number, session) in reference {
                    let probe = Self.key(number)
                    #expect(table.session(probe, hash: probe.hash(seed: 0)) === session)
                    #expect(table.unretainedSession(probe, hash: probe.hash(seed: 0))?.takeUnretainedValue() === session)
                }
            }
        }
        #expect(table.count == reference.count)
        for number in 0..<UInt64(5_000) {
            let probe = Self.key(number)
            #expect(table.session(probe, hash: probe.hash(seed: 0)) === reference[number])
        }
        #expect(Set(table.entries.map { ObjectIdentifier($0.session) }) == Set(reference.values.map(ObjectIdentifier.init)))
        table.removeAll()
        #expect(table.isEmpty)
        #expect(table.session(Self.key(1), hash: Self.key(1).hash(seed: 0)) == nil)
    }
}

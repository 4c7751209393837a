import HydrantRecords
import Testing
@testable import HydrantFlowLogs

/// The park the collector copies datagrams into while every record batch is with the writer: first in, first out
/// across pages, within its byte limit, with pages reused.
@Suite struct DatagramParkTests {
    /// A small deterministic generator (SplitMix64), so that failures repeat.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    struct Parked: Equatable {
        var bytes: [UInt8]
        var sender: UInt32
        var at: Int64
    }

    static func drainAll(_ park: DatagramPark) -> [Parked] {
        var out: [Parked] = []
        park.drain { datagram, sender, at in
            out.append(Parked(bytes: Array(datagram), sender: sender, at: at.nanoseconds))
            return true
        }
        return out
    }

    @Test("seeded datagrams of 0 to 65,535 bytes come out in order with their sender and time, across pages")
    func order() {
        var random = Seeded(state: 42)
        let park = DatagramPark(limit: 64 << 20)
        var expected: [Parked] = []
        var taken: [Parked] = []
        for round in 0..<6 {
            for _ in 0..<(200 + random.below(200)) {
                let size = random.below(8) == 0 ? random.below(65_536) : random.below(1_500)
                let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let item = Parked(bytes: bytes, sender: UInt32(truncatingIfNeeded: random.next()),
                                  at: Int64(bitPattern: random.next()))
                let kept = bytes.withUnsafeBytes { park.park($0, from: item.sender, receivedAt: Timestamp(nanoseconds: item.at)) }
                #expect(kept)
                expected.append(item)
            }
            // Take part of it between rounds, as the receive thread does when a batch comes back.
            var left = round == 5 ? Int.max : random.below(300)
            park.drain { datagram, sender, at in
                taken.append(Parked(bytes: Array(datagram), sender: sender, at: at.nanoseconds))
                left -= 1
                return left > 0
            }
        }
        #expect(park.isEmpty && park.count == 0 && park.byteCount == 0)
        #expect(taken.count == expected.count)
        #expect(taken == expected, "first in, first out, bytes unchanged")
    }

    @Test("the park refuses what would take it past its limit, says when it has no room for a call, and reuses pages")
    func bounded() {
        let limit = 4 * DatagramPark.pageSize
        let park = DatagramPark(limit: limit)
        let datagram = [UInt8](repeating: 7, count: 60_000)
        var kept = 0
        while datagram.withUnsafeBytes({ park.park($0, from: 1, receivedAt: Timestamp(nanoseconds: Int64(kept))) }) {
            kept += 1
            #expect(kept < 1_000, "the park must refuse at some point")
            if kept >= 1_000 { return }
        }
        // 17 entries of 60,016 bytes fit a 1 MiB page: four pages.
        #expect(kept == 4 * (DatagramPark.pageSize / 60_016))
        #expect(park.allocatedBytes <= limit && park.peakBytes <= limit)
        #expect(!park.hasRoom(datagrams: 1, ofAtMost: 60_000))
        #expect(!park.hasRoom(datagrams: 64, ofAtMost: 65_535))
        #expect(!datagram.withUnsafeBytes { park.park($0, from: 1, receivedAt: Timestamp(nanoseconds: 0)) })

        // Emptied pages come back: the park takes as much again without holding more memory.
        let first = Self.drainAll(park)
        #expect(first.count == kept && first.map(\.at) == (0..<kept).map { Int64($0) })
        #expect(park.hasRoom(datagrams: 1, ofAtMost: 65_535))
        var again = 0
        while datagram.withUnsafeBytes({ park.park($0, from: 2, receivedAt: Timestamp(nanoseconds: 0)) }) {
            again += 1
            if again >= 1_000 { break }
        }
        #expect(again == kept)
        #expect(park.peakBytes <= limit)
        #expect(Self.drainAll(park).count == again)
    }

    @Test("a call of 64 largest datagrams needs five free pages")
    func roomForACall() {
        let park = DatagramPark(limit: 6 * DatagramPark.pageSize)
        #expect(park.hasRoom(datagrams: 64, ofAtMost: 65_535))
        let small = [UInt8](repeating: 1, count: 100)
        _ = small.withUnsafeBytes { park.park($0, from: 1, receivedAt: Timestamp(nanoseconds: 0)) }
        // One page in use and five free.
        #expect(park.hasRoom(datagrams: 64, ofAtMost: 65_535))
        let large = [UInt8](repeating: 1, count: 65_535)
        for _ in 0..<16 { _ = large.withUnsafeBytes { park.park($0, from: 1, receivedAt: Timestamp(nanoseconds: 0)) } }
        #expect(!park.hasRoom(datagrams: 64, ofAtMost: 65_535))
    }
}

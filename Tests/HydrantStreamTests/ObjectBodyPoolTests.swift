import Foundation
import HydrantRecords
import Testing
@testable import HydrantStream

/// The address of `bytes`' storage, to tell reused memory from fresh.
private func address(_ bytes: [UInt8]) -> UInt? {
    bytes.withUnsafeBufferPointer { $0.baseAddress.map { UInt(bitPattern: $0) } }
}

/// Routes `records` through `router` as one frame and seals every buffer.
private func routeAndSeal(_ router: PartitionRouter, _ records: [String]) -> [PendingObject] {
    var output = PartitionRouter.Output()
    let frame = WALFrame(segment: 1, firstSequence: 0, arrival: .zero, records: batch(records))
    router.route([frame], now: .zero, instant: .now, into: &output)
    return output.sealed + router.sealExpired(openedBefore: nil)
}

@Suite("Object body reuse")
struct ObjectBodyPoolTests {
    @Test("a delivered object's memory is reused by the next buffer, which starts empty")
    func reusedAfterRelease() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let router = PartitionRouter(configuration: try streamConfiguration(in: directory).streams[0])
        var objects = routeAndSeal(router, [record(1), record(2)])
        try #require(objects.count == 1)
        #expect(objects[0].records == 2)
        #expect(objects[0].body.capacity >= router.bodies.reservedCapacity)
        let first = address(objects[0].body)
        #expect(router.bodies.keptCount == 0)
        objects.removeAll()
        #expect(router.bodies.keptCount == 1)

        let next = routeAndSeal(router, [record(3)])
        try #require(next.count == 1)
        #expect(address(next[0].body) == first)
        #expect(router.bodies.keptCount == 0)
        let lines = String(decoding: next[0].body, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first.map(String.init) == record(3))
    }

    @Test("a copy of a body that outlives its object keeps its bytes when the memory is reused")
    func outlivingCopyUnchanged() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let router = PartitionRouter(configuration: try streamConfiguration(in: directory).streams[0])
        var objects = routeAndSeal(router, [record(1), record(2)])
        let copy = objects[0].body
        let expected = Array(copy)
        objects.removeAll()
        // The body was still shared when the object went: whatever the pool kept, it is not the copy's storage.
        for round in 0..<3 {
            let later = routeAndSeal(router, [record(10 + round)])
            #expect(address(later[0].body) != address(copy))
        }
        #expect(copy == expected)
    }

    @Test("the pool keeps at most its bound, and only whole-object reservations")
    func bounded() {
        let pool = ObjectBodyPool(sizeLimit: 4096, maximumKept: 2)
        for _ in 0..<5 {
            var body = pool.take()
            pool.give(&body)
        }
        #expect(pool.keptCount == 1)
        var taken = (0..<4).map { _ in pool.take() }
        while var body = taken.popLast() { pool.give(&body) }
        #expect(pool.keptCount == 2)

        // A body another copy still shares is not kept: reusing it would have to allocate anyway.
        let pooled = ObjectBodyPool(sizeLimit: 4096)
        var shared = pooled.take()
        let alias = shared
        pooled.give(&shared)
        #expect(pooled.keptCount == 0)
        #expect(alias.capacity >= pooled.reservedCapacity)

        var small: [UInt8] = []
        small.reserveCapacity(16)
        pool.give(&small)
        var huge: [UInt8] = []
        huge.reserveCapacity(3 * pool.reservedCapacity)
        let other = ObjectBodyPool(sizeLimit: 4096)
        other.give(&small)
        other.give(&huge)
        #expect(other.keptCount == 0)
    }

    @Test("bodies taken from the pool are empty even when they held an object before")
    func takenEmpty() {
        let pool = ObjectBodyPool(sizeLimit: 1024)
        var body = pool.take()
        body.append(contentsOf: Array(repeating: 0x41, count: 900))
        pool.give(&body)
        let again = pool.take()
        #expect(again.isEmpty)
        #expect(again.capacity >= pool.reservedCapacity)
    }
}

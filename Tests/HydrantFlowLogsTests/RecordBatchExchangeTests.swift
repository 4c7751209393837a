import Foundation
import Testing
@testable import HydrantFlowLogs

/// The fixed set of batches going round between the collector's receive and delivery threads.
@Suite struct RecordBatchExchangeTests {
    @Test("the producer gets no batch once all are out, and batches come back emptied with their storage")
    func roundTrip() throws {
        let exchange = RecordBatchExchange<Int>(batches: 2, batchCapacity: 100)
        var a = try #require(exchange.takeEmpty())
        var b = try #require(exchange.takeEmpty())
        #expect(exchange.takeEmpty() == nil, "two batches only")
        #expect(a.capacity >= 100 && b.capacity >= 100)
        a.append(contentsOf: [1, 2, 3])
        b.append(contentsOf: [4, 5])
        let storage = a.withUnsafeBufferPointer { $0.baseAddress }
        exchange.submit(consume a)
        exchange.submit(consume b)
        var more = false
        let first = try #require(exchange.next(more: &more))
        #expect(first == [1, 2, 3] && more)
        exchange.giveBack(consume first)
        let back = try #require(exchange.takeEmpty())
        #expect(back.isEmpty && back.withUnsafeBufferPointer { $0.baseAddress } == storage, "the same storage, emptied")
        let second = try #require(exchange.next(more: &more))
        #expect(second == [4, 5] && !more)
        exchange.finish()
        #expect(exchange.next(more: &more) == nil)
    }

    @Test("a batch grown far past its capacity is replaced by one of the usual size")
    func grownBatch() throws {
        let exchange = RecordBatchExchange<Int>(batches: 1, batchCapacity: 10)
        var batch = try #require(exchange.takeEmpty())
        batch.append(contentsOf: 0..<1_000)
        exchange.giveBack(consume batch)
        let back = try #require(exchange.takeEmpty())
        #expect(back.isEmpty && back.capacity < 100)
    }

    @Test("a producer waiting for a batch is woken when one comes back, not at its timeout")
    func waiting() throws {
        let exchange = RecordBatchExchange<Int>(batches: 1, batchCapacity: 10)
        var batch = try #require(exchange.takeEmpty())
        batch.append(1)
        exchange.submit(consume batch)
        let consumer = Thread {
            var more = false
            guard let taken = exchange.next(more: &more) else { return }
            Thread.sleep(forTimeInterval: 0.05)
            exchange.giveBack(taken)
        }
        consumer.start()
        let started = ContinuousClock.now
        let back = exchange.takeEmpty(waitingUpTo: 10)
        #expect(back != nil)
        #expect(ContinuousClock.now - started < .seconds(5), "woken by giveBack, not by the 10 s timeout")
    }
}

import Foundation

/// A fixed set of record batches going round between one producer thread (which fills them) and one consumer thread
/// (which hands them on and gives them back emptied), so that batch memory is allocated once and reused: no fresh
/// allocation, and no page faults on fresh memory, per hand-over.
///
/// The producer never waits: `takeEmpty` returns nil when every batch is filled or with the consumer, and the
/// producer does something else with its input (the collector parks datagrams). Each side wakes the other only when
/// that one is waiting, so a busy pair exchanges batches without system calls.
final class RecordBatchExchange<Element>: @unchecked Sendable {
    // Unchecked: every stored property is read and written with `condition` locked.
    private let condition = NSCondition()
    private var empty: [[Element]] = []
    private var filled: [[Element]] = []
    private var filledHead = 0
    private var finished = false
    private var consumerWaiting = false
    private var producerWaiting = false
    private let batchCapacity: Int

    /// `batches` batches with room for `batchCapacity` elements each.
    init(batches: Int, batchCapacity: Int) {
        self.batchCapacity = batchCapacity
        for _ in 0..<max(batches, 1) {
            var batch: [Element] = []
            batch.reserveCapacity(batchCapacity)
            empty.append(batch)
        }
    }

    /// An empty batch for the producer, or nil when none is free now.
    func takeEmpty() -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        return empty.popLast()
    }

    /// An empty batch for the producer, waiting up to `timeout` seconds for the consumer to give one back.
    func takeEmpty(waitingUpTo timeout: Double) -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        if empty.isEmpty {
            producerWaiting = true
            _ = condition.wait(until: Date(timeIntervalSinceNow: timeout))
            producerWaiting = false
        }
        return empty.popLast()
    }

    /// Hands a filled batch to the consumer (an empty one goes straight back to the free ones).
    func submit(_ batch: consuming [Element]) {
        condition.lock()
        if batch.isEmpty {
            empty.append(batch)
        } else {
            filled.append(batch)
        }
        if consumerWaiting { condition.broadcast() }
        condition.unlock()
    }

    /// The oldest filled batch, waiting for one, with `more` telling whether others wait behind it; nil once
    /// `finish` was called and every filled batch was taken.
    func next(more: inout Bool) -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while filledHead == filled.count && !finished {
            consumerWaiting = true
            condition.wait()
            consumerWaiting = false
        }
        guard filledHead < filled.count else { return nil }
        // Swapped out, so that the array taken is the only reference to its storage.
        var batch: [Element] = []
        swap(&batch, &filled[filledHead])
        filledHead += 1
        if filledHead == filled.count {
            filled.removeAll(keepingCapacity: true)
            filledHead = 0
        }
        more = filledHead < filled.count
        return batch
    }

    /// Gives a batch the consumer is done with back to the producer, emptied. A batch that grew far past its
    /// capacity (one datagram of many tiny records) is replaced by one of the usual size, so that memory stays
    /// bounded by the usual batches.
    func giveBack(_ batch: consuming [Element]) {
        // A consuming parameter is this function's own: emptied in place when nothing else refers to its storage.
        if batch.capacity > 4 * batchCapacity {
            batch = []
            batch.reserveCapacity(batchCapacity)
        } else {
            batch.removeAll(keepingCapacity: true)
        }
        condition.lock()
        empty.append(batch)
        if producerWaiting { condition.broadcast() }
        condition.unlock()
    }

    /// No more batches will be submitted; `next` returns nil once the filled ones are taken.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}

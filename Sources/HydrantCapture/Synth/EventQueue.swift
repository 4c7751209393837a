/// A binary min-heap of (time, slot) events; ties are broken by insertion order, so the order is deterministic.
struct EventQueue {
    private struct Entry {
        var time: Int64
        var order: Int64
        var slot: Int
    }

    private var heap: [Entry] = []
    private var inserted: Int64 = 0

    /// Whether no event is queued.
    var isEmpty: Bool { heap.isEmpty }

    /// The earliest time queued, if any.
    var minimumTime: Int64? { heap.first?.time }

    /// Queues `slot` at `time`.
    mutating func push(time: Int64, slot: Int) {
        heap.append(Entry(time: time, order: inserted, slot: slot))
        inserted += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest event.
    mutating func popMinimum() -> (time: Int64, slot: Int)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { break }
                var child = left
                if left + 1 < heap.count, Self.less(heap[left + 1], heap[left]) { child = left + 1 }
                guard Self.less(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                parent = child
            }
        }
        return (top.time, top.slot)
    }

    private static func less(_ a: Entry, _ b: Entry) -> Bool {
        a.time != b.time ? a.time < b.time : a.order < b.order
    }
}

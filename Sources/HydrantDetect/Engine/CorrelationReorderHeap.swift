/// The late matches of a `CorrelationReorderBuffer`, least first: a binary min-heap of plain keys in flat memory
/// it owns.
///
/// swift-collections' `Heap` is a min-max heap: its removal of the least looks at up to four grandchildren per
/// step, for a maximum nothing here asks for, and took about 500 instructions per removal on the rules
/// benchmark's few thousand waiting matches (plus an array's uniqueness checks per insertion and removal). Here a
/// removal moves the hole left at the top down along the smaller child to a leaf (one compare per level) and
/// lifts the last key back up from there, which is rarely more than a level or two (Floyd's order of the steps).
/// Which key comes out first depends only on the keys, which are distinct (sequences are), not on the heap's
/// layout.
final class CorrelationReorderHeap {
    typealias Key = CorrelationReorderBuffer.Key

    private var keys: UnsafeMutablePointer<Key>
    private var capacity = 64
    /// Keys held.
    private(set) var count = 0

    /// An empty heap.
    init() { keys = .allocate(capacity: capacity) }

    deinit { keys.deallocate() }

    /// The least key, or nil when empty.
    var min: Key? { count > 0 ? keys[0] : nil }

    /// The keys, in no particular order.
    var unordered: [Key] { Array(UnsafeBufferPointer(start: keys, count: count)) }

    /// Adds a key.
    func insert(_ key: Key) {
        if count == capacity {
            keys = FlatStorage.regrown(keys, count: count, capacity: capacity * 2)
            capacity *= 2
        }
        var hole = count
        count += 1
        while hole > 0 {
            let parent = (hole - 1) >> 1
            guard key < keys[parent] else { break }
            keys[hole] = keys[parent]
            hole = parent
        }
        (keys + hole).initialize(to: key)
    }

    /// Removes and returns the least key, or nil when empty.
    @discardableResult
    func popMin() -> Key? {
        guard count > 0 else { return nil }
        count -= 1
        let least = keys[0]
        guard count > 0 else { return least }
        let last = keys[count]
        var hole = 0
        var child = 1
        while child < count {
            if child + 1 < count && keys[child + 1] < keys[child] { child += 1 }
            keys[hole] = keys[child]
            hole = child
            child = 2 * hole + 1
        }
        while hole > 0 {
            let parent = (hole - 1) >> 1
            guard last < keys[parent] else { break }
            keys[hole] = keys[parent]
            hole = parent
        }
        keys[hole] = last
        return least
    }
}

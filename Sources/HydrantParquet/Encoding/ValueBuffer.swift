/// A growable buffer of plain values (levels, dictionary indices) in manually managed memory.
///
/// Levels and indices are appended one per value; a class over a raw allocation makes each append one capacity
/// check and one store, where an `Array` stored in the column writer also checks uniqueness on every append.
/// Single-owner by construction (a column writer owns its buffers and reuses them across pages).
final class ValueBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The values appended since the last `removeAll()`.
    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    subscript(index: Int) -> Element { base[index] }

    @inline(__always)
    func append(_ value: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: value)
        count &+= 1
    }

    /// Appends `value` `repeatCount` times.
    @inline(__always)
    func append(repeating value: Element, count repeatCount: Int) {
        guard repeatCount > 0 else { return }
        if count &+ repeatCount > capacity { grow(to: count + repeatCount) }
        (base + count).initialize(repeating: value, count: repeatCount)
        count &+= repeatCount
    }

    /// Room for `extra` more values at the end; the caller writes them and then calls `commit(_:)`.
    @inline(__always)
    func writableTail(_ extra: Int) -> UnsafeMutablePointer<Element> {
        if count &+ extra > capacity { grow(to: count + extra) }
        return base + count
    }

    /// Counts `written` values stored through `writableTail(_:)`.
    @inline(__always)
    func commit(_ written: Int) { count &+= written }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity &*= 2 }
        let fresh = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    /// Empties the buffer, keeping its memory for the next page.
    func removeAll() { count = 0 }
}

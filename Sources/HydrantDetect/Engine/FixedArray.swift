/// A fixed-length array in manually managed memory, owned by one evaluator.
///
/// The per-record evaluator reads the compiled conditions and writes its per-atom and per-rule stamps many times
/// per record: held in `Array`s, each write checked the buffer's uniqueness and each read through a recursive
/// call could retain it; a pointer over memory this class owns does neither. Single-owner by construction (an
/// engine makes its own and never shares them), and every index comes from the compiled program, which made it
/// in range.
final class FixedArray<Element> {
    /// The values.
    let base: UnsafeMutablePointer<Element>
    /// How many there are.
    let count: Int

    /// A copy of `values`.
    init(_ values: [Element]) {
        count = values.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { base.initialize(from: start, count: source.count) }
        }
    }

    /// `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        self.count = count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// The value at `index`, which must be below `count`.
    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }
    }

    /// Sets every value to `value`.
    func fill(_ value: Element) { base.update(repeating: value, count: count) }
}

/// Growing the flat per-slot blocks of the correlation structures (group store, windows, reorder buffer).
enum FlatStorage {
    /// A new block of `capacity` elements (at least one) starting with the `count` elements of `old`, which is
    /// freed; trivial elements are copied as bytes. (Measured with callgrind, this costs the same as
    /// `moveInitialize`, which already lowers to a block copy; it keeps the three structures' growth in one place.)
    static func regrown<T>(_ old: UnsafeMutablePointer<T>, count: Int, capacity: Int) -> UnsafeMutablePointer<T> {
        let fresh = UnsafeMutablePointer<T>.allocate(capacity: max(capacity, 1))
        if _isPOD(T.self) {
            UnsafeMutableRawPointer(fresh).copyMemory(from: old, byteCount: count * MemoryLayout<T>.stride)
        } else {
            fresh.moveInitialize(from: old, count: count)
        }
        old.deallocate()
        return fresh
    }
}

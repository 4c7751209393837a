/// The field values of one correlation match while it is processed: per correlation entry (and the Community ID)
/// a span of bytes in one scratch block, or absent.
///
/// The reorder buffer copies a released match's bytes here, and the correlation path reads group keys, values and
/// evidence straight from them. Before, each value became an `InlineText?` in an array, and every copy of one
/// went through generic value witnesses (about 110 instructions each, several per match); a span is two integers.
final class CorrelationMatchValues {
    /// Correlation entries (`CorrelationEngine`'s entry table); span `width` is the Community ID.
    let width: Int
    private var starts: UnsafeMutablePointer<Int32>
    private var lengths: UnsafeMutablePointer<Int32>
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 256
    private var used = 0

    /// Values for `width` entries, all absent.
    init(width: Int) {
        self.width = width
        starts = .allocate(capacity: width + 1)
        starts.initialize(repeating: 0, count: width + 1)
        lengths = .allocate(capacity: width + 1)
        lengths.initialize(repeating: -1, count: width + 1)
        bytes = .allocate(capacity: capacity)
    }

    deinit {
        starts.deallocate()
        lengths.deallocate()
        bytes.deallocate()
    }

    /// Forgets the bytes of earlier values (their spans stay set, but only spans set since are read).
    @inline(__always)
    func startMatch() { used = 0 }

    /// Sets entry `entry` (`width`: the Community ID) to `text`, or absent when nil.
    func set(_ entry: Int, _ text: UnsafeBufferPointer<UInt8>?) {
        guard let text else {
            lengths[entry] = -1
            return
        }
        if used + text.count > capacity { grow(to: used + text.count) }
        if let base = text.baseAddress, !text.isEmpty { (bytes + used).update(from: base, count: text.count) }
        starts[entry] = Int32(used)
        lengths[entry] = Int32(text.count)
        used += text.count
    }

    /// Sets entry `entry` to absent.
    @inline(__always)
    func clear(_ entry: Int) { lengths[entry] = -1 }

    /// The bytes of entry `entry` (`width`: the Community ID), or nil when absent.
    @inline(__always)
    func value(_ entry: Int) -> UnsafeBufferPointer<UInt8>? {
        let length = Int(lengths[entry])
        guard length >= 0 else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(starts[entry]), count: length)
    }

    /// The length of entry `entry`, -1 when absent.
    @inline(__always)
    func length(_ entry: Int) -> Int32 { lengths[entry] }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        fresh.update(from: bytes, count: used)
        bytes.deallocate()
        bytes = fresh
        capacity = size
    }
}

/// The field values of one correlation match while it is processed: per correlation entry (and the Community ID)
/// a span of bytes, or absent.
///
/// A match released by the reorder buffer is read where the buffer keeps it (`view`): the spans and bytes are
/// the buffer slot's, so releasing a match copies nothing. Values made here (a chained correlation's match, a
/// payload that spilled out of its slot) are copied into the object's own scratch block (`set`). Before, each
/// value became an `InlineText?` in an array, and every copy of one went through generic value witnesses (about
/// 110 instructions each, several per match).
final class CorrelationMatchValues {
    /// Correlation entries (`CorrelationEngine`'s entry table).
    let width: Int
    /// The spans read: index 0 is the Community ID, `1 + entry` an entry's value (the reorder buffer's layout).
    private var starts: UnsafePointer<Int32>
    private var lengths: UnsafePointer<Int32>
    private var bytes: UnsafePointer<UInt8>
    /// The object's own spans and bytes, for values set here.
    private let ownStarts: UnsafeMutablePointer<Int32>
    private let ownLengths: UnsafeMutablePointer<Int32>
    private var ownBytes: UnsafeMutablePointer<UInt8>
    private var capacity = 256
    private var used = 0

    /// Values for `width` entries, all absent.
    init(width: Int) {
        self.width = width
        ownStarts = .allocate(capacity: width + 1)
        ownStarts.initialize(repeating: 0, count: width + 1)
        ownLengths = .allocate(capacity: width + 1)
        ownLengths.initialize(repeating: -1, count: width + 1)
        ownBytes = .allocate(capacity: capacity)
        starts = UnsafePointer(ownStarts)
        lengths = UnsafePointer(ownLengths)
        bytes = UnsafePointer(ownBytes)
    }

    deinit {
        ownStarts.deallocate()
        ownLengths.deallocate()
        ownBytes.deallocate()
    }

    /// Reads `width + 1` spans (the Community ID first) over `bytes`, owned by the caller, which keeps them alive
    /// and unchanged while these values are read.
    @inline(__always)
    func view(starts: UnsafePointer<Int32>, lengths: UnsafePointer<Int32>, bytes: UnsafePointer<UInt8>) {
        self.starts = starts
        self.lengths = lengths
        self.bytes = bytes
    }

    /// Reads the object's own spans again and forgets the bytes of earlier values set here (their spans stay set,
    /// but only spans set since are read).
    @inline(__always)
    func startMatch() {
        used = 0
        starts = UnsafePointer(ownStarts)
        lengths = UnsafePointer(ownLengths)
        bytes = UnsafePointer(ownBytes)
    }

    /// Sets entry `entry` to `text`, or absent when nil (after `startMatch`, or on a new object).
    func set(_ entry: Int, _ text: UnsafeBufferPointer<UInt8>?) { setSpan(1 + entry, text) }

    /// Sets the Community ID to `text`, or absent when nil (after `startMatch`, or on a new object).
    func setCommunityID(_ text: UnsafeBufferPointer<UInt8>?) { setSpan(0, text) }

    private func setSpan(_ span: Int, _ text: UnsafeBufferPointer<UInt8>?) {
        guard let text else {
            ownLengths[span] = -1
            return
        }
        if used + text.count > capacity { grow(to: used + text.count) }
        if let base = text.baseAddress, !text.isEmpty { (ownBytes + used).update(from: base, count: text.count) }
        ownStarts[span] = Int32(used)
        ownLengths[span] = Int32(text.count)
        used += text.count
    }

    /// Sets entry `entry` to absent.
    @inline(__always)
    func clear(_ entry: Int) { ownLengths[1 + entry] = -1 }

    /// The bytes of entry `entry`, or nil when absent.
    @inline(__always)
    func value(_ entry: Int) -> UnsafeBufferPointer<UInt8>? {
        let length = Int(lengths[1 + entry])
        guard length >= 0 else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(starts[1 + entry]), count: length)
    }

    /// The bytes of the Community ID, or nil when absent.
    @inline(__always)
    var communityID: UnsafeBufferPointer<UInt8>? {
        let length = Int(lengths[0])
        guard length >= 0 else { return nil }
        return UnsafeBufferPointer(start: bytes + Int(starts[0]), count: length)
    }

    /// The length of entry `entry`, -1 when absent.
    @inline(__always)
    func length(_ entry: Int) -> Int32 { lengths[1 + entry] }

    private func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        fresh.update(from: ownBytes, count: used)
        ownBytes.deallocate()
        ownBytes = fresh
        capacity = size
        bytes = UnsafePointer(ownBytes)
    }
}

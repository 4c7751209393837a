import Foundation

/// Record ids unique across restarts: a random 64-bit prefix chosen per process, then a per-process sequence
/// number, as 32 lower-case hexadecimal digits. Ids are reserved a batch at a time.
public final class RecordIDGenerator: @unchecked Sendable {
    private let prefix: [UInt8]
    private let lock = NSLock()
    private var next: UInt64 = 0
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A generator with a fresh random prefix.
    public init() {
        var random = SystemRandomNumberGenerator()
        let value: UInt64 = random.next()
        prefix = (0..<16).map { Self.hex[Int(value >> UInt64(60 - $0 * 4) & 0xF)] }
    }

    /// `count` new ids, in order.
    public func make(_ count: Int) -> [String] {
        lock.lock()
        let first = next
        next += UInt64(count)
        lock.unlock()
        var ids: [String] = []
        ids.reserveCapacity(count)
        var text = prefix + [UInt8](repeating: 0, count: 16)
        for offset in 0..<count {
            let value = first + UInt64(offset)
            for digit in 0..<16 { text[16 + digit] = Self.hex[Int(value >> UInt64(60 - digit * 4) & 0xF)] }
            ids.append(String(decoding: text, as: UTF8.self))
        }
        return ids
    }
}

/// Stable alert ids: a 128-bit hash (two independent FNV-1a 64 lanes) of what identifies the alert, as 32 hex
/// digits. The same rule on the same record (or the same correlation group and window) always gives the same
/// id, across runs and machines, so webhook receivers can deduplicate on it.
enum AlertID {
    static func make(parts: [[UInt8]], record: UnsafeBufferPointer<UInt8>? = nil) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        let prime: UInt64 = 0x0000_0100_0000_01B3
        func feed(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* prime
            b = (b ^ UInt64(byte ^ 0x5A)) &* prime
            b = (b << 7) | (b >> 57)
        }
        for part in parts {
            for byte in part { feed(byte) }
            feed(0)  // separator, so that ("ab","c") and ("a","bc") differ
        }
        if let record { for byte in record { feed(byte) } }
        let hex: [Character] = Array("0123456789abcdef")
        var out = ""
        for word in [a, b] {
            for shift in stride(from: 60, through: 0, by: -4) { out.append(hex[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return out
    }
}

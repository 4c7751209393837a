import Foundation

/// Shannon entropy of a byte string in bits per character: 0 for `aaaa`, 2 for `abcd`, up to log2(n) when every
/// character differs. Random DGA labels sit high; dictionary words and brand names lower.
public enum ShannonEntropy {
    /// The entropy of `bytes` (0 for an empty string).
    public static func bits(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        guard bytes.count > 1 else { return 0 }
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 256) { counts -> Double in
            counts.initialize(repeating: 0)
            for byte in bytes { counts[Int(byte)] &+= 1 }
            let total = Double(bytes.count)
            var sum = 0.0
            for byte in bytes where counts[Int(byte)] != 0 {
                let p = Double(counts[Int(byte)]) / total
                sum -= p * log2(p)
                counts[Int(byte)] = 0  // count each distinct character once
            }
            return sum
        }
    }

    /// The entropy of a string's UTF-8.
    public static func bits(_ text: String) -> Double {
        var copy = text
        return copy.withUTF8 { bits($0) }
    }
}

/// A deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed gives the same sequence on every platform and Swift version: the helpers below
/// (`uniform(below:)`, `unitDouble()`, `exponential(mean:)`) use only integer arithmetic and basic IEEE 754
/// operations, never the standard library's range sampling or a platform `log`, whose algorithms may change.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole sequence is fixed by `seed` (any value, including 0).
    public init(seed: UInt64) {
        var mixer = seed
        s0 = SeededGenerator.splitMix64(&mixer)
        s1 = SeededGenerator.splitMix64(&mixer)
        s2 = SeededGenerator.splitMix64(&mixer)
        s3 = SeededGenerator.splitMix64(&mixer)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniformly distributed integer in `0..<bound` (Lemire's multiply-shift with rejection); 0 when `bound <= 1`.
    public mutating func uniform(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let range = UInt64(bound)
        let threshold = (0 &- range) % range
        while true {
            let product = next().multipliedFullWidth(by: range)
            if product.low >= threshold { return Int(product.high) }
        }
    }

    /// A uniformly distributed integer in `range` (inclusive).
    public mutating func uniform(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + uniform(below: range.upperBound - range.lowerBound + 1)
    }

    /// A uniformly distributed `Double` in `[0, 1)` with 53 random bits.
    public mutating func unitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// True with probability `probability`.
    public mutating func chance(_ probability: Double) -> Bool {
        unitDouble() < probability
    }

    /// An exponentially distributed value with the given mean (for Poisson inter-arrival times).
    public mutating func exponential(mean: Double) -> Double {
        // 1 - u lies in (0, 1], so the logarithm is finite.
        -mean * SeededGenerator.naturalLog(1.0 - unitDouble())
    }

    /// Picks an index with probability proportional to `weights[index]` (weights are non-negative integers).
    public mutating func weightedIndex(_ weights: [Int]) -> Int {
        let total = weights.reduce(0, +)
        var pick = uniform(below: total)
        for (index, weight) in weights.enumerated() {
            if pick < weight { return index }
            pick -= weight
        }
        return weights.count - 1
    }

    /// Random bytes appended to `out`.
    public mutating func appendBytes(_ count: Int, to out: inout [UInt8]) {
        var remaining = count
        while remaining > 0 {
            var word = next()
            for _ in 0..<min(8, remaining) {
                out.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
            remaining -= min(8, remaining)
        }
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// ln(x) for x in (0, 1], from the exponent bits and an atanh series: basic arithmetic only, so reproducible.
    static func naturalLog(_ x: Double) -> Double {
        guard x > 0 else { return -745.0 }
        var mantissa = x.significand  // [1, 2)
        var exponent = Double(x.exponent)
        if mantissa > 1.414_213_562_373_095 {
            mantissa /= 2
            exponent += 1
        }
        let z = (mantissa - 1) / (mantissa + 1)  // |z| < 0.172
        let z2 = z * z
        var term = z
        var sum = 0.0
        var k = 1.0
        while k < 30 {
            sum += term / k
            term *= z2
            k += 2
        }
        return 2 * sum + exponent * 0.693_147_180_559_945_3
    }
}

@inline(__always)
private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
    (value << amount) | (value >> (64 - amount))
}

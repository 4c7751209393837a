import HydrantRecords

/// 2018-08-27T10:30:05.123456789Z, the hour of the Firehose guide's worked examples.
let guideTime = Timestamp(seconds: 1_535_365_805, nanoseconds: 123_456_789)

/// A deterministic generator (SplitMix64) so that random strings and UUIDs are repeatable in tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

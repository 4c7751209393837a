import HydrantRecords

/// The UTC calendar date and clock of an instant.
struct UTCParts {
    /// The calendar date.
    var date: CivilDate
    /// Seconds since midnight, 0–86399.
    var secondOfDay: Int64
    /// Nanoseconds within the second, 0–999 999 999.
    var nanosecond: Int64

    init(_ time: Timestamp) {
        let (seconds, fraction) = time.nanoseconds.floorDivided(by: 1_000_000_000)
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        self.date = CivilDate(daysSinceEpoch: days)
        self.secondOfDay = secondOfDay
        self.nanosecond = fraction
    }
}

/// Appends the decimal digits of `value`, zero-padded to `width`, with a leading `-` when negative.
@inline(__always)
func appendPadded(_ value: Int64, width: Int, to out: inout String) {
    var magnitude = value.magnitude
    if value < 0 { out.unicodeScalars.append("-") }
    var digitCount = 1
    var probe = magnitude
    while probe >= 10 {
        probe /= 10
        digitCount += 1
    }
    var zeros = width - digitCount
    while zeros > 0 {
        out.unicodeScalars.append("0")
        zeros -= 1
    }
    var divisor: UInt64 = 1
    for _ in 1..<digitCount { divisor *= 10 }
    while divisor > 0 {
        let digit = UInt8(truncatingIfNeeded: magnitude / divisor)
        out.unicodeScalars.append(Unicode.Scalar(UInt8(ascii: "0") &+ digit))
        magnitude %= divisor
        divisor /= 10
    }
}

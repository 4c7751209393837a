/// A point in time as nanoseconds since the Unix epoch, UTC.
///
/// Event time is carried as a plain integer so that hot loops compare and subtract times without Foundation.
public struct Timestamp: Hashable, Comparable, Sendable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public var nanoseconds: Int64

    /// Creates a timestamp from nanoseconds since the epoch.
    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// Creates a timestamp from whole seconds and a nanosecond fraction.
    @inlinable public init(seconds: Int64, nanoseconds fraction: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ fraction
    }

    /// The epoch itself.
    public static let zero = Timestamp(nanoseconds: 0)

    /// Compares two timestamps.
    @inlinable public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The RFC 3339 form with nine fractional digits, e.g. `2024-05-01T12:00:00.123456789Z`.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form (UTC, nanosecond fraction) to a byte buffer.
    public func appendRFC3339(to out: inout [UInt8]) {
        let (seconds, fraction) = nanoseconds.floorDivided(by: 1_000_000_000)
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let civil = CivilDate(daysSinceEpoch: days)
        guard (0...9999).contains(civil.year) else {
            appendWideRFC3339(civil: civil, secondOfDay: secondOfDay, fraction: fraction, to: &out)
            return
        }
        // Four-digit years, the normal case: the 30 bytes are laid out in a stack buffer and appended at once.
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { b in
            @inline(__always) func two(_ value: Int64, at index: Int) {
                b[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                b[index + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            }
            two(civil.year / 100, at: 0)
            two(civil.year % 100, at: 2)
            b[4] = UInt8(ascii: "-")
            two(Int64(civil.month), at: 5)
            b[7] = UInt8(ascii: "-")
            two(Int64(civil.day), at: 8)
            b[10] = UInt8(ascii: "T")
            two(secondOfDay / 3600, at: 11)
            b[13] = UInt8(ascii: ":")
            two(secondOfDay / 60 % 60, at: 14)
            b[16] = UInt8(ascii: ":")
            two(secondOfDay % 60, at: 17)
            b[19] = UInt8(ascii: ".")
            var rest = fraction
            for index in stride(from: 28, through: 20, by: -1) {
                b[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            b[29] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[0..<30]))
        }
    }

    /// Years outside 0…9999 (absurd capture times) keep every digit and their sign.
    private func appendWideRFC3339(civil: CivilDate, secondOfDay: Int64, fraction: Int64, to out: inout [UInt8]) {
        appendDigits(civil.year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(civil.month), width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(civil.day), width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(fraction, width: 9, to: &out)
        out.append(UInt8(ascii: "Z"))
    }
}

/// A proleptic Gregorian calendar date, computed without Foundation (H. Hinnant's days-from-civil algorithm).
public struct CivilDate: Hashable, Sendable {
    /// Year, e.g. 2024 (may be negative or above 9999 for absurd inputs).
    public var year: Int64
    /// Month 1–12.
    public var month: Int
    /// Day of month 1–31.
    public var day: Int

    /// The date that falls `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder (for times before the epoch).
    @inlinable public func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = self / divisor
        var r = self % divisor
        if r < 0 { q -= 1; r += divisor }
        return (q, r)
    }
}

/// Appends the decimal digits of `value`, zero-padded to at least `width` digits (at most 20).
@inline(__always)
@usableFromInline
func appendDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
    var magnitude = value.magnitude  // Int64.min has no positive counterpart; its magnitude does
    if value < 0 { out.append(UInt8(ascii: "-")) }
    if magnitude < 10, width <= 1 {
        out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
        return
    }
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &digits) { buffer in
        let capacity = buffer.count
        var index = capacity
        repeat {
            index -= 1
            buffer[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        while capacity - index < min(width, 20) {
            index -= 1
            buffer[index] = UInt8(ascii: "0")
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<capacity]))
    }
}

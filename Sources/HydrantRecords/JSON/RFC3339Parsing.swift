extension Timestamp {
    /// Parses an RFC 3339 date-time such as `2024-05-01T12:00:00.123Z` or `2024-05-01T14:00:00+02:00` (also `t`,
    /// `z` and a space for `T`; at most nine fraction digits are kept). Nil when the text is anything else, including
    /// out-of-range fields (month 13, hour 24, second 61).
    public init?(parsingRFC3339 text: UnsafeBufferPointer<UInt8>) {
        let count = text.count
        guard count >= 20 else { return nil }
        @inline(__always) func digit(_ at: Int) -> Int64? {
            let byte = text[at]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            return Int64(byte - UInt8(ascii: "0"))
        }
        @inline(__always) func two(_ at: Int) -> Int64? {
            guard let high = digit(at), let low = digit(at + 1) else { return nil }
            return high * 10 + low
        }
        guard let y1 = two(0), let y2 = two(2), text[4] == UInt8(ascii: "-"), let month = two(5),
              text[7] == UInt8(ascii: "-"), let day = two(8),
              text[10] == UInt8(ascii: "T") || text[10] == UInt8(ascii: "t") || text[10] == UInt8(ascii: " "),
              let hour = two(11), text[13] == UInt8(ascii: ":"), let minute = two(14), text[16] == UInt8(ascii: ":"),
              let second = two(17) else { return nil }
        let year = y1 * 100 + y2
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), hour <= 23,
              minute <= 59, second <= 60 else { return nil }
        var index = 19
        var fraction: Int64 = 0
        if index < count, text[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < count, let value = digit(index) {
                if digits < 9 {
                    fraction = fraction * 10 + value
                    digits += 1
                }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { fraction *= 10 }
        }
        guard index < count else { return nil }
        var offsetSeconds: Int64 = 0
        switch text[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let negative = text[index] == UInt8(ascii: "-")
            guard index + 6 == count, let offsetHour = two(index + 1), text[index + 3] == UInt8(ascii: ":"),
                  let offsetMinute = two(index + 4), offsetHour <= 23, offsetMinute <= 59 else { return nil }
            offsetSeconds = (offsetHour * 3600 + offsetMinute * 60) * (negative ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == count else { return nil }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        self.init(seconds: seconds, nanoseconds: fraction)
    }

    /// Parses an RFC 3339 date-time held in a string.
    public init?(parsingRFC3339 text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ Timestamp(parsingRFC3339: $0) }) else { return nil }
        self = parsed
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (the inverse of `CivilDate(daysSinceEpoch:)`).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

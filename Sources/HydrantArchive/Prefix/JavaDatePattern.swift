import HydrantRecords

/// A compiled subset of Java's `DateTimeFormatter` patterns, as Firehose accepts them in `!{timestamp:…}`.
///
/// Supported: `yyyy`, `yy`, `MM`, `dd`, `HH`, `mm`, `ss`, `SSS`, text in single quotes, `''` for a quote, and any
/// other non-letter character as a literal separator (`-`, `/`, `_`, `.`, `=`, `:` …). Formatting is always UTC and
/// needs no Foundation. The pattern is parsed once; formatting appends to a string without further allocation.
public struct JavaDatePattern: Hashable, Sendable, CustomStringConvertible {
    /// One compiled element of a pattern.
    public enum Element: Hashable, Sendable {
        /// Text written as is.
        case literal(String)
        /// A calendar or clock field.
        case field(DateField)
    }

    /// The date and time fields the subset supports.
    public enum DateField: String, Hashable, Sendable, CaseIterable {
        /// `yyyy`: the year, at least four digits.
        case year = "yyyy"
        /// `yy`: the last two digits of the year.
        case twoDigitYear = "yy"
        /// `MM`: the month, 01–12.
        case month = "MM"
        /// `dd`: the day of the month, 01–31.
        case day = "dd"
        /// `HH`: the hour of the day, 00–23.
        case hour = "HH"
        /// `mm`: the minute, 00–59.
        case minute = "mm"
        /// `ss`: the second, 00–59.
        case second = "ss"
        /// `SSS`: milliseconds, 000–999.
        case millisecond = "SSS"
    }

    /// The pattern text as written.
    public let source: String
    /// The compiled elements, in order.
    public let elements: [Element]

    /// The pattern letters this subset accepts, with their only accepted widths, for error messages.
    public static let allowedLetters = "yyyy, yy, MM, dd, HH, mm, ss, SSS"

    /// Parses a pattern; an unsupported letter, width or an unterminated quote is a `JavaDatePatternError`.
    public init(_ pattern: String) throws(JavaDatePatternError) {
        guard !pattern.isEmpty else { throw .empty }
        let scalars = Array(pattern.unicodeScalars)
        var elements: [Element] = []
        var literal = String.UnicodeScalarView()
        func flushLiteral() {
            if !literal.isEmpty {
                elements.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
        }
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let position = index + 1
            if scalar == "'" {
                // `''` outside quotes is one quote; otherwise quoted text runs to the next lone quote.
                if index + 1 < scalars.count, scalars[index + 1] == "'" {
                    literal.append("'")
                    index += 2
                    continue
                }
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "'" {
                        if index + 1 < scalars.count, scalars[index + 1] == "'" {
                            literal.append("'")
                            index += 2
                            continue
                        }
                        closed = true
                        index += 1
                        break
                    }
                    literal.append(scalars[index])
                    index += 1
                }
                guard closed else { throw .unterminatedQuote(position: position) }
                continue
            }
            if scalar.properties.isAlphabetic, scalar.isASCII {
                var count = 1
                while index + count < scalars.count, scalars[index + count] == scalar { count += 1 }
                let letter = Character(scalar)
                let run = String(repeating: letter, count: count)
                guard let field = DateField(rawValue: run) else {
                    if "yMdHmsS".contains(letter) {
                        throw .unsupportedWidth(letter: letter, count: count, position: position)
                    }
                    throw .unsupportedLetter(letter, position: position)
                }
                flushLiteral()
                elements.append(.field(field))
                index += count
                continue
            }
            if scalar == "[" || scalar == "]" || scalar == "{" || scalar == "}" || scalar == "#" {
                throw .reservedCharacter(Character(scalar), position: position)
            }
            literal.append(scalar)
            index += 1
        }
        flushLiteral()
        self.source = pattern
        self.elements = elements
    }

    /// The pattern text as written.
    public var description: String { source }

    /// Formats an instant in UTC.
    public func format(_ time: Timestamp) -> String {
        var out = ""
        out.reserveCapacity(source.utf8.count + 8)
        append(time, to: &out)
        return out
    }

    /// Appends the UTC form of an instant to `out`.
    public func append(_ time: Timestamp, to out: inout String) {
        let parts = UTCParts(time)
        for element in elements {
            switch element {
            case .literal(let text):
                out.append(text)
            case .field(let field):
                switch field {
                case .year: appendPadded(parts.date.year, width: 4, to: &out)
                case .twoDigitYear:
                    let reduced = parts.date.year % 100
                    appendPadded(reduced < 0 ? reduced + 100 : reduced, width: 2, to: &out)
                case .month: appendPadded(Int64(parts.date.month), width: 2, to: &out)
                case .day: appendPadded(Int64(parts.date.day), width: 2, to: &out)
                case .hour: appendPadded(parts.secondOfDay / 3600, width: 2, to: &out)
                case .minute: appendPadded(parts.secondOfDay / 60 % 60, width: 2, to: &out)
                case .second: appendPadded(parts.secondOfDay % 60, width: 2, to: &out)
                case .millisecond: appendPadded(parts.nanosecond / 1_000_000, width: 3, to: &out)
                }
            }
        }
    }
}

/// Why a `!{timestamp:…}` pattern was refused; positions are 1-based within the pattern.
public enum JavaDatePatternError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The pattern is empty.
    case empty
    /// A pattern letter outside the supported subset.
    case unsupportedLetter(Character, position: Int)
    /// A supported letter repeated a number of times the subset does not accept (e.g. `yyy`, `M`).
    case unsupportedWidth(letter: Character, count: Int, position: Int)
    /// A quote that is never closed.
    case unterminatedQuote(position: Int)
    /// A character Java reserves for optional sections or future use (`[`, `]`, `{`, `}`, `#`).
    case reservedCharacter(Character, position: Int)

    /// The 1-based position of the problem within the pattern (1 for an empty pattern).
    public var position: Int {
        switch self {
        case .empty: return 1
        case .unsupportedLetter(_, let position), .unsupportedWidth(_, _, let position),
             .unterminatedQuote(let position), .reservedCharacter(_, let position):
            return position
        }
    }

    /// A sentence saying what is wrong and what is allowed.
    public var description: String {
        switch self {
        case .empty:
            return "empty date pattern; allowed: \(JavaDatePattern.allowedLetters)"
        case .unsupportedLetter(let letter, let position):
            return "unsupported pattern letter '\(letter)' at position \(position); allowed: \(JavaDatePattern.allowedLetters), "
                + "text in single quotes and separators"
        case .unsupportedWidth(let letter, let count, let position):
            return "unsupported width '\(String(repeating: letter, count: count))' at position \(position); allowed: "
                + JavaDatePattern.allowedLetters
        case .unterminatedQuote(let position):
            return "unterminated quoted text starting at position \(position)"
        case .reservedCharacter(let character, let position):
            return "reserved pattern character '\(character)' at position \(position); quote it ('\(character)') to use it literally"
        }
    }
}

/// The UTC calendar date and clock of an instant.
struct UTCParts {
    /// The calendar date.
    var date: CivilDate
    /// Seconds since midnight, 0–86399.
    var secondOfDay: Int64
    /// Nanoseconds within the second, 0–999 999 999.
    var nanosecond: Int64

    init(_ time: Timestamp) {
        let (seconds, fraction) = floorDivide(time.nanoseconds, 1_000_000_000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        self.date = CivilDate(daysSinceEpoch: days)
        self.secondOfDay = secondOfDay
        self.nanosecond = fraction
    }
}

/// Division rounding toward negative infinity, with a non-negative remainder.
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
    var quotient = value / divisor
    var remainder = value % divisor
    if remainder < 0 {
        quotient -= 1
        remainder += divisor
    }
    return (quotient, remainder)
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

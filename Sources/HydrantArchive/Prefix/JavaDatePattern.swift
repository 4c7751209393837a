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
    /// The length in nanoseconds of the UTC periods over which the formatted text cannot change (a pattern ending in
    /// `HH` changes on the hour), so a caller can reuse the text for times in the same period; nil when the pattern
    /// shows milliseconds. Months and years are not of fixed length, so they count as days (still exact: the text
    /// is the same for every time of one UTC day).
    public var periodNanoseconds: Int64? {
        var period: Int64 = 86_400_000_000_000
        for element in elements {
            guard case .field(let field) = element else { continue }
            switch field {
            case .millisecond: return nil
            case .second: period = min(period, 1_000_000_000)
            case .minute: period = min(period, 60_000_000_000)
            case .hour: period = min(period, 3_600_000_000_000)
            case .year, .twoDigitYear, .month, .day: continue
            }
        }
        return period
    }

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

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

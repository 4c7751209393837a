/// A value taken from a record (or supplied by the pipeline) that is safe to place in one segment of an archive path.
///
/// A value is refused, never rewritten: a record whose value is refused goes to the error output, with the error's
/// description as its `errorMessage`.
public struct PartitionValue: Hashable, Sendable, CustomStringConvertible {
    /// The longest value accepted, in UTF-8 bytes (Firehose's limit for a whole evaluated prefix).
    public static let maximumLength = 512

    /// The value, checked.
    public let text: String

    /// Checks a value; throws when it is empty, too long, or could leave its path segment.
    public init(_ value: String) throws(PartitionValueError) {
        try Self.validate(value)
        self.text = value
    }

    /// The value, checked.
    public var description: String { text }

    /// Checks a value without copying it; throws the first reason it cannot be a path segment.
    public static func validate(_ value: String) throws(PartitionValueError) {
        if value.isEmpty { throw .empty }
        let length = value.utf8.count
        if length > maximumLength { throw .tooLong(length: length) }
        if value == "." || value == ".." { throw .dotSegment }
        var previousWasDot = false
        var offset = 0
        for scalar in value.unicodeScalars {
            offset += 1
            switch scalar.value {
            case 0: throw .nul(position: offset)
            case 0x2F: throw .slash(position: offset)
            case 0x5C: throw .backslash(position: offset)
            case 0x01...0x1F, 0x7F...0x9F, 0x2028, 0x2029:
                throw .controlCharacter(scalar.value, position: offset)
            case 0x2E:
                if previousWasDot { throw .doubleDot(position: offset - 1) }
                previousWasDot = true
                continue
            default:
                break
            }
            previousWasDot = false
        }
    }
}

/// Why a value cannot enter an archive path; positions are 1-based Unicode scalar offsets within the value.
public enum PartitionValueError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value is empty, which would collapse a path segment.
    case empty
    /// The value is longer than `PartitionValue.maximumLength` UTF-8 bytes.
    case tooLong(length: Int)
    /// The value is `.` or `..`, a relative path segment.
    case dotSegment
    /// The value contains `..`, which could traverse once joined with other text.
    case doubleDot(position: Int)
    /// The value contains `/`, which would add path segments.
    case slash(position: Int)
    /// The value contains `\`, a path separator on some systems.
    case backslash(position: Int)
    /// The value contains a NUL character, which ends paths in C APIs.
    case nul(position: Int)
    /// The value contains a control character or a line or paragraph separator (code point given).
    case controlCharacter(UInt32, position: Int)

    /// A sentence saying why the value was refused, suitable for an error record's `errorMessage`.
    public var description: String {
        switch self {
        case .empty:
            return "partition value is empty"
        case .tooLong(let length):
            return "partition value is \(length) bytes long; at most \(PartitionValue.maximumLength) are allowed"
        case .dotSegment:
            return "partition value is a relative path segment ('.' or '..')"
        case .doubleDot(let position):
            return "partition value contains '..' at position \(position), which could traverse directories"
        case .slash(let position):
            return "partition value contains '/' at position \(position), which would add path segments"
        case .backslash(let position):
            return "partition value contains '\\' at position \(position), a path separator on some systems"
        case .nul(let position):
            return "partition value contains a NUL character at position \(position)"
        case .controlCharacter(let code, let position):
            let hex = String(code, radix: 16, uppercase: true)
            return "partition value contains control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex) "
                + "at position \(position)"
        }
    }
}

/// Why a VPC Flow Logs line, header or format could not be read: where (source, line, field) and what was wrong.
public struct VPCFlowLogError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was wrong.
    public enum Reason: Equatable, Sendable {
        /// The line has a different number of fields than the format.
        case fieldCount(expected: Int, found: Int)
        /// A number field holds something else (or is out of range).
        case notAnInteger(String, max: Int64)
        /// An address field holds something else.
        case notAnAddress(String)
        /// A field with a closed set of values holds another one.
        case notAllowed(String, allowed: [String])
        /// A line longer than the reader's bound.
        case lineTooLong(limit: Int)
        /// A file without a header line, and no format was configured.
        case noFormat
        /// The format names a field twice.
        case duplicateField
        /// The format has no `srcaddr` or `dstaddr`, so its lines cannot become flow records.
        case formatLacksAddresses
        /// The file could not be opened or read.
        case unreadable(String)
    }

    /// The file name, `<stdin>`, or the stream the line came from.
    public var source: String
    /// 1-based line number; 0 when the error is about the format or file.
    public var line: Int
    /// The field concerned, when there is one.
    public var field: String?
    /// What was wrong.
    public var reason: Reason

    /// An error at `source`:`line`, about `field`.
    public init(source: String, line: Int, field: String?, reason: Reason) {
        self.source = source
        self.line = line
        self.field = field
        self.reason = reason
    }

    /// `file:line: field 'name': problem`.
    public var description: String {
        var text = line > 0 ? "\(source):\(line): " : "\(source): "
        if let field { text += "field '\(field)': " }
        switch reason {
        case .fieldCount(let expected, let found): text += "\(found) fields, but the format has \(expected)"
        case .notAnInteger(let value, let max): text += "'\(value)' is not an integer in 0...\(max) or '-'"
        case .notAnAddress(let value): text += "'\(value)' is not an IPv4 or IPv6 address or '-'"
        case .notAllowed(let value, let allowed): text += "'\(value)' is not one of \(allowed.joined(separator: ", ")), -"
        case .lineTooLong(let limit): text += "line longer than \(limit) bytes"
        case .noFormat: text += "no header line and no format configured (give --format or a format string)"
        case .duplicateField: text += "named twice in the format"
        case .formatLacksAddresses: text += "the format has no srcaddr or dstaddr; its lines cannot be flow records"
        case .unreadable(let why): text += "cannot read: \(why)"
        }
        return text
    }
}

/// Where in a configuration file a value was written: the file name and a 1-based line and column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file name as given to the loader, e.g. `hydrant.yaml`.
    public let file: String
    /// The 1-based line, or nil when the position is unknown.
    public let line: Int?
    /// The 1-based column, or nil when the position is unknown.
    public let column: Int?

    /// A location in `file`, at `line` and `column` when known.
    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, shortened when the line or column is unknown.
    public var description: String {
        guard let line else { return file }
        guard let column else { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }
}

/// One problem found in a configuration file: where, which key, and what is wrong.
///
/// Its description reads like a compiler diagnostic:
/// `hydrant.yaml:14:14: streams[0].buffering.size_mb must be 1…128, got 500`.
public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The class of problem, for programs that react to it; the message says the rest.
    public enum Kind: String, Hashable, Sendable {
        /// The file could not be read.
        case unreadable
        /// The file is larger than `ConfigurationLoader.maximumDocumentSize`.
        case tooLarge
        /// The file is not valid YAML (or not UTF-8).
        case syntax
        /// The document nests deeper than `ConfigurationLoader.maximumNesting`.
        case tooDeep
        /// The document uses YAML anchors or aliases, which hydrant.yaml does not accept.
        case aliasNotAllowed
        /// The file is empty or holds only comments.
        case emptyDocument
        /// A key that is not part of the schema.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong YAML type.
        case wrongType
        /// A number outside its allowed range, or a string of the wrong length.
        case outOfRange
        /// A value that is not one of the allowed values.
        case notAllowed
        /// A value with the wrong syntax (name, path, address, URL).
        case invalidValue
        /// Two streams, access keys or partition keys share a name.
        case duplicate
        /// A prefix or error output prefix that `PrefixTemplate` refuses.
        case invalidPrefix
        /// `${NAME}` names an unset environment variable, or a `*_env` key names one that is unset or empty.
        case missingEnvironmentVariable
    }

    /// The class of problem.
    public let kind: Kind
    /// Where the offending key or value is.
    public let location: SourceLocation
    /// The key path, e.g. `streams[0].buffering.size_mb`; empty for the document itself.
    public let path: String
    /// What is wrong, starting after the key path, e.g. `must be 1…128, got 500`.
    public let message: String

    /// Creates an error; `message` continues the sentence that `path` starts.
    public init(_ kind: Kind, at location: SourceLocation, path: String, _ message: String) {
        self.kind = kind
        self.location = location
        self.path = path
        self.message = message
    }

    /// The 1-based line of the problem, when known.
    public var line: Int? { location.line }

    /// `file:line:column: path message`.
    public var description: String {
        path.isEmpty ? "\(location): \(message)" : "\(location): \(path) \(message)"
    }
}

/// Every problem found in one pass over a configuration, so that all of them can be reported at once.
public struct ConfigurationErrors: Error, Hashable, Sendable, CustomStringConvertible {
    /// The problems, in file order (at most `ConfigurationLoader.maximumReportedErrors`).
    public let errors: [ConfigurationError]

    /// Wraps a non-empty list of problems.
    public init(_ errors: [ConfigurationError]) {
        self.errors = errors
    }

    /// One problem per line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

import Foundation
import HydrantArchive
import Yams

/// Reads hydrant.yaml into a `StreamConfiguration`, reporting every problem with file, line, column and key path.
///
/// Parsing substitutes `${NAME}` in string values from the injected environment; the secrets named by `secret_env`,
/// `access_key_env` and `secret_key_env` are read later by `StreamConfiguration.resolveSecrets(environment:)`.
public struct ConfigurationLoader: Sendable {
    /// The largest document accepted, in bytes.
    public static let maximumDocumentSize = 1 << 20
    /// The deepest indentation accepted, in columns (bounds block nesting).
    public static let maximumIndentation = 64
    /// The deepest nesting of flow collections (`[…]`, `{…}`) accepted.
    public static let maximumFlowDepth = 16
    /// At most this many problems are reported from one file.
    public static let maximumReportedErrors = 100

    /// The environment `${NAME}` substitution reads.
    public let environment: [String: String]

    /// A loader substituting from `environment` (pass `ProcessInfo.processInfo.environment` in production).
    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Reads and parses the file at `path`; errors name the file as `path` was given.
    public func load(path: String) throws(ConfigurationErrors) -> StreamConfiguration {
        let location = SourceLocation(file: path)
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.read(upToCount: Self.maximumDocumentSize + 1) ?? Data()
        } catch {
            throw ConfigurationErrors([.init(.unreadable, at: location, path: "", "cannot be read: \(error.localizedDescription)")])
        }
        return try parse(data, file: path)
    }

    /// Parses a document held in memory; `file` names it in errors.
    public func parse(_ data: Data, file: String) throws(ConfigurationErrors) -> StreamConfiguration {
        guard data.count <= Self.maximumDocumentSize else {
            throw ConfigurationErrors([.init(.tooLarge, at: SourceLocation(file: file), path: "",
                                             "is larger than \(Self.maximumDocumentSize) bytes; hydrant.yaml is refused")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationErrors([.init(.syntax, at: SourceLocation(file: file), path: "", "is not valid UTF-8")])
        }
        return try parse(text, file: file)
    }

    /// Parses a document held in memory; `file` names it in errors.
    public func parse(_ text: String, file: String) throws(ConfigurationErrors) -> StreamConfiguration {
        func single(_ kind: ConfigurationError.Kind, line: Int? = nil, column: Int? = nil, _ message: String) -> ConfigurationErrors {
            ConfigurationErrors([.init(kind, at: SourceLocation(file: file, line: line, column: column), path: "", message)])
        }
        guard text.utf8.count <= Self.maximumDocumentSize else {
            throw single(.tooLarge, "is larger than \(Self.maximumDocumentSize) bytes; hydrant.yaml is refused")
        }
        if text.unicodeScalars.contains("\0") { throw single(.syntax, "contains a NUL character") }
        do {
            try YAMLPreflight(maximumIndentation: Self.maximumIndentation, maximumFlowDepth: Self.maximumFlowDepth).check(text)
        } catch {
            throw single(error.kind, line: error.line, column: error.column, error.message)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        } catch {
            throw single(.syntax, "is not valid YAML: \(error)")
        }
        guard let root else { throw single(.emptyDocument, "is empty; it must declare at least one stream under 'streams:'") }
        let reader = NodeReader(file: file, environment: environment, maximumErrors: Self.maximumReportedErrors)
        let configuration = StreamConfigurationReader(reader: reader).read(root)
        guard reader.errors.isEmpty, let configuration else {
            throw ConfigurationErrors(reader.errors.isEmpty
                ? [.init(.invalidValue, at: reader.location(root), path: "", "is not a valid configuration")]
                : reader.errors)
        }
        return configuration
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ConfigurationErrors {
        func at(_ mark: Mark?, _ message: String) -> ConfigurationErrors {
            ConfigurationErrors([.init(.syntax, at: SourceLocation(file: file, line: mark?.line, column: mark?.column),
                                       path: "", message)])
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return at(mark, "is not valid YAML: \(problem)\(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return at(context.mark, "repeats the key \(duplicates.joined(separator: ", ")) in one mapping")
        case .reader(let problem, _, _, _):
            return at(nil, "cannot be read as YAML: \(problem)")
        default:
            return at(nil, "is not valid YAML: \(error)")
        }
    }
}

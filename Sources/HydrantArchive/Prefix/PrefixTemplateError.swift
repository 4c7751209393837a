/// Why a prefix template was refused or could not be evaluated; parse errors carry a 1-based column in the template.
public enum PrefixTemplateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The template is longer than `PrefixTemplate.maximumTemplateLength` characters.
    case templateTooLong(length: Int)
    /// `!{` without a closing `}`.
    case unterminatedExpression(column: Int)
    /// `!{` inside an expression.
    case nestedExpression(column: Int)
    /// `!{}`: an expression with nothing in it.
    case emptyExpression(column: Int)
    /// An expression without the `:` between namespace and value.
    case missingColon(expression: String, column: Int)
    /// An expression whose namespace (before `:`) is empty.
    case emptyNamespace(column: Int)
    /// An expression whose key or pattern (after `:`) is empty.
    case emptyKey(namespace: String, column: Int)
    /// A namespace other than `timestamp`, `eventTime`, `firehose`, `partitionKeyFromQuery`.
    case unknownNamespace(String, column: Int)
    /// A `firehose:` key other than `random-string` and `error-output-type`.
    case unknownFirehoseKey(String, column: Int)
    /// `partitionKeyFromLambda` in a stream without an `http_transform` processor (nothing returns such keys).
    case unsupportedNamespace(String, column: Int)
    /// A date pattern Hydrant does not accept; the column points at the offending character.
    case badPattern(JavaDatePatternError, column: Int)
    /// An expression the kind of prefix does not allow, with the reason.
    case notAllowed(expression: String, kind: PrefixTemplate.Kind, reason: String, column: Int)
    /// A partition key the stream does not declare.
    case undeclaredKey(String, declared: [String], column: Int)
    /// A literal `.` or `..` path segment.
    case dotSegment(column: Int)
    /// A prefix with expressions needs an error output prefix.
    case errorOutputPrefixRequired
    /// The error output prefix of a prefix with expressions must contain `!{firehose:error-output-type}`.
    case errorOutputTypeRequired
    /// Evaluation: the template uses `!{eventTime:…}` and the record has no event time.
    case missingEventTime
    /// Evaluation: the record has no value for a partition key.
    case missingPartitionKey(String)
    /// Evaluation: a partition key's value cannot enter a path.
    case unsafePartitionValue(key: String, PartitionValueError)
    /// Evaluation: the template uses `!{firehose:error-output-type}` and no type was given.
    case missingErrorOutputType
    /// Evaluation: the error output type given cannot enter a path.
    case unsafeErrorOutputType(PartitionValueError)
    /// Evaluation: the evaluated prefix is longer than `PrefixTemplate.maximumEvaluatedLength` bytes.
    case evaluatedPrefixTooLong(length: Int)

    /// The 1-based column in the template, for parse errors.
    public var column: Int? {
        switch self {
        case .unterminatedExpression(let column), .nestedExpression(let column), .emptyExpression(let column),
             .missingColon(_, let column), .emptyNamespace(let column), .emptyKey(_, let column),
             .unknownNamespace(_, let column), .unknownFirehoseKey(_, let column), .unsupportedNamespace(_, let column),
             .badPattern(_, let column), .notAllowed(_, _, _, let column), .undeclaredKey(_, _, let column),
             .dotSegment(let column):
            return column
        default:
            return nil
        }
    }

    /// A sentence saying what is wrong, suitable for a configuration error or an error record's `errorMessage`.
    public var description: String {
        switch self {
        case .templateTooLong(let length):
            return "prefix is \(length) characters long; at most \(PrefixTemplate.maximumTemplateLength) are allowed"
        case .unterminatedExpression(let column):
            return "column \(column): '!{' is not closed by '}'"
        case .nestedExpression(let column):
            return "column \(column): '!{' inside an expression; '!{' may only open an expression"
        case .emptyExpression(let column):
            return "column \(column): empty expression '!{}'"
        case .missingColon(let expression, let column):
            return "column \(column): expression '!{\(expression)}' has no ':' between namespace and value"
        case .emptyNamespace(let column):
            return "column \(column): expression has an empty namespace"
        case .emptyKey(let namespace, let column):
            return "column \(column): '!{\(namespace):}' has an empty \(namespace == "timestamp" || namespace == "eventTime" ? "pattern" : "key")"
        case .unknownNamespace(let namespace, let column):
            return "column \(column): unknown namespace '\(namespace)'; expected timestamp, eventTime, firehose or partitionKeyFromQuery"
        case .unknownFirehoseKey(let key, let column):
            return "column \(column): unknown expression 'firehose:\(key)'; expected random-string or error-output-type"
        case .unsupportedNamespace(let namespace, let column):
            return "column \(column): '\(namespace)' needs an http_transform processor in the stream (it returns these keys); use partitionKeyFromQuery otherwise"
        case .badPattern(let error, let column):
            return "column \(column): \(error.description)"
        case .notAllowed(let expression, let kind, let reason, let column):
            return "column \(column): '!{\(expression)}' is not allowed in \(kind.rawValue): \(reason)"
        case .undeclaredKey(let key, let declared, let column):
            let list = declared.isEmpty ? "no partition keys are declared" : "declared keys: " + declared.joined(separator: ", ")
            return "column \(column): partition key '\(key)' is not declared; \(list)"
        case .dotSegment(let column):
            return "column \(column): '.' and '..' path segments are not allowed"
        case .errorOutputPrefixRequired:
            return "a Prefix with expressions needs an ErrorOutputPrefix"
        case .errorOutputTypeRequired:
            return "the ErrorOutputPrefix must contain !{firehose:error-output-type} when the Prefix has expressions"
        case .missingEventTime:
            return "the prefix uses !{eventTime:…} and the record has no event time"
        case .missingPartitionKey(let key):
            return "the record has no value for partition key '\(key)'"
        case .unsafePartitionValue(let key, let error):
            return "partition key '\(key)': \(error.description)"
        case .missingErrorOutputType:
            return "the prefix uses !{firehose:error-output-type} and no error output type was given"
        case .unsafeErrorOutputType(let error):
            return "error output type: \(error.description)"
        case .evaluatedPrefixTooLong(let length):
            return "evaluated prefix is \(length) bytes long; at most \(PrefixTemplate.maximumEvaluatedLength) are allowed"
        }
    }
}

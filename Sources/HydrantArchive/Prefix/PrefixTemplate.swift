/// An archive prefix in Firehose's expression syntax, parsed once into parts and then evaluated per object.
///
/// Expressions: `!{timestamp:PATTERN}` (arrival time of the oldest record in the object), `!{eventTime:PATTERN}`
/// (Hydrant's extension: the record's event time), `!{firehose:random-string}`, `!{firehose:error-output-type}`
/// (error output prefixes only), `!{partitionKeyFromQuery:NAME}` (prefixes only, declared keys only) and
/// `!{partitionKeyFromLambda:NAME}` (prefixes of streams with an external transform only).
/// Every other character is literal text; `!{` may only open an expression.
public struct PrefixTemplate: Hashable, Sendable, CustomStringConvertible {
    /// Which of a destination's two prefixes a template is; the allowed expressions differ.
    public enum Kind: String, Hashable, Sendable {
        /// The prefix of delivered records (`Prefix`).
        case prefix = "Prefix"
        /// The prefix of failed records (`ErrorOutputPrefix`).
        case errorOutputPrefix = "ErrorOutputPrefix"
    }

    /// One parsed element of a template.
    public enum Part: Hashable, Sendable {
        /// Text copied as is.
        case literal(String)
        /// `!{timestamp:PATTERN}`: the arrival time of the oldest record in the object, UTC.
        case timestamp(JavaDatePattern)
        /// `!{eventTime:PATTERN}`: the record's event time, UTC (Hydrant extension).
        case eventTime(JavaDatePattern)
        /// `!{firehose:random-string}`: eleven fresh random characters per occurrence.
        case randomString
        /// `!{firehose:error-output-type}`: why the records failed, e.g. `processing-failed`.
        case errorOutputType
        /// `!{partitionKeyFromQuery:NAME}`: the value of a declared partition key.
        case partitionKey(String)
        /// `!{partitionKeyFromLambda:NAME}`: a key an external transform returned in `metadata.partitionKeys`.
        case transformPartitionKey(String)
    }

    /// Hydrant's default prefix: dataset, then event-time day and hour partitions (DESIGN.md, "Archive layout").
    public static let defaultPrefix = "!{partitionKeyFromQuery:dataset}/dt=!{eventTime:yyyy-MM-dd}/hour=!{eventTime:HH}/"
    /// The partition keys `defaultPrefix` needs.
    public static let defaultPartitionKeys: Set<String> = ["dataset"]
    /// What Firehose appends to a prefix that has no timestamp expression (and uses as the whole default prefix).
    public static let firehoseDefaultTimestamp = "!{timestamp:yyyy/MM/dd/HH/}"
    /// The longest template accepted, in characters (Firehose's API limit for both prefixes).
    public static let maximumTemplateLength = 1024
    /// The longest evaluated prefix, in UTF-8 bytes (Firehose: 512 characters after evaluation).
    public static let maximumEvaluatedLength = 512
    /// The characters `!{firehose:random-string}` draws from: lower-case hexadecimal digits, as in the
    /// Firehose guide's worked example (`5abf82daaa5`).
    public static let randomStringAlphabet: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)
    /// The length of `!{firehose:random-string}`'s value.
    public static let randomStringLength = 11

    /// The template text as written.
    public let source: String
    /// Which prefix this template is.
    public let kind: Kind
    /// The parsed parts, in order.
    public let parts: [Part]

    /// Parses a template, enforcing the rules for its kind; `declaredKeys` are the partition keys the stream defines,
    /// and `allowsTransformKeys` admits `!{partitionKeyFromLambda:…}` (a stream with an external transform).
    public init(_ text: String, kind: Kind = .prefix, declaredKeys: Set<String> = [],
                allowsTransformKeys: Bool = false) throws(PrefixTemplateError) {
        var parser = PrefixTemplateParser(text: text, kind: kind, declaredKeys: declaredKeys)
        parser.allowsTransformKeys = allowsTransformKeys
        self.source = text
        self.kind = kind
        self.parts = try parser.parse()
    }

    /// The template text as written.
    public var description: String { source }

    /// Whether the template has any expression (Firehose's rules for error output prefixes depend on it).
    public var hasExpressions: Bool {
        parts.contains { if case .literal = $0 { return false } else { return true } }
    }

    /// Whether the template has a `!{timestamp:…}` expression.
    public var usesTimestamp: Bool {
        parts.contains { if case .timestamp = $0 { return true } else { return false } }
    }

    /// Whether the template has an `!{eventTime:…}` expression, so records must be grouped by event time.
    public var usesEventTime: Bool {
        parts.contains { if case .eventTime = $0 { return true } else { return false } }
    }

    /// Whether the template has `!{firehose:error-output-type}`.
    public var usesErrorOutputType: Bool { parts.contains(.errorOutputType) }

    /// The partition keys the template reads, in order of first use.
    public var partitionKeys: [String] {
        var keys: [String] = []
        for case .partitionKey(let name) in parts where !keys.contains(name) { keys.append(name) }
        return keys
    }

    /// The `!{partitionKeyFromLambda:…}` keys the template reads, in order of first use.
    public var transformPartitionKeys: [String] {
        var keys: [String] = []
        for case .transformPartitionKey(let name) in parts where !keys.contains(name) { keys.append(name) }
        return keys
    }

    /// Firehose's rule for a prefix without a time expression: `!{timestamp:yyyy/MM/dd/HH/}` is appended as is
    /// (no `/` is inserted). Templates with a time expression or partition keys (dynamic partitioning) are unchanged.
    public func withFirehoseDefaultTimestamp() -> PrefixTemplate {
        guard kind == .prefix, !usesTimestamp, !usesEventTime, partitionKeys.isEmpty, transformPartitionKeys.isEmpty else {
            return self
        }
        return PrefixTemplate(source: source + Self.firehoseDefaultTimestamp, kind: kind,
                              parts: parts + [.timestamp(Self.hourlyPattern)])
    }

    /// Checks the pair of prefixes of one destination: a prefix with expressions needs an error output prefix, and
    /// that error output prefix must contain `!{firehose:error-output-type}`.
    public static func validate(prefix: PrefixTemplate, errorOutputPrefix: PrefixTemplate?) throws(PrefixTemplateError) {
        guard prefix.hasExpressions else { return }
        guard let errorOutputPrefix else { throw .errorOutputPrefixRequired }
        guard errorOutputPrefix.usesErrorOutputType else { throw .errorOutputTypeRequired }
    }

    /// Firehose's error output prefix for a prefix without expressions when none is configured:
    /// `<Prefix>!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/}` (the guide's example
    /// `myFirehosePrefix/processing-failed/2018/08/27/…`). Nil when the prefix has expressions: then one must be configured.
    public func firehoseDefaultErrorOutputPrefix() -> PrefixTemplate? {
        guard kind == .prefix, !hasExpressions else { return nil }
        return PrefixTemplate(source: source + "!{firehose:error-output-type}/" + Self.firehoseDefaultTimestamp,
                              kind: .errorOutputPrefix,
                              parts: parts + [.errorOutputType, .literal("/"), .timestamp(Self.hourlyPattern)])
    }

    private init(source: String, kind: Kind, parts: [Part]) {
        self.source = source
        self.kind = kind
        self.parts = parts
    }

    /// `yyyy/MM/dd/HH/`, built without a parse so that it cannot fail.
    private static let hourlyPattern = JavaDatePattern(
        source: "yyyy/MM/dd/HH/",
        elements: [.field(.year), .literal("/"), .field(.month), .literal("/"), .field(.day), .literal("/"),
                   .field(.hour), .literal("/")])
}

extension JavaDatePattern {
    /// Assembles a pattern from elements known to be valid.
    init(source: String, elements: [Element]) {
        self.source = source
        self.elements = elements
    }
}

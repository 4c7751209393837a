/// Why a rule document (or a whole file) was not loaded: the file, the 1-based line, a category and a message.
///
/// Rules that cannot run on Hydrant's records are rejected with one of these rather than loaded and left never
/// matching, so `hydrant rules validate` lists every rule that will not fire and why.
public struct RuleLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broad kind of problem, for counting and for tests.
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        /// The file could not be read or is not valid YAML.
        case unreadable = "unreadable"
        /// The document does not have the shape of a Sigma rule, correlation or filter.
        case structure = "structure"
        /// A field modifier is unknown, misplaced or applied to a value it cannot take.
        case modifier = "modifier"
        /// A value cannot be used as written (bad CIDR, bad regex, wrong type).
        case value = "value"
        /// The condition does not parse or names an identifier that does not exist.
        case condition = "condition"
        /// No mapping file routes this logsource to a Hydrant dataset.
        case unmappedLogsource = "unmapped logsource"
        /// The rule needs a field that Hydrant's records do not carry.
        case unavailableField = "unavailable field"
        /// A correlation or filter references a rule that was not loaded, or `id`/`name` collide.
        case reference = "reference"
        /// An `expand` placeholder has no configured values.
        case placeholder = "placeholder"
        /// A construct Hydrant deliberately does not evaluate (legacy pipe aggregations, date-part modifiers).
        case unsupported = "unsupported"
    }

    /// The file the document came from (as given to the loader).
    public let file: String
    /// The 1-based line of the offending node (0 when unknown).
    public let line: Int
    /// The kind of problem.
    public let reason: Reason
    /// What is wrong, naming the key, modifier or field involved.
    public let message: String
    /// The rule's title, when the document got far enough to have one.
    public var title: String?

    /// Creates an error.
    public init(file: String, line: Int, reason: Reason, message: String, title: String? = nil) {
        self.file = file
        self.line = line
        self.reason = reason
        self.message = message
        self.title = title
    }

    /// `file:line: message` (with the rule title when known).
    public var description: String {
        let titled = title.map { " (rule \"\($0)\")" } ?? ""
        return "\(file):\(line): \(message)\(titled)"
    }
}

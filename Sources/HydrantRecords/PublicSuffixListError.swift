/// The Public Suffix List could not be read: which file and why.
public struct PublicSuffixListError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file (or other source) at fault.
    public let source: String
    /// What is wrong.
    public let message: String

    /// An error in `source` saying `message`.
    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    /// `source: message`.
    public var description: String { "\(source): \(message)" }
}

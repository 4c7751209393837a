/// A validated object key: relative, `/`-separated, with no empty, `.` or `..` component and no control character,
/// so that joining it to a directory root can never leave the root.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    /// S3's limit on key length, in UTF-8 bytes.
    public static let maximumLength = 1024

    /// The key, e.g. `network.flow/dt=2024-05-01/hour=13/network-1-2024-05-01-13-00-00-<uuid>.json.gz`.
    public let text: String

    /// Validates `text`.
    public init(_ text: String) throws(DestinationError) {
        guard !text.isEmpty else { throw DestinationError(.invalidKey, "object key is empty") }
        guard text.utf8.count <= Self.maximumLength else {
            throw DestinationError(.invalidKey, "object key is longer than \(Self.maximumLength) bytes")
        }
        guard !text.hasPrefix("/") else { throw DestinationError(.invalidKey, "object key '\(text)' is absolute") }
        for component in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw DestinationError(.invalidKey, "object key '\(text)' has an empty, '.' or '..' component")
            }
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw DestinationError(.invalidKey, "object key has a control character")
        }
        self.text = text
    }

    /// The key.
    public var description: String { text }

    /// The components between slashes.
    public var components: [Substring] { text.split(separator: "/") }
}

/// A path of object member names selecting one value of a JSON document, e.g. `["event", "dataset"]` for jq's
/// `.event.dataset`. The names are kept as UTF-8 bytes so the scanner compares them without building strings.
public struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    /// The member names, outermost first, as UTF-8.
    public let components: [[UInt8]]

    /// A path from member names, outermost first.
    public init(_ components: [String]) {
        self.components = components.map { Array($0.utf8) }
    }

    /// The path in jq's notation, e.g. `.event.dataset`.
    public var description: String {
        components.map { "." + String(decoding: $0, as: UTF8.self) }.joined()
    }
}

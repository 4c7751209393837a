/// A jq-style path selecting one field of a JSON record, e.g. `.event.dataset`: dot-separated identifiers.
public struct PartitionKeyPath: Hashable, Sendable, CustomStringConvertible {
    /// The most components a path may have.
    public static let maximumComponents = 32
    /// The longest identifier accepted, in characters.
    public static let maximumComponentLength = 128

    /// The field names, outermost first (`["event", "dataset"]`).
    public let components: [String]

    /// Parses `.a.b.c`; identifiers are ASCII letters, digits and `_`, not starting with a digit.
    /// Throws a sentence saying what is wrong.
    public init(_ text: String) throws(PartitionKeyPathError) {
        guard text.first == "." else { throw .init(reason: "must start with '.'") }
        let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= Self.maximumComponents else {
            throw .init(reason: "has \(parts.count) components; at most \(Self.maximumComponents) are allowed")
        }
        var components: [String] = []
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty else { throw .init(reason: "component \(index + 1) is empty") }
            guard part.count <= Self.maximumComponentLength else {
                throw .init(reason: "component \(index + 1) is longer than \(Self.maximumComponentLength) characters")
            }
            guard Self.isIdentifier(part) else {
                throw .init(reason: "component '\(part)' is not an identifier (letters, digits and '_', not starting with a digit)")
            }
            components.append(String(part))
        }
        self.components = components
    }

    /// The path as written, e.g. `.event.dataset`.
    public var description: String { "." + components.joined(separator: ".") }

    private static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
        }
    }
}

/// Why a partition key path was refused.
public struct PartitionKeyPathError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the path.
    public let reason: String
    /// What is wrong with the path.
    public var description: String { reason }
}

/// A declared partition key: the name used in `!{partitionKeyFromQuery:NAME}` and the path evaluated on each record.
public struct PartitionKey: Hashable, Sendable {
    /// The key's name.
    public let name: String
    /// The field it reads.
    public let path: PartitionKeyPath

    /// A key named `name` reading `path`.
    public init(name: String, path: PartitionKeyPath) {
        self.name = name
        self.path = path
    }
}

/// One column of an archive table: its dotted name, its type, and where its value sits in a JSON record.
///
/// The name decides the Parquet layout: the part before the first dot is a top-level struct column, the rest is a
/// leaf of that struct with further dots turned into underscores (`dns.question.name` is leaf `question_name` of
/// struct `dns`); a name without a dot is a top-level column (`@timestamp`).
public struct ArchiveColumn: Hashable, Sendable {
    /// The dotted name, e.g. `source.ip`.
    public let name: String
    /// The value type.
    public let type: ArchiveColumnType
    /// The member names leading to the value in a JSON record, outermost first.
    public let path: [String]
    /// Whether a record without a value does not fit (REQUIRED in Parquet).
    public let required: Bool

    /// A column read from `path` (by default the dotted name split at its dots, as JSON lines records nest).
    public init(name: String, type: ArchiveColumnType, path: [String]? = nil, required: Bool = false) {
        self.name = name
        self.type = type
        self.path = path ?? name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        self.required = required
    }

    /// The top-level Parquet field the column belongs to, and its leaf name inside it (nil for a top-level column).
    var parquetPlacement: (top: String, leaf: String?) {
        guard let dot = name.firstIndex(of: ".") else { return (name, nil) }
        let rest = name[name.index(after: dot)...]
        return (String(name[..<dot]), rest.replacingOccurrences(of: ".", with: "_"))
    }
}

private extension Substring {
    func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}

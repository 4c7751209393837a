/// The type of a record field, as documented in `docs/schema.md` and mapped to JSON and Parquet.
public enum FieldType: String, Sendable {
    /// UTF-8 text.
    case string
    /// A signed 64-bit integer.
    case int
    /// A UTC timestamp with nanosecond precision.
    case timestamp
    /// An IP address, written as text in canonical form.
    case ip
    /// A list of strings.
    case stringList = "list of string"
    /// A list of integers.
    case intList = "list of int"
}

/// One field's value in a record, as read through a field's accessor.
public enum FieldValue: Hashable, Sendable {
    /// Text.
    case string(String)
    /// An integer.
    case int(Int64)
    /// A timestamp.
    case timestamp(Timestamp)
    /// An IP address.
    case ip(IPAddress)
    /// A list of strings.
    case strings([String])
    /// A list of integers.
    case ints([Int64])
}

/// A field of a dataset: its ECS name, type, meaning and how to read it from a typed record.
///
/// Rules and partition keys resolve a name to its `FieldDescriptor` once, at load time, and then call `read`.
public struct FieldDescriptor<Record>: Sendable {
    /// The dotted ECS name, e.g. `source.ip`.
    public let name: String
    /// The value type.
    public let type: FieldType
    /// What the field means, with its unit.
    public let summary: String
    /// Reads the field; nil when the value is unknown (absent, never empty or zero).
    public let read: @Sendable (Record) -> FieldValue?

    /// Declares a field.
    public init(_ name: String, _ type: FieldType, _ summary: String, read: @escaping @Sendable (Record) -> FieldValue?) {
        self.name = name
        self.type = type
        self.summary = summary
        self.read = read
    }
}

/// A typed record of one dataset, with a static field table from which JSON names, columns and rule lookups derive.
public protocol DatasetRecord: Sendable {
    /// The dataset this record type belongs to.
    static var dataset: Dataset { get }
    /// What one record of this dataset stands for.
    static var summary: String { get }
    /// Every field of the dataset, in output order.
    static var fields: [FieldDescriptor<Self>] { get }
    /// When it happened (event time).
    var timestamp: Timestamp { get }
}

extension DatasetRecord {
    /// The field with this dotted name, or nil when the dataset has none.
    public static func field(named name: String) -> FieldDescriptor<Self>? {
        fields.first { $0.name == name }
    }
}

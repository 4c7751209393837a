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

/// How a field's value is read from a typed record, by value type, so that an encoder writes the value without
/// boxing it in a `FieldValue`. Every accessor returns nil when the value is unknown; list accessors also treat an
/// empty list as unknown (an absent list, never `[]`).
public enum FieldAccessor<Record>: Sendable {
    /// A text value.
    case string(@Sendable (Record) -> String?)
    /// An integer value.
    case int(@Sendable (Record) -> Int64?)
    /// A timestamp.
    case timestamp(@Sendable (Record) -> Timestamp?)
    /// An IP address.
    case ip(@Sendable (Record) -> IPAddress?)
    /// A list of strings.
    case strings(@Sendable (Record) -> [String]?)
    /// A list of integers.
    case ints(@Sendable (Record) -> [Int64]?)
    /// Any value, already boxed; for field tables that compute values of varying type.
    case value(@Sendable (Record) -> FieldValue?)
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
    /// Reads the field without boxing; the JSON-lines encoder uses this.
    public let accessor: FieldAccessor<Record>

    /// Declares a field whose accessor returns boxed values.
    public init(_ name: String, _ type: FieldType, _ summary: String, read: @escaping @Sendable (Record) -> FieldValue?) {
        self.init(name, type, summary, accessor: .value(read))
    }

    /// Declares a field with a typed accessor.
    public init(_ name: String, _ type: FieldType, _ summary: String, accessor: FieldAccessor<Record>) {
        self.name = name
        self.type = type
        self.summary = summary
        self.accessor = accessor
    }

    /// Reads the field as a boxed value; nil when the value is unknown (absent, never empty or zero).
    public var read: @Sendable (Record) -> FieldValue? {
        switch accessor {
        case .string(let get): return { get($0).map(FieldValue.string) }
        case .int(let get): return { get($0).map(FieldValue.int) }
        case .timestamp(let get): return { get($0).map(FieldValue.timestamp) }
        case .ip(let get): return { get($0).map(FieldValue.ip) }
        case .strings(let get): return { record in get(record).flatMap { $0.isEmpty ? nil : FieldValue.strings($0) } }
        case .ints(let get): return { record in get(record).flatMap { $0.isEmpty ? nil : FieldValue.ints($0) } }
        case .value(let get): return get
        }
    }

    /// A text field.
    public static func string(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> String?) -> Self {
        Self(name, .string, summary, accessor: .string(get))
    }

    /// An integer field.
    public static func int(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> Int64?) -> Self {
        Self(name, .int, summary, accessor: .int(get))
    }

    /// A timestamp field.
    public static func timestamp(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> Timestamp?) -> Self {
        Self(name, .timestamp, summary, accessor: .timestamp(get))
    }

    /// An IP address field.
    public static func ip(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> IPAddress?) -> Self {
        Self(name, .ip, summary, accessor: .ip(get))
    }

    /// A list-of-strings field; an empty list is absent.
    public static func strings(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> [String]?) -> Self {
        Self(name, .stringList, summary, accessor: .strings(get))
    }

    /// A list-of-integers field; an empty list is absent.
    public static func ints(_ name: String, _ summary: String, _ get: @escaping @Sendable (Record) -> [Int64]?) -> Self {
        Self(name, .intList, summary, accessor: .ints(get))
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
    /// Writes the record's fields exactly as `JSONLinesEncoder` would from `fields`, and returns true; the default
    /// writes nothing and returns false, and the encoder walks the field table. For the datasets a capture makes by
    /// the tens of thousands, where the walk cost more than writing the values (see `JSONFieldWriter`).
    ///
    /// It changes nothing, but is `mutating` so the encoder can call it on the record where it lies in the batch:
    /// a non-mutating call through a pointer first copies the whole record (retaining every string and list in it)
    /// and destroys the copy after, while a mutating one is handed the record's address.
    mutating func writeJSONFields(_ writer: inout JSONFieldWriter) -> Bool
}

extension DatasetRecord {
    /// Writes nothing: the encoder walks the field table.
    @inlinable
    public mutating func writeJSONFields(_ writer: inout JSONFieldWriter) -> Bool { false }
}

extension DatasetRecord {
    /// The field with this dotted name, or nil when the dataset has none.
    public static func field(named name: String) -> FieldDescriptor<Self>? {
        fields.first { $0.name == name }
    }
}

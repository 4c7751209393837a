import HydrantParquet
import HydrantRecords

/// The value type of one archive column: a scalar or a list of scalars, named as in a Glue/Hive table.
public enum ArchiveColumnType: Hashable, Sendable, CustomStringConvertible {
    /// A scalar kind.
    public enum Scalar: String, Hashable, Sendable, CaseIterable {
        /// UTF-8 text (Parquet STRING); IP addresses are text too.
        case string
        /// A signed 64-bit integer (Parquet INT64).
        case int
        /// A 64-bit float (Parquet DOUBLE).
        case double
        /// `true` / `false` (Parquet BOOLEAN).
        case boolean
        /// An RFC 3339 date-time in JSON, Parquet TIMESTAMP(NANOS, UTC).
        case timestamp
    }

    /// One value per row.
    case scalar(Scalar)
    /// A list of values per row (Parquet LIST).
    case list(Scalar)

    /// The type a record field of `type` is archived as.
    public init(_ type: FieldType) {
        switch type {
        case .string, .ip: self = .scalar(.string)
        case .int: self = .scalar(.int)
        case .timestamp: self = .scalar(.timestamp)
        case .stringList: self = .list(.string)
        case .intList: self = .list(.int)
        }
    }

    /// Parses a declared type: `string`, `int` (also `bigint`, `long`), `double`, `boolean`, `timestamp`, or
    /// `array<…>` / `list<…>` of one of them. Nil for anything else.
    public init?(parsing text: String) {
        let lowered = text.lowercased().filter { $0 != " " }
        func scalar(_ name: Substring) -> Scalar? {
            switch name {
            case "string", "varchar": return .string
            case "int", "bigint", "long", "integer": return .int
            case "double", "float": return .double
            case "boolean", "bool": return .boolean
            case "timestamp": return .timestamp
            default: return nil
            }
        }
        for opener in ["array<", "list<"] where lowered.hasPrefix(opener) && lowered.hasSuffix(">") {
            guard let element = scalar(lowered.dropFirst(opener.count).dropLast()) else { return nil }
            self = .list(element)
            return
        }
        guard let value = scalar(Substring(lowered)) else { return nil }
        self = .scalar(value)
    }

    /// The scalar kind (of the elements, for a list).
    public var scalar: Scalar {
        switch self {
        case .scalar(let kind), .list(let kind): return kind
        }
    }

    /// Whether the column holds lists.
    public var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// The name as a configuration writes it: `string`, `array<int>`, ….
    public var description: String {
        switch self {
        case .scalar(let kind): return kind.rawValue
        case .list(let kind): return "array<\(kind.rawValue)>"
        }
    }

    /// The Parquet leaf type of the values (of the elements, for a list).
    var parquetType: ParquetColumnType {
        switch scalar {
        case .string: return .string
        case .int: return .int64
        case .double: return .double
        case .boolean: return .boolean
        case .timestamp: return .timestampNanos
        }
    }
}

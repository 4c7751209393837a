/// Why a schema was rejected.
public enum ParquetSchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The schema (or the whole field list) has no columns.
    case noColumns
    /// A struct group without fields.
    case emptyGroup(String)
    /// A field with an empty name; `parent` is the enclosing group, nil at the top level.
    case emptyName(parent: String?)
    /// Two siblings share a name.
    case duplicateName(String, parent: String?)
    /// A group inside a group: only one level of struct groups is supported.
    case nestedGroup(String)
    /// A type this writer does not support, with the reason.
    case unsupportedType(column: String, reason: String)
    /// More leaf columns than the format can count.
    case tooManyColumns(Int)

    /// A readable explanation.
    public var description: String {
        switch self {
        case .noColumns: "schema has no columns"
        case .emptyGroup(let name): "group '\(name)' has no fields"
        case .emptyName(let parent): "empty field name\(parent.map { " in group '\($0)'" } ?? " at the top level")"
        case .duplicateName(let name, let parent):
            "duplicate field name '\(name)'\(parent.map { " in group '\($0)'" } ?? " at the top level")"
        case .nestedGroup(let path): "group '\(path)' is nested in a group; only one level of groups is supported"
        case .unsupportedType(let column, let reason): "column '\(column)': unsupported type (\(reason))"
        case .tooManyColumns(let n): "schema has \(n) leaf columns"
        }
    }
}

/// Why writing failed.
public enum ParquetError: Error, Sendable, CustomStringConvertible {
    /// The schema was rejected.
    case schema(ParquetSchemaError)
    /// A value of the wrong Swift type was appended to a column.
    case typeMismatch(column: String, columnType: String, appended: String)
    /// A null was appended where the schema allows none.
    case notNullable(column: String)
    /// A byte string longer than Parquet's signed 32-bit lengths allow, rejected before anything is written.
    case valueTooLarge(column: String, length: Int, limit: Int)
    /// An integer outside the range of its INT(8)/INT(16) column.
    case valueOutOfRange(column: String, value: Int64, type: String)
    /// A FIXED_LEN_BYTE_ARRAY value of the wrong length.
    case fixedLengthMismatch(column: String, expected: Int, got: Int)
    /// List calls out of order (an element outside `beginList`/`endList`, a nested `beginList`, …).
    case listMisuse(column: String, reason: String)
    /// Columns received different numbers of rows in one batch.
    case rowCountMismatch(column: String, expected: Int, got: Int)
    /// A page or chunk grew past what the format's 32-bit sizes can describe.
    case pageTooLarge(column: String, bytes: Int)
    /// The compression library failed.
    case compression(String)
    /// The sink failed (open, write, close), with the OS error number when there is one.
    case io(String, errno: Int32)
    /// The writer was already closed (or failed earlier) and accepts nothing more.
    case closed

    /// A readable explanation.
    public var description: String {
        switch self {
        case .schema(let error): "invalid schema: \(error)"
        case .typeMismatch(let column, let type, let appended):
            "column '\(column)' of type \(type) cannot take a \(appended) value"
        case .notNullable(let column): "column '\(column)' is not nullable"
        case .valueTooLarge(let column, let length, let limit):
            "column '\(column)': value of \(length) bytes exceeds the limit of \(limit) bytes"
        case .valueOutOfRange(let column, let value, let type): "column '\(column)': \(value) is out of range for \(type)"
        case .fixedLengthMismatch(let column, let expected, let got):
            "column '\(column)': fixed-length value must have \(expected) bytes, got \(got)"
        case .listMisuse(let column, let reason): "column '\(column)': \(reason)"
        case .rowCountMismatch(let column, let expected, let got):
            "column '\(column)' received \(got) rows in a batch of \(expected)"
        case .pageTooLarge(let column, let bytes): "column '\(column)': page of \(bytes) bytes is too large"
        case .compression(let message): "compression failed: \(message)"
        case .io(let message, let errno): "I/O error: \(message) (errno \(errno))"
        case .closed: "the writer is closed"
        }
    }
}

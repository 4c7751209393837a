import HydrantParquet
import HydrantRecords

/// The table one archive object is written in: named columns read from JSON records, and the Parquet schema they
/// flatten into (one struct column per top-level ECS name, see `ArchiveColumn`).
public struct ArchiveSchema: Hashable, Sendable {
    /// The version written into every file's footer (`hydrant.schema.version`); bumped when a generated layout changes.
    public static let layoutVersion = "1"

    /// The table name: the dataset (`network.flow`) or `declared` for a schema from the configuration.
    public let name: String
    /// The columns in Parquet leaf order.
    public let columns: [ArchiveColumn]
    /// The Parquet schema.
    public let parquet: ParquetSchema
    /// The generated table's columns this table leaves out (`exclude_columns`), by dotted name; empty for a full table.
    public internal(set) var excludedColumns: [String] = []

    /// Validates `columns` and builds the Parquet layout: names unique, no path that is both a value and an object,
    /// and the flattened names unique within each struct. Columns keep their order, grouped by top-level name in
    /// the order each name first appears.
    public init(name: String, columns: [ArchiveColumn]) throws(ArchiveSchemaError) {
        guard !columns.isEmpty else { throw .noColumns(table: name) }
        var seenNames = Set<String>()
        var seenPaths = Set<[String]>()
        for column in columns {
            guard !column.name.isEmpty, !column.name.hasPrefix("."), !column.name.hasSuffix("."),
                  !column.name.contains("..") else {
                throw .invalidName(table: name, column: column.name)
            }
            guard !column.path.isEmpty, !column.path.contains(where: \.isEmpty) else {
                throw .invalidPath(table: name, column: column.name)
            }
            guard seenNames.insert(column.name).inserted else { throw .duplicate(table: name, column: column.name) }
            guard seenPaths.insert(column.path).inserted else { throw .duplicatePath(table: name, column: column.name) }
        }
        for column in columns {
            for length in 1..<max(1, column.path.count) where seenPaths.contains(Array(column.path.prefix(length))) {
                throw .pathConflict(table: name, column: column.name,
                                    prefix: column.path.prefix(length).joined(separator: "."))
            }
        }
        var order: [String] = []
        var members: [String: [ArchiveColumn]] = [:]
        var topLevel: [String: ArchiveColumn] = [:]
        for column in columns {
            let (top, leaf) = column.parquetPlacement
            if members[top] == nil && topLevel[top] == nil { order.append(top) }
            if leaf == nil {
                guard members[top] == nil else { throw .duplicate(table: name, column: top) }
                topLevel[top] = column
            } else {
                guard topLevel[top] == nil else { throw .duplicate(table: name, column: top) }
                members[top, default: []].append(column)
            }
        }
        var fields: [ParquetField] = []
        var ordered: [ArchiveColumn] = []
        for top in order {
            if let column = topLevel[top] {
                fields.append(Self.field(column, named: top))
                ordered.append(column)
                continue
            }
            let group = members[top] ?? []
            fields.append(.group(top, nullable: false, group.map { Self.field($0, named: $0.parquetPlacement.leaf ?? $0.name) }))
            ordered.append(contentsOf: group)
        }
        do {
            parquet = try ParquetSchema(name: "hydrant_" + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" }), fields: fields)
        } catch {
            throw .parquet(table: name, reason: error.description)
        }
        self.name = name
        self.columns = ordered
    }

    /// The schema generated from a record type's field table, with `extra` columns (enrichment) added where the
    /// table lacks them. `@timestamp` is required; everything else may be absent.
    public init<Record: DatasetRecord>(record: Record.Type, extra: [ArchiveColumn] = []) throws(ArchiveSchemaError) {
        var columns = Record.fields.map {
            ArchiveColumn(name: $0.name, type: ArchiveColumnType($0.type), required: $0.name == "@timestamp")
        }
        let names = Set(columns.map(\.name))
        columns += extra.filter { !names.contains($0.name) }
        try self.init(name: Record.dataset.rawValue, columns: columns)
    }

    /// The footer's key/value metadata: which table and layout version the file holds.
    /// A reduced table also names the columns it leaves out, so that a reader can tell them from columns that
    /// never existed.
    public var keyValueMetadata: [ParquetKeyValue] {
        var metadata = [ParquetKeyValue("hydrant.schema", name), ParquetKeyValue("hydrant.schema.version", Self.layoutVersion)]
        if !excludedColumns.isEmpty {
            metadata.append(ParquetKeyValue("hydrant.schema.excluded_columns", excludedColumns.joined(separator: ",")))
        }
        return metadata
    }

    private static func field(_ column: ArchiveColumn, named name: String) -> ParquetField {
        switch column.type {
        case .scalar:
            return .column(name, column.type.parquetType, nullable: !column.required)
        case .list:
            return .list(name, of: column.type.parquetType, nullable: !column.required, elementsNullable: true)
        }
    }
}

/// Why a table declaration was rejected.
public enum ArchiveSchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No columns.
    case noColumns(table: String)
    /// An empty name, or one with an empty dotted part.
    case invalidName(table: String, column: String)
    /// An empty JSON path or path member.
    case invalidPath(table: String, column: String)
    /// Two columns with the same name (or flattened Parquet name).
    case duplicate(table: String, column: String)
    /// Two columns read the same JSON path.
    case duplicatePath(table: String, column: String)
    /// A column's path runs through another column's value.
    case pathConflict(table: String, column: String, prefix: String)
    /// The Parquet writer rejected the layout.
    case parquet(table: String, reason: String)
    /// An excluded column the table does not have.
    case unknownColumn(table: String, column: String)
    /// A column excluded twice (possibly under its ECS name and its Parquet name).
    case excludedTwice(table: String, column: String)
    /// Every column of the table excluded.
    case allColumnsExcluded(table: String)

    /// A sentence for configuration errors and logs.
    public var description: String {
        switch self {
        case .noColumns(let table): "schema \(table) has no columns"
        case .invalidName(let table, let column): "schema \(table): column name '\(column)' has an empty part"
        case .invalidPath(let table, let column): "schema \(table): column '\(column)' has an empty JSON path or member"
        case .duplicate(let table, let column): "schema \(table): column '\(column)' is declared twice (after flattening)"
        case .duplicatePath(let table, let column): "schema \(table): column '\(column)' reads a path another column reads"
        case .pathConflict(let table, let column, let prefix):
            "schema \(table): column '\(column)' reads inside '\(prefix)', which another column reads as a value"
        case .parquet(let table, let reason): "schema \(table): \(reason)"
        case .unknownColumn(let table, let column): "schema \(table) has no column '\(column)'"
        case .excludedTwice(let table, let column): "schema \(table): column '\(column)' is excluded twice"
        case .allColumnsExcluded(let table): "schema \(table) would have no columns left"
        }
    }
}

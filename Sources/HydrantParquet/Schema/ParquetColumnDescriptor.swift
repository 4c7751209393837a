/// A leaf column of a schema, with the levels its values are written at.
public struct ParquetColumnDescriptor: Sendable, Hashable {
    /// The user-level path: `["source", "ip"]`, or `["dns", "answers"]` for a list (without `list.element`).
    public let fieldPath: [String]
    /// The path of the leaf in the Parquet schema, as written into ColumnMetaData (`[…, "list", "element"]`).
    public let pathInSchema: [String]
    /// The leaf type (of the elements, for a list).
    public let type: ParquetColumnType
    /// Whether this column is a list.
    public let isList: Bool
    /// Whether the leaf (or, for a list, the list itself) may be null.
    public let nullable: Bool
    /// Whether list elements may be null (false for non-lists).
    public let elementsNullable: Bool
    /// Whether the column sits in a nullable struct group.
    public let inNullableGroup: Bool
    /// The maximum definition level.
    public let maxDefinitionLevel: Int
    /// The maximum repetition level (1 for lists, else 0).
    public let maxRepetitionLevel: Int

    /// `fieldPath` joined with dots.
    public var dottedPath: String { fieldPath.joined(separator: ".") }

    init(fieldPath: [String], type: ParquetColumnType, isList: Bool, nullable: Bool, elementsNullable: Bool,
         inGroup: Bool, inNullableGroup: Bool) {
        self.fieldPath = fieldPath
        self.pathInSchema = isList ? fieldPath + ["list", "element"] : fieldPath
        self.type = type
        self.isList = isList
        self.nullable = nullable
        self.elementsNullable = isList && elementsNullable
        self.inNullableGroup = inNullableGroup
        var definition = (inNullableGroup ? 1 : 0) + (nullable ? 1 : 0)
        if isList { definition += 1 + (elementsNullable ? 1 : 0) }
        maxDefinitionLevel = definition
        maxRepetitionLevel = isList ? 1 : 0
    }
}

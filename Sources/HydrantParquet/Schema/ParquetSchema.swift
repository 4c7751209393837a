/// A validated Parquet schema: top-level fields (leaves, one level of struct groups, lists of primitives) and the
/// leaf columns they flatten into, in file order.
public struct ParquetSchema: Sendable, Hashable {
    /// The root name written into the footer.
    public let name: String
    /// The top-level fields.
    public let fields: [ParquetField]
    /// The leaf columns in schema order; `ParquetFileWriter.columns` has one writer per entry.
    public let columns: [ParquetColumnDescriptor]

    /// Validates `fields`: at least one column, no empty group, no empty or duplicate names among siblings, groups
    /// only one level deep, integer widths 8/16/32/64, fixed lengths in 1...Int32.max.
    public init(name: String = "schema", fields: [ParquetField]) throws(ParquetSchemaError) {
        guard !fields.isEmpty else { throw .noColumns }
        var columns: [ParquetColumnDescriptor] = []
        try Self.checkSiblings(fields, parent: nil)
        for field in fields {
            switch field.kind {
            case .column(let type):
                try Self.check(type, at: [field.name])
                columns.append(ParquetColumnDescriptor(
                    fieldPath: [field.name], type: type, isList: false, nullable: field.nullable,
                    elementsNullable: false, inGroup: false, inNullableGroup: false))
            case .list(let type, let elementsNullable):
                try Self.check(type, at: [field.name])
                columns.append(ParquetColumnDescriptor(
                    fieldPath: [field.name], type: type, isList: true, nullable: field.nullable,
                    elementsNullable: elementsNullable, inGroup: false, inNullableGroup: false))
            case .group(let children):
                guard !children.isEmpty else { throw .emptyGroup(field.name) }
                try Self.checkSiblings(children, parent: field.name)
                for child in children {
                    let path = [field.name, child.name]
                    switch child.kind {
                    case .column(let type):
                        try Self.check(type, at: path)
                        columns.append(ParquetColumnDescriptor(
                            fieldPath: path, type: type, isList: false, nullable: child.nullable,
                            elementsNullable: false, inGroup: true, inNullableGroup: field.nullable))
                    case .list(let type, let elementsNullable):
                        try Self.check(type, at: path)
                        columns.append(ParquetColumnDescriptor(
                            fieldPath: path, type: type, isList: true, nullable: child.nullable,
                            elementsNullable: elementsNullable, inGroup: true, inNullableGroup: field.nullable))
                    case .group:
                        throw .nestedGroup(path.joined(separator: "."))
                    }
                }
            }
        }
        guard columns.count <= Int(Int32.max) else { throw .tooManyColumns(columns.count) }
        self.name = name
        self.fields = fields
        self.columns = columns
    }

    /// The index in `columns` of the column at `fieldPath` (`["source", "ip"]`).
    public func columnIndex(_ fieldPath: [String]) -> Int? {
        columns.firstIndex { $0.fieldPath == fieldPath }
    }

    private static func checkSiblings(_ fields: [ParquetField], parent: String?) throws(ParquetSchemaError) {
        var seen = Set<String>()
        for field in fields {
            guard !field.name.isEmpty else { throw .emptyName(parent: parent) }
            guard seen.insert(field.name).inserted else { throw .duplicateName(field.name, parent: parent) }
        }
    }

    private static func check(_ type: ParquetColumnType, at path: [String]) throws(ParquetSchemaError) {
        switch type {
        case .int(let bits, _) where ![8, 16, 32, 64].contains(bits):
            throw .unsupportedType(column: path.joined(separator: "."), reason: "integer bit width \(bits)")
        case .fixedLenByteArray(let length) where length < 1 || length > Int(Int32.max):
            throw .unsupportedType(column: path.joined(separator: "."), reason: "fixed length \(length)")
        default:
            return
        }
    }

    /// The flattened `SchemaElement` list of the footer (root first, depth first).
    var schemaElements: [SchemaElementMetadata] {
        var elements = [SchemaElementMetadata(name: name, numChildren: Int32(fields.count))]
        func leaf(_ name: String, _ type: ParquetColumnType, _ repetition: RepetitionType) -> SchemaElementMetadata {
            var typeLength: Int32?
            if case .fixedLenByteArray(let n) = type { typeLength = Int32(n) }
            return SchemaElementMetadata(
                name: name, physicalType: type.physicalType, typeLength: typeLength, repetition: repetition,
                convertedType: type.convertedType, logicalType: type.logicalType)
        }
        func repetition(_ nullable: Bool) -> RepetitionType { nullable ? .optional : .required }
        func append(_ field: ParquetField) {
            switch field.kind {
            case .column(let type):
                elements.append(leaf(field.name, type, repetition(field.nullable)))
            case .list(let type, let elementsNullable):
                elements.append(SchemaElementMetadata(
                    name: field.name, repetition: repetition(field.nullable), numChildren: 1,
                    convertedType: .list, logicalType: .list))
                elements.append(SchemaElementMetadata(name: "list", repetition: .repeated, numChildren: 1))
                elements.append(leaf("element", type, repetition(elementsNullable)))
            case .group(let children):
                elements.append(SchemaElementMetadata(
                    name: field.name, repetition: repetition(field.nullable), numChildren: Int32(children.count)))
                for child in children { append(child) }
            }
        }
        for field in fields { append(field) }
        return elements
    }
}

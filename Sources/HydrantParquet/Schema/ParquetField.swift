/// One field of a schema: a leaf column, a struct group of leaves and lists, or a list of primitives.
///
/// Groups nest one level deep (the shape of ECS names such as `source.ip`); lists use the standard three-level
/// layout `<nullable> group name (LIST) { repeated group list { <elementsNullable> element } }`.
public struct ParquetField: Sendable, Hashable {
    /// What the field holds.
    public enum Kind: Sendable, Hashable {
        /// A primitive leaf.
        case column(ParquetColumnType)
        /// A struct of leaves and lists.
        case group([ParquetField])
        /// A list of primitives; `elementsNullable` says whether elements may be null.
        case list(ParquetColumnType, elementsNullable: Bool)
    }

    /// The field name (any UTF-8, unique among its siblings).
    public var name: String
    /// Whether the field may be null (OPTIONAL) or must be present (REQUIRED).
    public var nullable: Bool
    /// What the field holds.
    public var kind: Kind

    /// A field of any kind.
    public init(name: String, nullable: Bool, kind: Kind) {
        self.name = name
        self.nullable = nullable
        self.kind = kind
    }

    /// A primitive column.
    public static func column(_ name: String, _ type: ParquetColumnType, nullable: Bool = true) -> ParquetField {
        ParquetField(name: name, nullable: nullable, kind: .column(type))
    }

    /// A struct group of `fields`.
    public static func group(_ name: String, nullable: Bool = false, _ fields: [ParquetField]) -> ParquetField {
        ParquetField(name: name, nullable: nullable, kind: .group(fields))
    }

    /// A list of `element` values.
    public static func list(
        _ name: String, of element: ParquetColumnType, nullable: Bool = true, elementsNullable: Bool = true
    ) -> ParquetField {
        ParquetField(name: name, nullable: nullable, kind: .list(element, elementsNullable: elementsNullable))
    }
}

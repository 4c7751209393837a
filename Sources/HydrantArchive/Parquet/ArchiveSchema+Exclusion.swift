/// Tables with fewer columns (`parquet.exclude_columns`): a stream may store a generated table without some of its
/// columns, as a Firehose stream stores only its Glue table's columns.
extension ArchiveSchema {
    /// The name a reader sees for `column`: `network.vlan_id` for `network.vlan.id` (struct `network`, leaf
    /// `vlan_id`), the name itself for a top-level column such as `@timestamp`.
    public static func readerName(of column: ArchiveColumn) -> String {
        let (top, leaf) = column.parquetPlacement
        guard let leaf else { return top }
        return top + "." + leaf
    }

    /// The index in `columns` of the column called `name`, by its dotted ECS name (`network.vlan.id`) or by the
    /// name readers see (`network.vlan_id`); nil when the table has no such column.
    public func columnIndex(named name: String) -> Int? {
        if let index = columns.firstIndex(where: { $0.name == name }) { return index }
        return columns.firstIndex { Self.readerName(of: $0) == name }
    }

    /// This table without the columns `names` (ECS or reader names, see `columnIndex(named:)`). Struct groups left
    /// without leaves disappear; the other columns keep their order and their layout. Records keep passing through
    /// the same checks for the remaining columns; excluded members are skipped like any member the table lacks.
    ///
    /// Throws for a name the table does not have, a column named twice, or a list that leaves no column.
    public func excluding(_ names: [String]) throws(ArchiveSchemaError) -> ArchiveSchema {
        guard !names.isEmpty else { return self }
        var excluded = Array(repeating: false, count: columns.count)
        for name in names {
            guard let index = columnIndex(named: name) else { throw .unknownColumn(table: self.name, column: name) }
            guard !excluded[index] else { throw .excludedTwice(table: self.name, column: columns[index].name) }
            excluded[index] = true
        }
        let kept = columns.indices.filter { !excluded[$0] }.map { columns[$0] }
        guard !kept.isEmpty else { throw .allColumnsExcluded(table: self.name) }
        var reduced = try ArchiveSchema(name: self.name, columns: kept)
        reduced.excludedColumns = excludedColumns + columns.indices.filter { excluded[$0] }.map { columns[$0].name }
        return reduced
    }
}

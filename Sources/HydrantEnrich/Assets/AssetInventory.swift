import HydrantRecords

/// The asset inventory: address blocks (CIDRs or single addresses) mapped to assets, the most specific block
/// winning. Loaded from CSV or a YAML list (see `AssetFileParser`); immutable, reloaded whole.
public final class AssetInventory: Sendable {
    private let table: PrefixTable<Asset>
    /// Each asset's `"asset":{…}` member, encoded once at load time (parallel to the table's values).
    let members: [[UInt8]]

    /// An inventory of `entries`; of two identical blocks the later one wins.
    public init(entries: [(prefix: IPPrefix, asset: Asset)]) {
        table = PrefixTable(entries.map { ($0.prefix, $0.asset) })
        members = entries.map(\.asset.jsonMember)
    }

    /// Loads `path`: CSV when it ends in `.csv`, YAML when it ends in `.yaml` or `.yml`.
    public convenience init(contentsOf path: String) throws(EnrichError) {
        self.init(entries: try AssetFileParser.parse(path: path))
    }

    /// The asset of the most specific block holding `address`, or nil.
    public func lookup(_ address: IPAddress) -> Asset? { table.lookup(address) }

    /// The index of that asset's encoded member, or nil.
    @inline(__always)
    func memberIndex(_ address: IPAddress) -> Int? { table.index(of: address) }

    /// The number of entries.
    public var count: Int { table.count }
}

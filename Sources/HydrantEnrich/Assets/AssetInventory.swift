import HydrantRecords

/// The asset inventory: address blocks (CIDRs or single addresses) mapped to assets, the most specific block
/// winning. Loaded from CSV or a YAML list (see `AssetFileParser`); immutable, reloaded whole.
///
/// `@unchecked Sendable`: the encoded members live in a buffer written once in `init` and only read after.
public final class AssetInventory: @unchecked Sendable {
    private let table: PrefixTable<Asset>
    /// Every asset's `"asset":{…}` member, encoded once at load time, back to back, so that the enricher splices
    /// one in with one copy and no reference counting.
    private let memberBytes: JSONLineBuffer
    /// Where entry `i`'s member ends in `memberBytes` (it starts where entry `i - 1`'s ends).
    private let memberEnds: [Int]

    /// An inventory of `entries`; of two identical blocks the later one wins.
    public init(entries: [(prefix: IPPrefix, asset: Asset)]) {
        table = PrefixTable(entries.map { ($0.prefix, $0.asset) })
        let bytes = JSONLineBuffer(capacity: entries.count * 64)
        var ends: [Int] = []
        ends.reserveCapacity(entries.count)
        for entry in entries {
            entry.asset.jsonMember.withUnsafeBytes { bytes.append($0) }
            ends.append(bytes.count)
        }
        memberBytes = bytes
        memberEnds = ends
    }

    /// Entry `index`'s encoded member; valid while the inventory is.
    @inline(__always)
    func member(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : memberEnds[index - 1]
        return memberBytes.unsafeBytes(at: start, count: memberEnds[index] - start).assumingMemoryBound(to: UInt8.self)
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

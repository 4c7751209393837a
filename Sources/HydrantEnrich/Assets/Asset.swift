import HydrantRecords

/// One entry of the asset inventory: what a block of addresses is, where, whose, and how much it matters.
public struct Asset: Hashable, Sendable {
    /// The asset's name (`payroll-db-1`).
    public var name: String?
    /// The network zone (`dmz`, `datacenter`).
    public var zone: String?
    /// Who owns it (`finance`).
    public var owner: String?
    /// How critical it is (`high`); free text, as the inventory writes it.
    public var criticality: String?

    /// An asset with the given fields.
    public init(name: String? = nil, zone: String? = nil, owner: String? = nil, criticality: String? = nil) {
        self.name = name
        self.zone = zone
        self.owner = owner
        self.criticality = criticality
    }

    /// The `"asset":{…}` member written into `source`/`destination`, fields that are nil left out.
    var jsonMember: [UInt8] {
        var out: [UInt8] = Array(#""asset":{"#.utf8)
        var first = true
        for (key, value) in [("name", name), ("zone", zone), ("owner", owner), ("criticality", criticality)] {
            guard let value else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(contentsOf: "\"\(key)\":".utf8)
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

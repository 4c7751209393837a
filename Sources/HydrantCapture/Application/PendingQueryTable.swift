/// The DNS queries waiting for their responses, by connection and transaction id: an `OpenAddressedTable`, as
/// `SessionTable` is for TCP sessions.
///
/// Every DNS message looks its query up here (a query to see whether it is a retransmission and to insert it, a
/// response to take its query out). A `Dictionary` hashed the key's seven fields with SipHash on each of those
/// lookups (about 270 instructions a lookup, 490 a removal); here the key is hashed once per message by the flow
/// key's own multiply-fold hash, with a seed of the table's own, so crafted queries cannot aim at one probe run. The
/// caller bounds how many entries it keeps (`maxPendingQueries`).
struct PendingQueryTable<Value> {
    /// A query's identity: the connection (the same key both ways) and the transaction id.
    struct Key: Equatable {
        /// The connection's flow key.
        var flow: FlowKey
        /// The transaction id.
        var id: UInt16
    }

    private var table = OpenAddressedTable<Key, Value>(buckets: 64)
    private let seed: UInt64

    /// An empty table hashing with `seed` (random unless a test fixes it).
    init(seed: UInt64 = UInt64.random(in: .min ... .max)) {
        self.seed = seed
    }

    /// Entries held.
    var count: Int { table.count }

    /// The values, dense, in slot order: insertion order but for removals, which move the last entry into the hole.
    var values: [Value] { table.values }

    /// The hash `key` is found by.
    @inline(__always)
    func hash(_ key: Key) -> UInt64 {
        key.flow.hash(seed: seed ^ UInt64(key.id) &* 0x9e37_79b9_7f4a_7c15)
    }

    /// The slot of `key` (whose hash is `hash`), if held.
    @inline(__always)
    func slot(of key: Key, hash: UInt64) -> Int? { table.slot(of: key, hash: hash) }

    /// The value in `slot`, read or changed in place (a field read without copying the whole value out).
    subscript(slot: Int) -> Value {
        _read { yield table[slot] }
        _modify { yield &table[slot] }
    }

    /// Adds `value` under `key` (hash `hash`), which is not held; returns its slot.
    @discardableResult
    mutating func insert(_ value: consuming Value, key: Key, hash: UInt64) -> Int {
        table.insert(value, key: key, hash: hash)
    }

    /// Takes the value of `key` (hash `hash`) out, if held.
    mutating func remove(_ key: Key, hash: UInt64) -> Value? { table.remove(key, hash: hash) }

    /// Forgets every entry.
    mutating func removeAll() { table.removeAll() }
}

/// The TCP connections the application parsers follow, by flow key: an `OpenAddressedTable` of sessions.
///
/// Every TCP packet with payload or a SYN, FIN or RST looks its connection up here, so the lookup is the flow
/// key's own mixing hash and, in the common case, one bucket (which holds 32 bits of the hash, so other keys are
/// passed over without touching them) and one key compare, rather than `Dictionary`'s seeded SipHash.
struct SessionTable {
    private var table = OpenAddressedTable<FlowKey, TCPSession>(buckets: 1024)

    /// An empty table.
    init() {}

    /// Sessions held.
    var count: Int { table.count }

    /// Whether no session is held.
    var isEmpty: Bool { table.count == 0 }

    /// The sessions, dense, in slot order.
    var sessions: [TCPSession] { table.values }

    /// The session of `key`, if followed.
    @inline(__always)
    func session(_ key: FlowKey, hash: UInt64) -> TCPSession? {
        table.slot(of: key, hash: hash).map { table[$0] }
    }

    /// The session of `key`, if followed, not retained: valid while the table holds it (until it is removed or the
    /// table is emptied).
    @inline(__always)
    func unretainedSession(_ key: FlowKey, hash: UInt64) -> Unmanaged<TCPSession>? {
        guard let slot = table.slot(of: key, hash: hash) else { return nil }
        return table.values.withUnsafeBufferPointer { Unmanaged.passUnretained($0[slot]) }
    }

    /// Adds `session` under `key`, which is not in the table.
    mutating func insert(_ session: TCPSession, key: FlowKey, hash: UInt64) {
        table.insert(session, key: key, hash: hash)
    }

    /// Removes the session of `key`, if held.
    mutating func remove(_ key: FlowKey, hash: UInt64) {
        table.remove(key, hash: hash)
    }

    /// Every key with its session.
    var entries: [(key: FlowKey, session: TCPSession)] {
        (0..<table.count).map { (table.keys[$0], table.values[$0]) }
    }

    /// Forgets every session.
    mutating func removeAll() { table.removeAll() }
}

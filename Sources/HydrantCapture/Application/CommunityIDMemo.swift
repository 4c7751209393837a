/// The Community IDs the DNS parser made lately, by flow key, so that a second query on one conversation (a client
/// asking for A and then AAAA from the same port) takes its ID instead of hashing the same endpoints again.
///
/// A fixed table with one entry per slot, the slot taken from the key's hash: a key that finds its slot held by
/// another simply makes its ID and takes the slot. Memory is fixed whatever the traffic, and a crafted stream of
/// keys can at worst make every query hash, as it did without the memo. The ID depends only on the two endpoints,
/// the protocol and the ports (not on direction), and equal flow keys have equal endpoints, protocol and ports, so a
/// remembered ID is the one the hash would give.
struct CommunityIDMemo {
    /// Slots; a power of two.
    private static let capacity = 1024
    private var keys: [FlowKey]
    private var ids: [String?]

    /// An empty memo.
    init() {
        keys = Array(repeating: FlowKey(aHigh: 0, aLow: 0, bHigh: 0, bLow: 0, portsAndVLANs: 0, protocolAndFlags: 0),
                     count: CommunityIDMemo.capacity)
        ids = Array(repeating: nil, count: CommunityIDMemo.capacity)
    }

    /// The ID of the flow `key` (whose hash is `hash`): the remembered one, or `make()`'s, remembered.
    @inline(__always)
    mutating func id(of key: FlowKey, hash: UInt64, make: () -> String) -> String {
        let slot = Int(truncatingIfNeeded: hash >> 32) & (CommunityIDMemo.capacity - 1)
        if let known = ids[slot], keys[slot] == key { return known }
        let made = make()
        keys[slot] = key
        ids[slot] = made
        return made
    }
}

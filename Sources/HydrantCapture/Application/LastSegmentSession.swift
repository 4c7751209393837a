import HydrantRecords

/// The connections of the last few TCP segments the parsers looked up, each with its flow key, the key's hash and its
/// session, so that a segment of one of them (either direction) skips making the key, hashing it and probing the
/// session table.
///
/// Segments come in runs: of the 592,000 segments the parsers look at in the benchmark capture, half belong to the
/// same connection as the one before and 70% to one of the last four connections (a bulk transfer's data and its
/// acknowledgements, interleaved with a few others), most of them connections the parsers are done with, which cost
/// nothing past the lookup. A segment matches an entry when its addresses, ports and VLAN ids are the entry's, as sent
/// or swapped: those are all `FlowKey.make` reads of a TCP segment, so the key is the one it would make, and a swapped
/// segment's source is the other endpoint. A connection found in the table replaces the entries in turn.
///
/// Sessions are held unretained: whoever removes a session from the table calls `forget(_:hash:)` first (or
/// `forgetAll()` when emptying it). Not thread-safe: one per analyzer.
final class LastSegmentSession {
    /// One remembered connection.
    private struct Entry {
        var source = IPAddress(ipv4: 0)
        var destination = IPAddress(ipv4: 0)
        /// Source port (high 16 bits) and destination port of the segment remembered.
        var ports: UInt32 = 0
        /// `LastSegmentSession.vlans(of:)` of that segment.
        var vlans: UInt64 = 0
        var sourceIsA = false
        /// Nil for an empty entry.
        var session: Unmanaged<TCPSession>?
        var key = FlowKey(aHigh: 0, aLow: 0, bHigh: 0, bLow: 0, portsAndVLANs: 0, protocolAndFlags: 0)
        var hash: UInt64 = 0
    }

    /// Entries kept (a power of two).
    static let count = 4
    private let entries: UnsafeMutablePointer<Entry>
    /// The entry the next connection found in the table replaces.
    private var next = 0

    /// No connection remembered.
    init() {
        entries = .allocate(capacity: LastSegmentSession.count)
        entries.initialize(repeating: Entry(), count: LastSegmentSession.count)
    }

    deinit {
        entries.deinitialize(count: LastSegmentSession.count)
        entries.deallocate()
    }

    /// The entry of the remembered connection the TCP segment at `packet` belongs to, and whether the segment's source
    /// is the key's endpoint A; nil when it belongs to none.
    @inline(__always)
    func match(_ packet: UnsafePointer<DecodedPacket>) -> (entry: Int, sourceIsA: Bool)? {
        let ports = UInt32(packet.pointee.sourcePort) << 16 | UInt32(packet.pointee.destinationPort)
        let swapped = ports << 16 | ports >> 16
        let vlans = LastSegmentSession.vlans(of: packet)
        // Newest first: most matches are of the connection just before. The ports rule out most other entries.
        var index = next
        for _ in 0..<LastSegmentSession.count {
            index = (index &- 1) & (LastSegmentSession.count - 1)
            let entry = entries + index
            let kept = entry.pointee.ports
            guard kept == ports || kept == swapped, entry.pointee.session != nil, entry.pointee.vlans == vlans else {
                continue
            }
            // Sent the same way first: a segment from an address and port to themselves matches both ways, and the
            // key then says its source is A whichever way it goes.
            if kept == ports, LastSegmentSession.same(packet.pointee.source, entry.pointee.source),
               LastSegmentSession.same(packet.pointee.destination, entry.pointee.destination) {
                return (index, entry.pointee.sourceIsA)
            }
            if kept == swapped, LastSegmentSession.same(packet.pointee.source, entry.pointee.destination),
               LastSegmentSession.same(packet.pointee.destination, entry.pointee.source) {
                return (index, !entry.pointee.sourceIsA)
            }
        }
        return nil
    }

    /// The session of entry `index` (from `match`).
    @inline(__always)
    func session(_ index: Int) -> Unmanaged<TCPSession>? { entries[index].session }

    /// The flow key of entry `index`.
    @inline(__always)
    func key(_ index: Int) -> FlowKey { entries[index].key }

    /// The hash of entry `index`'s key.
    @inline(__always)
    func hash(_ index: Int) -> UInt64 { entries[index].hash }

    /// Remembers the TCP segment at `packet`, its key (`FlowKey.make`'s), the key's hash and its session, which the
    /// table holds, in place of the oldest entry. A segment between addresses of two families is not remembered: its
    /// key takes the family of its source, so it and its swapped twin have different keys.
    @inline(__always)
    func remember(_ packet: UnsafePointer<DecodedPacket>, key: FlowKey, hash: UInt64, sourceIsA: Bool,
                  session: Unmanaged<TCPSession>) {
        guard packet.pointee.source.isIPv6 == packet.pointee.destination.isIPv6 else { return }
        let entry = entries + next
        next = (next + 1) & (LastSegmentSession.count - 1)
        entry.pointee.source = packet.pointee.source
        entry.pointee.destination = packet.pointee.destination
        entry.pointee.ports = UInt32(packet.pointee.sourcePort) << 16 | UInt32(packet.pointee.destinationPort)
        entry.pointee.vlans = LastSegmentSession.vlans(of: packet)
        entry.pointee.sourceIsA = sourceIsA
        entry.pointee.key = key
        entry.pointee.hash = hash
        entry.pointee.session = session
    }

    /// Forgets the connection of `key` (whose hash is `hash`), if remembered: its session is about to leave the table.
    func forget(_ key: FlowKey, hash: UInt64) {
        for index in 0..<LastSegmentSession.count where entries[index].hash == hash && entries[index].key == key {
            entries[index].session = nil
        }
    }

    /// Forgets every connection (the table is about to be emptied).
    func forgetAll() {
        for index in 0..<LastSegmentSession.count { entries[index].session = nil }
    }

    /// The segment's VLAN ids as one word, with whether each is present.
    @inline(__always)
    private static func vlans(of packet: UnsafePointer<DecodedPacket>) -> UInt64 {
        var vlans: UInt64 = 0
        if let outer = packet.pointee.vlanID { vlans |= 0x1_0000 | UInt64(outer) }
        if let inner = packet.pointee.innerVLANID { vlans |= (0x1_0000 | UInt64(inner)) << 32 }
        return vlans
    }

    /// Field by field: `IPAddress`'s `==` is another module's, which the compiler may call rather than inline.
    @inline(__always)
    private static func same(_ lhs: IPAddress, _ rhs: IPAddress) -> Bool {
        lhs.low == rhs.low && lhs.high == rhs.high && lhs.isIPv6 == rhs.isIPv6
    }
}

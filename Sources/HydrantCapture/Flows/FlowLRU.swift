/// The timeout classes of flows; each has its own LRU list, so that the list's head is its next flow to expire.
enum FlowList: UInt8, CaseIterable {
    /// TCP with both sides past the handshake: `tcpEstablishedTimeout`.
    case tcpEstablished
    /// TCP not answered or mid-handshake: `tcpHalfOpenTimeout`.
    case tcpHalfOpen
    /// UDP: `udpTimeout`.
    case udp
    /// ICMP, ICMPv6 and every other protocol: `icmpTimeout`.
    case other
    /// Completed TCP conversations lingering before they are emitted: `tcpCloseDelay`.
    case closed

    /// Number of lists.
    static let count = 5
}

/// Intrusive doubly-linked LRU lists over the flow slots, one per ``FlowList``.
///
/// A flow moves to the tail of its list on every packet; since a flow's activity time is the packet watermark,
/// each list stays ordered by last activity, so expiry only ever looks at heads and eviction takes the oldest head.
struct FlowLRU {
    private var heads: (Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1)
    private var tails: (Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1)

    /// The oldest flow on a list, or -1.
    @inline(__always)
    func head(_ list: Int) -> Int32 {
        withUnsafeBytes(of: heads) { $0.load(fromByteOffset: list * 4, as: Int32.self) }
    }

    @inline(__always)
    private func tail(_ list: Int) -> Int32 {
        withUnsafeBytes(of: tails) { $0.load(fromByteOffset: list * 4, as: Int32.self) }
    }

    @inline(__always)
    private mutating func setHead(_ list: Int, _ slot: Int32) {
        withUnsafeMutableBytes(of: &heads) { $0.storeBytes(of: slot, toByteOffset: list * 4, as: Int32.self) }
    }

    @inline(__always)
    private mutating func setTail(_ list: Int, _ slot: Int32) {
        withUnsafeMutableBytes(of: &tails) { $0.storeBytes(of: slot, toByteOffset: list * 4, as: Int32.self) }
    }

    /// Appends a flow that is on no list to the tail of `list`; returns whether the list was empty before.
    @inline(__always) @discardableResult
    mutating func append(_ slot: Int32, to list: Int, in entries: UnsafeMutablePointer<FlowEntry>) -> Bool {
        let last = tail(list)
        entries[Int(slot)].list = UInt8(list)
        entries[Int(slot)].lruPrev = last
        entries[Int(slot)].lruNext = -1
        if last < 0 {
            setHead(list, slot)
        } else {
            entries[Int(last)].lruNext = slot
        }
        setTail(list, slot)
        return last < 0
    }

    /// Takes a flow off its list.
    @inline(__always)
    mutating func unlink(_ slot: Int32, in entries: UnsafeMutablePointer<FlowEntry>) {
        let list = Int(entries[Int(slot)].list)
        let prev = entries[Int(slot)].lruPrev
        let next = entries[Int(slot)].lruNext
        if prev < 0 { setHead(list, next) } else { entries[Int(prev)].lruNext = next }
        if next < 0 { setTail(list, prev) } else { entries[Int(next)].lruPrev = prev }
        entries[Int(slot)].lruPrev = -1
        entries[Int(slot)].lruNext = -1
    }

    /// Moves a flow to the tail of `list` (its own or another); returns whether `list` was empty before.
    @inline(__always) @discardableResult
    mutating func moveToTail(_ slot: Int32, list: Int, in entries: UnsafeMutablePointer<FlowEntry>) -> Bool {
        if Int(entries[Int(slot)].list) == list && tail(list) == slot { return false }
        unlink(slot, in: entries)
        return append(slot, to: list, in: entries)
    }

    /// The list whose head was least recently active, and that head; nil when every list is empty.
    func oldestHead(in entries: UnsafeMutablePointer<FlowEntry>) -> (list: Int, slot: Int32)? {
        var best: (list: Int, slot: Int32)?
        var bestTime = Int64.max
        for list in 0..<FlowList.count {
            let slot = head(list)
            guard slot >= 0 else { continue }
            let time = entries[Int(slot)].end
            if best == nil || time < bestTime {
                best = (list, slot)
                bestTime = time
            }
        }
        return best
    }
}

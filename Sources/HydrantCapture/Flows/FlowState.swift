/// One tracked flow: its key, counters of the current reporting interval, per-direction protocol state, the
/// history letters so far, and its links in the table's LRU lists.
///
/// Plain integers and fixed-size tuples only, so a table of them is one flat allocation without references, and
/// updating a flow per packet allocates nothing.
///
/// Layout (checked by `FlowMemoryTests`): `MemoryLayout<FlowEntry>.stride` is 168 bytes (key 42, ICMP type/code,
/// flags, list and application protocol 5, padding 1, history 24, two endpoints 24 each, packets 8, times 16,
/// bytes 16, LRU links 8). With the hash index
/// (8-byte buckets, at most 3/4 full, about 11–21 bytes a flow) a tracked flow costs under 190 bytes.
struct FlowEntry {
    /// Canonical endpoints, protocol and VLANs.
    var key: FlowKey
    /// ICMP/ICMPv6 type of the first packet.
    var icmpType: UInt8
    /// ICMP/ICMPv6 code of the first packet.
    var icmpCode: UInt8
    /// ``FlowEntry/Flag`` bits.
    var flags: UInt8
    /// The LRU list (``FlowList``) the flow is on.
    var list: UInt8
    /// The ``ApplicationProtocol`` recognised on the flow (it fits in what was padding before the history).
    var application: UInt8
    /// Zeek history letters, in order.
    var history: FlowHistory
    /// The initiator's protocol state.
    var orig: FlowEndpoint
    /// The responder's protocol state.
    var resp: FlowEndpoint
    /// Packets the initiator sent in the current interval.
    var origPackets: UInt32
    /// Packets the responder sent in the current interval.
    var respPackets: UInt32
    /// First packet of the current interval (the flow's first packet until an interim update), in nanoseconds.
    var start: Int64
    /// Last packet so far, in nanoseconds (never before `start`; see `FlowTable` on time going backwards).
    var end: Int64
    /// IP-level bytes the initiator sent in the current interval.
    var origBytes: UInt64
    /// IP-level bytes the responder sent in the current interval.
    var respBytes: UInt64
    /// Previous flow on the same LRU list, or -1. Reused as the free-list link of an empty slot.
    var lruPrev: Int32
    /// Next flow on the same LRU list, or -1.
    var lruNext: Int32

    /// Bits of `flags`.
    enum Flag {
        /// The initiator is the key's endpoint A.
        static let initiatorIsA: UInt8 = 0x01
        /// The TCP conversation completed (FINs both ways, or a RST); the flow lingers before it is emitted.
        static let closed: UInt8 = 0x02
    }

    /// A fresh flow whose first packet is at `time`.
    init(key: FlowKey, initiatorIsA: Bool, time: Int64) {
        self.key = key
        icmpType = 0
        icmpCode = 0
        flags = initiatorIsA ? Flag.initiatorIsA : 0
        list = 0
        application = 0
        history = FlowHistory()
        orig = FlowEndpoint()
        resp = FlowEndpoint()
        origPackets = 0
        respPackets = 0
        start = time
        end = time
        origBytes = 0
        respBytes = 0
        lruPrev = -1
        lruNext = -1
    }

    /// Whether the key's endpoint A is the initiator.
    var initiatorIsA: Bool { flags & Flag.initiatorIsA != 0 }

    /// Whether the conversation completed and the flow only lingers.
    var isClosed: Bool {
        get { flags & Flag.closed != 0 }
        set { flags = newValue ? flags | Flag.closed : flags & ~Flag.closed }
    }

    /// Clears the interval counters after an interim update; the next interval starts at `time`.
    mutating func startInterval(at time: Int64) {
        origPackets = 0
        respPackets = 0
        origBytes = 0
        respBytes = 0
        start = time
        end = time
    }
}

/// The per-direction state of a flow: the Zeek TCP endpoint state and what history letters it has recorded.
struct FlowEndpoint {
    /// Sequence number of the last SYN (Zeek `hist_last_SYN`), to repeat `S`/`H` only for a different one.
    var lastSYN: UInt32 = 0
    /// Sequence number just past the last FIN's data (Zeek `hist_last_FIN`).
    var lastFIN: UInt32 = 0
    /// Sequence number of the last RST (Zeek `hist_last_RST`).
    var lastRST: UInt32 = 0
    /// Highest sequence number sent so far (one past the segment), for retransmission detection.
    var highSequence: UInt32 = 0
    /// Retransmitted segments seen; `T` is recorded at 1, 10, 100, … (Zeek's logarithmic history).
    var retransmits: UInt32 = 0
    /// Zeek TCP endpoint state.
    var state: TCPEndpointState = .inactive
    /// The state before the last change (Zeek `prev_state`).
    var previousState: TCPEndpointState = .inactive
    /// ``HistoryBit`` letters already recorded from this direction.
    var seen: UInt8 = 0
    /// ``FlowEndpoint/Flag`` bits.
    var flags: UInt8 = 0

    /// Bits of `flags`.
    enum Flag {
        /// `highSequence` holds a value.
        static let sequenceKnown: UInt8 = 0x01
        /// The endpoint sent transport payload (outside RSTs): Zeek's non-zero endpoint size.
        static let sentPayload: UInt8 = 0x02
    }

    /// Moves to a new TCP state, remembering the old one.
    @inline(__always)
    mutating func setState(_ new: TCPEndpointState) {
        previousState = state
        state = new
    }
}

/// Zeek history letters of a flow, in the order they happened; holds up to 23 letters (more are dropped).
struct FlowHistory {
    /// Letters stored.
    private(set) var count: UInt8 = 0
    private var letters: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                          UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// How many letters fit.
    static let capacity = 23

    /// Appends a letter when there is room.
    @inline(__always)
    mutating func append(_ letter: UInt8) {
        guard Int(count) < FlowHistory.capacity else { return }
        let i = Int(count)
        withUnsafeMutableBytes(of: &letters) { $0[i] = letter }
        count += 1
    }

    /// The letters as text; nil when there are none.
    var string: String? {
        guard count > 0 else { return nil }
        return withUnsafeBytes(of: letters) { String(decoding: $0.prefix(Int(count)), as: UTF8.self) }
    }

    /// Calls `body` with the stored letters.
    func withLetters<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: letters) { body(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(count)))) }
    }
}

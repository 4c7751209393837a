import HydrantRecords

/// Timeouts and bounds of the flow table; all times are packet time.
public struct FlowTableConfiguration: Sendable {
    /// Inactive timeout of an established TCP flow (default 5 min).
    public var tcpEstablishedTimeout: Int64 = 300 * 1_000_000_000
    /// Inactive timeout of a half-open or not-yet-established TCP flow (default 30 s).
    public var tcpHalfOpenTimeout: Int64 = 30 * 1_000_000_000
    /// Inactive timeout of UDP flows (default 60 s).
    public var udpTimeout: Int64 = 60 * 1_000_000_000
    /// Inactive timeout of ICMP, ICMPv6 and other flows (default 60 s).
    public var icmpTimeout: Int64 = 60 * 1_000_000_000
    /// Interval of interim `flow_update` records for long flows (default 5 min); zero or less disables them.
    public var activeTimeout: Int64 = 300 * 1_000_000_000
    /// How long a completed TCP conversation (FINs both ways, or a RST) lingers after its last packet before it is
    /// emitted as `flow_end`, so that the final ACK and retransmissions join it instead of starting a new flow
    /// (default 5 s, Zeek's `tcp_close_delay`).
    public var tcpCloseDelay: Int64 = 5 * 1_000_000_000
    /// At most this many flows are tracked; past it the least recently active is emitted early.
    public var maxFlows: Int = 1_000_000
    /// Written to `observer.name` of every record.
    public var observerName: String?

    /// The defaults.
    public init() {}
}

/// Counters of the flow table.
public struct FlowStatistics: Sendable, Equatable {
    /// Flows created.
    public var created: Int = 0
    /// Records emitted (including interim updates).
    public var emitted: Int = 0
    /// Flows emitted early because the table was full.
    public var evicted: Int = 0

    /// Creates empty counters.
    public init() {}
}

/// Bidirectional flows keyed by 5-tuple and VLAN, with Zeek-compatible state and packet-time timeouts.
///
/// **Keys and roles.** A flow is keyed by both endpoints (in canonical order), the IP protocol and the outer and
/// inner VLAN ids, so both directions land in one flow. ICMP and ICMPv6 use Community ID's port equivalents, so an
/// echo request and its reply (and the other request/reply pairs) share a flow. The initiator (`source.*`) is the
/// sender of the flow's first packet — except when that packet is a TCP SYN+ACK: its sender is the responder, and
/// the history starts with `^` (Zeek's flipped-roles mark).
///
/// **Records.** Each record carries IP-level bytes and packets per direction, `conn_state` and `history`
/// (see ``FlowEntry`` in `ConnState.swift` for the Zeek rules followed), Community ID v1 (seed 0, base64),
/// the first packet's ICMP type and code, and `observer.name`. Strings are built only when a record is emitted, but
/// for a Community ID that the application parsers already made for a packet of the flow
/// (``add(_:communityID:into:)``): it depends only on the addresses, protocol and ports, so it is the flow's own.
///
/// **Interim updates (`flow_update`).** Counters are NetFlow-style per-interval deltas: when a packet arrives
/// `activeTimeout` or more after the current interval began, the interval so far is emitted as `flow_update`
/// (its `event.start`/`event.end` are the first and last packet of the interval) and the new packet opens the next
/// interval. The final record (`flow_end`, `flow_timeout`, `flow_evicted`, `flow_shutdown`) covers only the last
/// interval, so the flow's totals are the sums over its records. `conn_state` and `history` are always
/// cumulative since the flow began. An update is also emitted early if a packet counter would overflow 32 bits.
///
/// **Ending.** A TCP conversation is complete when both sides sent a FIN, either sent a RST, or one side sent a
/// FIN while the other never sent anything (Zeek's close rule). It then lingers for `tcpCloseDelay` after its
/// last packet — late ACKs and retransmissions are counted into it and extend the linger — and is emitted as
/// `flow_end`. A pure SYN on a lingering flow's key ends it at once and starts a new flow. Otherwise a flow is
/// emitted as `flow_timeout` when no packet arrived within the inactive timeout of its class (TCP established,
/// TCP half-open — not answered, or mid-handshake —, UDP, ICMP and other), as `flow_evicted` when the table is
/// full (`maxFlows`) and it is the least recently active (a lingering completed flow chosen this way is emitted
/// as `flow_end` and is not counted as evicted), and as `flow_shutdown` on ``flush(into:)`` (lingering completed
/// flows as `flow_end`).
///
/// **Time.** All timeouts run on packet time. Two monotonic watermarks keep time going backwards harmless: the
/// packet watermark (the latest packet time seen) and the expiry clock (the later of it and the latest time given
/// to ``expire(upTo:into:)``). A packet older than the packet watermark counts as seen at the watermark, so the LRU
/// lists stay ordered, durations are never negative and no flow expires early; a packet that is only older than
/// the expiry clock (live capture, where `expire` runs on the wall clock) keeps its own time. Expiry looks only at
/// the heads of the per-class LRU lists, and only once the expiry clock passed the earliest head deadline, so it
/// costs nothing on most packets.
///
/// **Memory.** Flows live in one flat array of 168-byte entries indexed by slot (with a free list), beside 16 bytes
/// per slot for a Community ID handed over (whose string the flow's application records share), found through an
/// open-addressing index of 8-byte buckets: under 210 bytes per flow at most, and never more than `maxFlows`
/// flows, so a SYN flood evicts old flows instead of exhausting memory. `add` allocates nothing per packet
/// (storage grows by doubling up to `maxFlows`).
public final class FlowTable {
    /// The configuration in force.
    public let configuration: FlowTableConfiguration
    /// Counters so far.
    public private(set) var statistics = FlowStatistics()

    private var entries: UnsafeMutablePointer<FlowEntry>
    /// Beside each slot of `entries` (all `slotCapacity` initialized): the flow's Community ID when the parsers
    /// handed it over, so a record reuses it instead of hashing again. Kept apart so that entries stay plain
    /// integers, copied and moved without reference counting.
    private var knownCommunityIDs: UnsafeMutablePointer<String?>
    private var slotCapacity: Int
    private var slotsUsed = 0
    private var freeSlot: Int32 = -1
    private var index: FlowIndex
    private var lru = FlowLRU()
    private let maxFlows: Int
    /// The active timeout, or `Int64.max` when interim updates are off.
    private let activeTimeout: Int64
    private let hashSeed: UInt64
    private let communityID = CommunityID(seed: 0)
    /// Inactive timeout of each ``FlowList``, in nanoseconds.
    private let timeouts: (Int64, Int64, Int64, Int64, Int64)
    /// The latest packet time seen: the time of every packet that is not later.
    private var packetWatermark = Int64.min
    /// The later of the packet watermark and the latest time given to `expire`: flows time out against it.
    private var clock = Int64.min
    /// No list head expires before this time (a lower bound, so checking it is enough).
    private var nextDeadline = Int64.max

    /// Creates an empty table.
    public init(configuration: FlowTableConfiguration = FlowTableConfiguration()) {
        self.configuration = configuration
        maxFlows = min(max(configuration.maxFlows, 1), Int(Int32.max) - 1)
        activeTimeout = configuration.activeTimeout > 0 ? configuration.activeTimeout : .max
        slotCapacity = min(maxFlows, 1024)
        entries = .allocate(capacity: slotCapacity)
        knownCommunityIDs = .allocate(capacity: slotCapacity)
        knownCommunityIDs.initialize(repeating: nil, count: slotCapacity)
        index = FlowIndex(minimumCapacity: 2 * slotCapacity)
        hashSeed = UInt64.random(in: UInt64.min...UInt64.max)
        timeouts = (max(configuration.tcpEstablishedTimeout, 0), max(configuration.tcpHalfOpenTimeout, 0),
                    max(configuration.udpTimeout, 0), max(configuration.icmpTimeout, 0),
                    max(configuration.tcpCloseDelay, 0))
    }

    deinit {
        entries.deallocate()
        knownCommunityIDs.deinitialize(count: slotCapacity)
        knownCommunityIDs.deallocate()
        index.deallocate()
    }

    /// Flows currently tracked.
    public var count: Int { index.count }

    /// Accounts one decoded packet; records of flows that ended or timed out by its time are appended to `output`.
    public func add(_ packet: DecodedPacket, into output: inout [FlowRecord]) {
        _ = account(packet, into: &output)
    }

    /// `add(_:into:)` for a packet whose Community ID is already known (the parsers made it for a record of theirs):
    /// the flow's record takes it instead of computing it again. `communityID` must be the ID of the packet's
    /// endpoints, protocol and ports (seed 0, base64).
    public func add(_ packet: DecodedPacket, communityID: String, into output: inout [FlowRecord]) {
        let slot = account(packet, into: &output)
        knownCommunityIDs[Int(slot)] = communityID
    }

    /// Accounts one packet and returns the slot of its flow.
    @inline(__always)
    private func account(_ packet: DecodedPacket, into output: inout [FlowRecord]) -> Int32 {
        let time = packet.timestamp.nanoseconds
        if time > packetWatermark {
            packetWatermark = time
            if time > clock { clock = time }
        }
        if clock >= nextDeadline { expireDue(into: &output) }
        let now = packetWatermark

        let (key, sourceIsA) = FlowKey.make(packet)
        let hash = key.hash(seed: hashSeed)
        var slot = index.find(key, hash: hash, in: entries)
        let isTCP = packet.ianaNumber == 6
        if slot >= 0 {
            let entry = entries + Int(slot)
            if entry.pointee.isClosed {
                let control = packet.tcpFlags & (TCPFlags.syn | TCPFlags.ack | TCPFlags.rst | TCPFlags.fin)
                if isTCP && control == TCPFlags.syn {
                    emit(slot, action: .end, into: &output)
                    remove(slot, hash: hash)
                    slot = -1
                }
            } else if FlowTable.deadline(entry.pointee.start, plus: activeTimeout) <= now
                        || entry.pointee.origPackets == .max || entry.pointee.respPackets == .max {
                emit(slot, action: .update, into: &output)
                entry.pointee.startInterval(at: now)
            }
        }
        if slot < 0 {
            slot = create(key, hash: hash, sourceIsA: sourceIsA, packet: packet, time: now, into: &output)
        }

        let entry = entries + Int(slot)
        let fromOrig = sourceIsA == entry.pointee.initiatorIsA
        let bytes = UInt64(max(packet.ipLength, 0))
        if fromOrig {
            entry.pointee.origBytes &+= bytes
            entry.pointee.origPackets &+= 1
        } else {
            entry.pointee.respBytes &+= bytes
            entry.pointee.respPackets &+= 1
        }
        entry.pointee.end = now
        if packet.applicationProtocol != .none { entry.pointee.application = packet.applicationProtocol.rawValue }

        let list: FlowList
        switch packet.ianaNumber {
        case 6:
            entry.pointee.processTCP(flags: packet.tcpFlags, sequence: packet.tcpSequence,
                                     payloadLength: packet.payloadLength, fromOrig: fromOrig)
            if entry.pointee.isClosed || entry.pointee.tcpCloseComplete {
                entry.pointee.isClosed = true
                list = .closed
            } else {
                list = entry.pointee.tcpIsHalfOpen ? .tcpHalfOpen : .tcpEstablished
            }
        case 17:
            entry.pointee.processUDP(fromOrig: fromOrig)
            list = .udp
        default:
            list = .other
        }
        if lru.moveToTail(slot, list: Int(list.rawValue), in: entries) {
            noteNewHead(list: Int(list.rawValue), time: now)
        }
        return slot
    }

    /// Emits every flow whose timeout passed by `now` (packet time).
    public func expire(upTo now: Timestamp, into output: inout [FlowRecord]) {
        if now.nanoseconds > clock { clock = now.nanoseconds }
        if clock >= nextDeadline { expireDue(into: &output) }
    }

    /// Emits every open flow as `flow_shutdown` (end of input) and empties the table.
    ///
    /// Flows are emitted least recently active first; completed flows still lingering are emitted as `flow_end`.
    public func flush(into output: inout [FlowRecord]) {
        while let head = lru.oldestHead(in: entries) {
            emit(head.slot, action: head.list == Int(FlowList.closed.rawValue) ? .end : .shutdown, into: &output)
            remove(head.slot, hash: entries[Int(head.slot)].key.hash(seed: hashSeed))
        }
        nextDeadline = .max
    }

    // MARK: - Internals

    /// Creates the flow for a packet that matched none; evicts the least recently active flow when full.
    private func create(_ key: FlowKey, hash: UInt64, sourceIsA: Bool, packet: DecodedPacket, time: Int64,
                        into output: inout [FlowRecord]) -> Int32 {
        if index.count >= maxFlows, let victim = lru.oldestHead(in: entries) {
            if victim.list == Int(FlowList.closed.rawValue) {
                emit(victim.slot, action: .end, into: &output)
            } else {
                emit(victim.slot, action: .evicted, into: &output)
                statistics.evicted += 1
            }
            remove(victim.slot, hash: entries[Int(victim.slot)].key.hash(seed: hashSeed))
        }

        let slot: Int32
        if freeSlot >= 0 {
            slot = freeSlot
            freeSlot = entries[Int(slot)].lruNext
        } else {
            if slotsUsed == slotCapacity { growSlots() }
            slot = Int32(slotsUsed)
            slotsUsed += 1
        }

        // A flow whose first packet is a SYN+ACK was started by the packet's receiver.
        let control = packet.tcpFlags & (TCPFlags.syn | TCPFlags.ack)
        let flipped = packet.ianaNumber == 6 && control == TCPFlags.syn | TCPFlags.ack
        var entry = FlowEntry(key: key, initiatorIsA: flipped ? !sourceIsA : sourceIsA, time: time)
        if flipped { entry.history.append(UInt8(ascii: "^")) }
        if key.isICMP {
            entry.icmpType = UInt8(truncatingIfNeeded: packet.sourcePort)
            entry.icmpCode = UInt8(truncatingIfNeeded: packet.destinationPort)
        }
        (entries + Int(slot)).initialize(to: entry)
        index.insert(hash: hash, slot: slot)
        statistics.created += 1
        // The caller moves the flow to the tail of its class list; start it on the list it will most likely keep.
        let list = packet.ianaNumber == 6 ? FlowList.tcpHalfOpen : packet.ianaNumber == 17 ? FlowList.udp : FlowList.other
        if lru.append(slot, to: Int(list.rawValue), in: entries) {
            noteNewHead(list: Int(list.rawValue), time: time)
        }
        return slot
    }

    /// Takes a flow out of the index and its list and frees its slot.
    private func remove(_ slot: Int32, hash: UInt64) {
        index.remove(hash: hash, slot: slot)
        lru.unlink(slot, in: entries)
        entries[Int(slot)].lruNext = freeSlot
        knownCommunityIDs[Int(slot)] = nil
        freeSlot = slot
    }

    private func growSlots() {
        let newCapacity = min(slotCapacity * 2, maxFlows)
        let grown = UnsafeMutablePointer<FlowEntry>.allocate(capacity: newCapacity)
        grown.moveInitialize(from: entries, count: slotsUsed)
        entries.deallocate()
        entries = grown
        let grownIDs = UnsafeMutablePointer<String?>.allocate(capacity: newCapacity)
        grownIDs.moveInitialize(from: knownCommunityIDs, count: slotCapacity)
        (grownIDs + slotCapacity).initialize(repeating: nil, count: newCapacity - slotCapacity)
        knownCommunityIDs.deallocate()
        knownCommunityIDs = grownIDs
        slotCapacity = newCapacity
    }

    @inline(__always)
    private func timeout(_ list: Int) -> Int64 {
        withUnsafeBytes(of: timeouts) { $0.load(fromByteOffset: list * 8, as: Int64.self) }
    }

    @inline(__always)
    private static func deadline(_ time: Int64, plus timeout: Int64) -> Int64 {
        let (sum, overflow) = time.addingReportingOverflow(timeout)
        return overflow ? .max : sum
    }

    /// A list that was empty got a head at `time`: its deadline may be the earliest.
    @inline(__always)
    private func noteNewHead(list: Int, time: Int64) {
        let deadline = FlowTable.deadline(time, plus: timeout(list))
        if deadline < nextDeadline { nextDeadline = deadline }
    }

    /// Emits every list head whose inactive timeout passed by the clock, then recomputes the next deadline.
    private func expireDue(into output: inout [FlowRecord]) {
        var earliest = Int64.max
        for list in 0..<FlowList.count {
            let limit = timeout(list)
            let action: FlowAction = list == Int(FlowList.closed.rawValue) ? .end : .timeout
            while true {
                let slot = lru.head(list)
                guard slot >= 0 else { break }
                let deadline = FlowTable.deadline(entries[Int(slot)].end, plus: limit)
                if deadline > clock {
                    earliest = min(earliest, deadline)
                    break
                }
                emit(slot, action: action, into: &output)
                remove(slot, hash: entries[Int(slot)].key.hash(seed: hashSeed))
            }
        }
        nextDeadline = earliest
    }

    /// Appends the record of a flow (its current interval) to `output`.
    private func emit(_ slot: Int32, action: FlowAction, into output: inout [FlowRecord]) {
        output.append(record(of: entries[Int(slot)], communityID: knownCommunityIDs[Int(slot)], action: action))
        statistics.emitted += 1
    }

    private func record(of entry: FlowEntry, communityID known: String?, action: FlowAction) -> FlowRecord {
        let key = entry.key
        let initiatorIsA = entry.initiatorIsA
        let source = initiatorIsA ? key.addressA : key.addressB
        let destination = initiatorIsA ? key.addressB : key.addressA
        var sourcePort: UInt16?
        var destinationPort: UInt16?
        var hashPorts: (UInt16, UInt16) = (0, 0)
        if key.isICMP {
            hashPorts = (UInt16(entry.icmpType), UInt16(entry.icmpCode))
        } else if key.hasPorts {
            sourcePort = initiatorIsA ? key.portA : key.portB
            destinationPort = initiatorIsA ? key.portB : key.portA
            hashPorts = (sourcePort ?? 0, destinationPort ?? 0)
        }
        var record = FlowRecord(start: Timestamp(nanoseconds: entry.start), end: Timestamp(nanoseconds: entry.end),
                                action: action, sourceIP: source, sourcePort: sourcePort,
                                destinationIP: destination, destinationPort: destinationPort,
                                ianaNumber: key.ianaNumber)
        record.observerName = configuration.observerName
        record.vlanID = key.vlanID
        record.innerVLANID = key.innerVLANID
        record.communityID = known ?? communityID.string(source: source, destination: destination,
                                                         ianaNumber: key.ianaNumber, sourcePort: hashPorts.0,
                                                         destinationPort: hashPorts.1, hasPorts: key.hasPorts)
        if key.isICMP {
            record.icmpType = entry.icmpType
            record.icmpCode = entry.icmpCode
        }
        record.sourceBytes = Int64(clamping: entry.origBytes)
        record.sourcePackets = Int64(entry.origPackets)
        record.destinationBytes = Int64(clamping: entry.respBytes)
        record.destinationPackets = Int64(entry.respPackets)
        record.state = entry.connState()
        record.history = entry.history.string
        record.applicationProtocol = ApplicationProtocol(rawValue: entry.application)?.name
        return record
    }
}

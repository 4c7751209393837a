import HydrantRecords

/// Identifies the datagram a fragment belongs to (RFC 791 section 3.2, RFC 8200 section 4.5), per VLAN so that
/// overlapping address plans on different VLANs stay apart.
struct FragmentKey: Hashable {
    var source: IPAddress
    var destination: IPAddress
    var identification: UInt32
    /// The IPv4 protocol field; 0 for IPv6, whose fragments may legitimately disagree on it (RFC 8200 4.5).
    var transportProtocol: UInt8
    var vlanID: UInt16?
    var innerVLANID: UInt16?
}

/// One fragment as the IP decoder found it.
struct Fragment {
    /// Offset of `data` in the reassembled datagram's payload.
    var offset: Int
    /// Whether more fragments follow.
    var moreFragments: Bool
    /// The fragment's data, all of it captured.
    var data: UnsafeRawBufferPointer
    /// IP header bytes in front of the data (IPv6: the unfragmentable part, without the fragment header).
    var headerLength: Int
    /// The transport protocol (IPv6: Next Header of the fragment header).
    var transportProtocol: UInt8
}

/// A datagram whose payload the table has just completed and copied out.
struct ReassembledDatagram {
    /// IP header bytes of the offset-zero fragment.
    var headerLength: Int
    /// Transport protocol of the offset-zero fragment.
    var transportProtocol: UInt8
    /// Bytes of payload written to the output buffer.
    var length: Int
}

/// What the table did with a fragment.
enum FragmentOutcome {
    /// Stored; the datagram is still incomplete.
    case held
    /// The datagram is complete and its payload is in the output buffer.
    case complete(ReassembledDatagram)
    /// Rejected.
    case error(DecodeError)
}

/// A datagram being put back together.
///
/// Fragment data arrives in 8-byte blocks (only the last fragment may end off a block boundary), so a bitmap of
/// received blocks answers both "is it complete" and "was this byte already written" in constant time per
/// block, whatever order or overlap the fragments come in.
struct PendingDatagram {
    /// Payload bytes, grown to the highest end seen so far.
    var data: [UInt8] = []
    /// One bit per 8-byte block of `data` that holds received bytes.
    var received: [UInt64] = []
    /// Number of set bits in `received`.
    var receivedBlocks = 0
    /// Highest end offset of any fragment so far.
    var highestEnd = 0
    /// Payload length, known once the last fragment arrived.
    var totalLength: Int?
    /// Header length of the offset-zero fragment, once it arrived.
    var headerLength: Int?
    /// Transport protocol of the offset-zero fragment.
    var transportProtocol: UInt8 = 0
    /// Packet time after which the datagram is abandoned.
    var deadline: Int64

    /// What adding one fragment did.
    enum Addition {
        case incomplete
        case complete
        case inconsistent
    }

    /// Adds a fragment's bytes where no earlier fragment wrote (the first data wins); sets `overlapped` when some
    /// were already there.
    ///
    /// `limit` caps the payload buffer's capacity, so that growth by doubling never overshoots the table's bound.
    mutating func add(_ fragment: Fragment, limit: Int, overlapped: inout Bool) -> Addition {
        let end = fragment.offset + fragment.data.count
        if fragment.moreFragments {
            if let total = totalLength, end > total { return .inconsistent }
        } else {
            if let total = totalLength, total != end { return .inconsistent }
            if highestEnd > end { return .inconsistent }
            totalLength = end
        }
        if end > data.capacity {
            // Doubling keeps many small increasing fragments linear; the cap keeps memory within the bound.
            data.reserveCapacity(min(max(end, data.capacity * 2), limit))
        }
        if end > data.count {
            data.append(contentsOf: repeatElement(0, count: end - data.count))
        }
        let blockEnd = (end + 7) / 8
        let wordsNeeded = (blockEnd + 63) / 64
        if wordsNeeded > received.count {
            received.append(contentsOf: repeatElement(0, count: wordsNeeded - received.count))
        }
        highestEnd = max(highestEnd, end)
        if fragment.offset == 0, headerLength == nil {
            headerLength = fragment.headerLength
            transportProtocol = fragment.transportProtocol
        }

        var block = fragment.offset / 8
        data.withUnsafeMutableBytes { destination in
            while block < blockEnd {
                let mask = UInt64(1) << UInt64(block & 63)
                if received[block >> 6] & mask != 0 {
                    overlapped = true
                } else {
                    received[block >> 6] |= mask
                    receivedBlocks += 1
                    let from = block * 8
                    let to = min(from + 8, end)
                    let source = UnsafeRawBufferPointer(rebasing: fragment.data[(from - fragment.offset)..<(to - fragment.offset)])
                    UnsafeMutableRawBufferPointer(rebasing: destination[from..<to]).copyMemory(from: source)
                }
                block += 1
            }
        }
        guard let total = totalLength, headerLength != nil, receivedBlocks == (total + 7) / 8 else { return .incomplete }
        return .complete
    }
}

/// The bounded table of datagrams in reassembly, with packet-time expiry.
struct FragmentTable {
    /// The bounds in force (already clamped).
    let configuration: PacketDecoderConfiguration
    /// Datagrams in flight.
    private(set) var pending: [FragmentKey: PendingDatagram] = [:]
    /// Earliest deadline of any pending datagram, so that the per-packet check is one comparison.
    private(set) var nextDeadline = Int64.max
    /// Keys to drop during a sweep; kept to reuse its storage.
    private var expiredKeys: [FragmentKey] = []

    /// An empty table.
    init(configuration: PacketDecoderConfiguration) {
        self.configuration = configuration
    }

    /// Adds `fragment` of the datagram `key` at packet time `now`; a completed payload is copied into `output`,
    /// which must hold `maximumDatagramLength` bytes.
    mutating func insert(_ fragment: Fragment, key: FragmentKey, now: Int64,
                         output: UnsafeMutableRawBufferPointer, overlapped: inout Bool) -> FragmentOutcome {
        let count = fragment.data.count
        // Only the last fragment may end off an 8-byte boundary; anything else cannot be laid out.
        guard count > 0, !fragment.moreFragments || count % 8 == 0,
              fragment.headerLength + fragment.offset + count <= configuration.maximumDatagramLength
        else { return .error(.badFragment) }

        if pending[key] == nil {
            guard pending.count < configuration.maximumDatagramsInFlight else { return .error(.fragmentTableFull) }
            let deadline = now &+ configuration.fragmentTimeout
            pending[key] = PendingDatagram(deadline: deadline)
            nextDeadline = min(nextDeadline, deadline)
        }
        let addition = pending[key]?.add(fragment, limit: configuration.maximumDatagramLength, overlapped: &overlapped) ?? .inconsistent
        switch addition {
        case .incomplete:
            return .held
        case .inconsistent:
            remove(key)
            return .error(.badFragment)
        case .complete:
            guard let datagram = pending[key], let headerLength = datagram.headerLength,
                  let total = datagram.totalLength,
                  headerLength + total <= configuration.maximumDatagramLength, total <= output.count
            else {
                remove(key)
                return .error(.badFragment)
            }
            datagram.data.withUnsafeBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: output[0..<total]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<total]))
            }
            remove(key)
            return .complete(ReassembledDatagram(headerLength: headerLength, transportProtocol: datagram.transportProtocol,
                                                 length: total))
        }
    }

    /// Discards every datagram whose deadline passed by `now`; returns how many.
    mutating func expire(upTo now: Int64) -> Int {
        guard now >= nextDeadline else { return 0 }
        expiredKeys.removeAll(keepingCapacity: true)
        var earliest = Int64.max
        for (key, datagram) in pending {
            if datagram.deadline <= now {
                expiredKeys.append(key)
            } else {
                earliest = min(earliest, datagram.deadline)
            }
        }
        for key in expiredKeys {
            pending.removeValue(forKey: key)
        }
        nextDeadline = earliest
        return expiredKeys.count
    }

    /// Drops one datagram; the deadline bound stays valid because it may only be early, never late.
    private mutating func remove(_ key: FragmentKey) {
        pending.removeValue(forKey: key)
        if pending.isEmpty { nextDeadline = .max }
    }
}

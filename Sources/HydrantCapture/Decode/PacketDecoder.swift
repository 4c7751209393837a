import HydrantRecords

/// Counters kept by the decoder, reported in the run's closing summary.
public struct DecodeStatistics: Sendable, Equatable {
    /// Frames that decoded to an IP packet handed on to the flow table.
    public var packets: Int = 0
    /// Frames that were not IP (ARP, LLDP, …) or of an undecoded link type.
    public var notIP: Int = 0
    /// IP packets whose transport is not TCP, UDP, SCTP, ICMP or ICMPv6 (still tracked as port-less flows).
    public var otherTransport: Int = 0
    /// Datagrams rebuilt from fragments.
    public var reassembled: Int = 0
    /// Frames skipped, by reason.
    public var errors: [DecodeError: Int] = [:]

    /// Creates empty counters.
    public init() {}

    /// All decode errors together.
    public var totalErrors: Int { errors.values.reduce(0, +) }
}

/// Decodes captured frames (link, IPv4/IPv6 with fragment reassembly, transport) without copying them.
///
/// STUB: replaced by the decoder work; the signature is the contract.
public struct PacketDecoder {
    /// The decoder's counters so far.
    public private(set) var statistics = DecodeStatistics()

    /// Creates a decoder with default fragment-table bounds.
    public init() {}

    /// Decodes one frame captured on `linkType` at `timestamp` into `packet`.
    public mutating func decode(_ frame: UnsafeRawBufferPointer, linkType: LinkType, timestamp: Timestamp,
                                into packet: inout DecodedPacket) -> DecodeResult {
        statistics.notIP += 1
        return .notIP
    }
}

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
    /// Fragments that overlapped data already received for their datagram; the earlier bytes were kept. Benign
    /// duplicates count too, but a steady stream of overlaps is a classic IDS-evasion signal.
    public var fragmentOverlaps: Int = 0
    /// Frames skipped, by reason.
    public var errors: [DecodeError: Int] = [:]

    /// Creates empty counters.
    public init() {}

    /// All decode errors together.
    public var totalErrors: Int { errors.values.reduce(0, +) }
}

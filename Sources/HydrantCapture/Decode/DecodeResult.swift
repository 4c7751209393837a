/// The outcome of decoding one captured frame.
public enum DecodeResult: Equatable {
    /// An IP packet was decoded into the output slot.
    case packet
    /// A fragment was stored for reassembly; nothing to process yet.
    case fragmentHeld
    /// A frame that is not IP (ARP, LLDP, …) or a link type Hydrant does not decode; counted as `other`.
    case notIP
    /// The frame was malformed or truncated; counted under the named error and skipped.
    case error(DecodeError)
}

/// Why a frame could not be decoded. Each case is a named counter in the run's summary.
public enum DecodeError: String, CaseIterable, Sendable {
    /// The link-layer header is longer than the captured bytes.
    case truncatedLink = "truncated_link"
    /// A VLAN tag is cut off, or more than four tags are stacked.
    case truncatedVLAN = "truncated_vlan"
    /// The IPv4 header is cut off.
    case truncatedIPv4 = "truncated_ipv4"
    /// The IPv4 version or header length field is impossible.
    case badIPv4Header = "bad_ipv4_header"
    /// The IPv4 total length is smaller than the header or larger than the frame claims.
    case badIPv4Length = "bad_ipv4_length"
    /// The IP header states more bytes than the frame carries although nothing was cut by the snapshot length:
    /// a lying or damaged length, so the packet's byte count cannot be trusted.
    case ipLengthExceedsFrame = "ip_length_exceeds_frame"
    /// The IPv6 header is cut off.
    case truncatedIPv6 = "truncated_ipv6"
    /// The IPv6 version field is wrong.
    case badIPv6Header = "bad_ipv6_header"
    /// An IPv6 extension header runs past the packet.
    case badIPv6ExtensionHeader = "bad_ipv6_extension_header"
    /// The TCP header is cut off or its data offset is impossible.
    case truncatedTCP = "truncated_tcp"
    /// The UDP header is cut off or its length is impossible.
    case truncatedUDP = "truncated_udp"
    /// The SCTP common header is cut off.
    case truncatedSCTP = "truncated_sctp"
    /// The ICMP or ICMPv6 header is cut off.
    case truncatedICMP = "truncated_icmp"
    /// A fragment is malformed: inconsistent with the datagram's other fragments, past 65,535 bytes, empty, or
    /// (when more follow) not a multiple of 8 bytes long.
    case badFragment = "bad_fragment"
    /// A fragment was cut short by the capture's snapshot length, so its datagram cannot be rebuilt.
    case truncatedFragment = "truncated_fragment"
    /// A fragment was dropped because the reassembly table was full.
    case fragmentTableFull = "fragment_table_full"
    /// An incomplete datagram was discarded when its reassembly timeout passed.
    case fragmentTimeout = "fragment_timeout"
}

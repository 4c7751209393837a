/// The link-layer header types Hydrant decodes, by their libpcap DLT value.
public enum LinkType: Sendable, Equatable {
    /// DLT_EN10MB: Ethernet II, with 802.1Q / 802.1ad (QinQ) tags.
    case ethernet
    /// DLT_NULL: BSD loopback, a 4-byte address family in host byte order.
    case bsdLoopback
    /// DLT_LOOP: OpenBSD loopback, a 4-byte address family in network byte order.
    case openBSDLoopback
    /// DLT_RAW, LINKTYPE_RAW, DLT_IPV4, DLT_IPV6: the packet starts with the IP header.
    case rawIP
    /// DLT_LINUX_SLL: Linux cooked capture v1 (16-byte header).
    case linuxSLL
    /// DLT_LINUX_SLL2: Linux cooked capture v2 (20-byte header).
    case linuxSLL2
    /// DLT_PPP: PPP in HDLC-like framing.
    case ppp
    /// Any other DLT value: packets are counted as `other` and skipped.
    case unsupported(Int32)

    /// The link type for a libpcap `pcap_datalink` value.
    public init(dlt: Int32) {
        switch dlt {
        case 1: self = .ethernet
        case 0: self = .bsdLoopback
        case 108: self = .openBSDLoopback
        case 12, 14, 101, 228, 229: self = .rawIP
        case 113: self = .linuxSLL
        case 276: self = .linuxSLL2
        case 9: self = .ppp
        default: self = .unsupported(dlt)
        }
    }
}

import HydrantRecords

/// What the IPv4 or IPv6 decoder hands on to the transport decoder or the fragment table.
struct IPHeader {
    /// Source address.
    var source = IPAddress(ipv4: 0)
    /// Destination address.
    var destination = IPAddress(ipv4: 0)
    /// IP-level length as the header states it.
    var ipLength = 0
    /// Transport protocol, or for an IPv6 fragment the Next Header of its fragment header.
    var transportProtocol: UInt8 = 0
    /// Bytes from the start of the IP header to the transport (IPv4 header with options; IPv6 header with the
    /// extension headers before the transport or fragment header).
    var headerLength = 0
    /// Offset of the transport header (or fragment data) in the frame.
    var transportOffset = 0
    /// End of the captured transport bytes: the stated end, or less when the capture was cut short.
    var transportEnd = 0
    /// Transport length as the IP header states it; at least `transportEnd - transportOffset`.
    var transportLength = 0
    /// Whether this packet is one fragment of a larger datagram.
    var isFragment = false
    /// Fragment offset in bytes.
    var fragmentOffset = 0
    /// Whether more fragments follow this one.
    var moreFragments = false
    /// Fragment identification (16 bits for IPv4, 32 for IPv6).
    var identification: UInt32 = 0
}

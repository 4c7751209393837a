import HydrantRecords

/// What the decoder learned from one packet: the fields the flow table and protocol parsers need.
///
/// `payload` points into the capture buffer (or the reassembly buffer for a reassembled datagram) and is valid
/// only until the decoder is called again; nothing here is copied.
public struct DecodedPacket {
    /// Packet time.
    public var timestamp: Timestamp
    /// Outer 802.1Q VLAN id, or nil when untagged.
    public var vlanID: UInt16?
    /// Inner VLAN id of a QinQ frame.
    public var innerVLANID: UInt16?
    /// IP source address.
    public var source: IPAddress
    /// IP destination address.
    public var destination: IPAddress
    /// IP-level length of the datagram as its header states it (whole datagram when reassembled).
    public var ipLength: Int
    /// IP protocol number of the transport (after IPv6 extension headers).
    public var ianaNumber: UInt8
    /// Source port (TCP, UDP, SCTP) or ICMP type; 0 for port-less protocols.
    public var sourcePort: UInt16
    /// Destination port (TCP, UDP, SCTP) or ICMP code; 0 for port-less protocols.
    public var destinationPort: UInt16
    /// Whether the transport has ports (TCP, UDP, SCTP) or a type and code (ICMP, ICMPv6).
    public var hasPorts: Bool
    /// TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80).
    public var tcpFlags: UInt8
    /// TCP sequence number.
    public var tcpSequence: UInt32
    /// TCP acknowledgment number.
    public var tcpAcknowledgment: UInt32
    /// Transport payload length as the headers state it (may exceed what was captured).
    public var payloadLength: Int
    /// The captured part of the transport payload.
    public var payload: UnsafeRawBufferPointer
    /// The application protocol the parsers recognised on the packet's connection (set after decoding).
    public var applicationProtocol: ApplicationProtocol

    /// An empty packet, for reuse as the decoder's output slot.
    public init() {
        timestamp = .zero
        source = IPAddress(ipv4: 0)
        destination = IPAddress(ipv4: 0)
        ipLength = 0
        ianaNumber = 0
        sourcePort = 0
        destinationPort = 0
        hasPorts = false
        tcpFlags = 0
        tcpSequence = 0
        tcpAcknowledgment = 0
        payloadLength = 0
        payload = UnsafeRawBufferPointer(start: nil, count: 0)
        applicationProtocol = .none
    }
}

/// TCP flag bits as they appear in the flags byte.
public enum TCPFlags {
    /// No more data from sender.
    public static let fin: UInt8 = 0x01
    /// Synchronise sequence numbers.
    public static let syn: UInt8 = 0x02
    /// Reset the connection.
    public static let rst: UInt8 = 0x04
    /// Push function.
    public static let psh: UInt8 = 0x08
    /// Acknowledgment field is significant.
    public static let ack: UInt8 = 0x10
    /// Urgent pointer field is significant.
    public static let urg: UInt8 = 0x20
}

/// Transport header decoding: TCP, UDP, SCTP, ICMP and ICMPv6 ports (or type and code) and payload bounds.
enum Transport {
    /// IANA protocol numbers decoded here.
    enum Number {
        static let icmp: UInt8 = 1
        static let tcp: UInt8 = 6
        static let udp: UInt8 = 17
        static let icmpv6: UInt8 = 58
        static let sctp: UInt8 = 132
    }

    /// Decodes the transport header at the start of `reader` (the captured part of a segment whose stated length
    /// is `statedLength`) into `packet`; nil on success.
    ///
    /// A protocol without ports is not an error: `hasPorts` is false and the whole segment is payload.
    @inline(__always)
    static func decode(_ reader: ByteReader, protocol number: UInt8, statedLength: Int,
                       into packet: inout DecodedPacket) -> DecodeError? {
        packet.ianaNumber = number
        packet.tcpFlags = 0
        packet.tcpSequence = 0
        packet.tcpAcknowledgment = 0
        switch number {
        case Number.tcp:
            return tcp(reader, statedLength: statedLength, into: &packet)
        case Number.udp:
            return udp(reader, statedLength: statedLength, into: &packet)
        case Number.sctp:
            // The 12-byte common header: ports, verification tag, checksum; chunks follow.
            return ports(reader, headerLength: 12, statedLength: statedLength, error: .truncatedSCTP, into: &packet)
        case Number.icmp, Number.icmpv6:
            return icmp(reader, statedLength: statedLength, into: &packet)
        default:
            packet.sourcePort = 0
            packet.destinationPort = 0
            packet.hasPorts = false
            packet.payloadLength = statedLength
            packet.payload = reader.bytes
            return nil
        }
    }

    /// TCP (RFC 9293). The options may be cut off by the snapshot length without harm: only the fixed 20 bytes
    /// are read, and the data offset must still fit in the stated segment.
    @inline(__always)
    static func tcp(_ reader: ByteReader, statedLength: Int, into packet: inout DecodedPacket) -> DecodeError? {
        guard let sourcePort = reader.u16(0),
              let destinationPort = reader.u16(2),
              let sequence = reader.u32(4),
              let acknowledgment = reader.u32(8),
              let dataOffset = reader.u8(12),
              let flags = reader.u8(13),
              reader.contains(0, 20)
        else { return .truncatedTCP }
        let headerLength = Int(dataOffset >> 4) * 4
        guard headerLength >= 20, headerLength <= statedLength else { return .truncatedTCP }
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        packet.hasPorts = true
        packet.tcpFlags = flags
        packet.tcpSequence = sequence
        packet.tcpAcknowledgment = acknowledgment
        packet.payloadLength = statedLength - headerLength
        packet.payload = reader.suffix(from: headerLength)
        return nil
    }

    /// UDP (RFC 768). The length field must cover the header and fit in the IP payload; bytes after it are padding.
    @inline(__always)
    static func udp(_ reader: ByteReader, statedLength: Int, into packet: inout DecodedPacket) -> DecodeError? {
        guard let sourcePort = reader.u16(0),
              let destinationPort = reader.u16(2),
              let length = reader.u16(4),
              reader.contains(0, 8)
        else { return .truncatedUDP }
        let udpLength = Int(length)
        guard udpLength >= 8, udpLength <= statedLength else { return .truncatedUDP }
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        packet.hasPorts = true
        packet.payloadLength = udpLength - 8
        let payload = reader.slice(0, min(reader.count, udpLength)) ?? reader
        packet.payload = payload.suffix(from: 8)
        return nil
    }

    /// ICMP (RFC 792) and ICMPv6 (RFC 4443): type and code stand in for the ports, as flow tools and Community ID
    /// expect. Every defined message has at least 8 bytes of header.
    @inline(__always)
    static func icmp(_ reader: ByteReader, statedLength: Int, into packet: inout DecodedPacket) -> DecodeError? {
        guard let type = reader.u8(0), let code = reader.u8(1), reader.contains(0, 8), statedLength >= 8
        else { return .truncatedICMP }
        packet.sourcePort = UInt16(type)
        packet.destinationPort = UInt16(code)
        packet.hasPorts = true
        packet.payloadLength = statedLength - 8
        packet.payload = reader.suffix(from: 8)
        return nil
    }

    /// A transport whose first four bytes are the source and destination ports.
    @inline(__always)
    static func ports(_ reader: ByteReader, headerLength: Int, statedLength: Int, error: DecodeError,
                      into packet: inout DecodedPacket) -> DecodeError? {
        guard let sourcePort = reader.u16(0), let destinationPort = reader.u16(2), reader.contains(0, headerLength),
              statedLength >= headerLength
        else { return error }
        packet.sourcePort = sourcePort
        packet.destinationPort = destinationPort
        packet.hasPorts = true
        packet.payloadLength = statedLength - headerLength
        packet.payload = reader.suffix(from: headerLength)
        return nil
    }
}

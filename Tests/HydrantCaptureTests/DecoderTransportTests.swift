import HydrantCapture
import HydrantRecords
import Testing

@Suite("Decoder: transports")
struct DecoderTransportTests {
    typealias B = FrameFixture

    @Test func tcpFields() {
        let options: [UInt8] = [0x02, 0x04, 0x05, 0xB4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07]
        let segment = B.tcp(sourcePort: 443, destinationPort: 61000, sequence: 0xFFFF_FFFE, acknowledgment: 7,
                            flags: TCPFlags.syn | TCPFlags.ack, options: options, Array("data".utf8))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x0800, B.ipv4(proto: 6, segment)))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.hasPorts)
        #expect(decoded.packet.sourcePort == 443)
        #expect(decoded.packet.destinationPort == 61000)
        #expect(decoded.packet.tcpSequence == 0xFFFF_FFFE)
        #expect(decoded.packet.tcpAcknowledgment == 7)
        #expect(decoded.packet.tcpFlags == TCPFlags.syn | TCPFlags.ack)
        #expect(decoded.packet.payloadLength == 4)
        #expect(decoded.payload == Array("data".utf8))
    }

    @Test(arguments: [0, 1, 4])
    func tcpDataOffsetBelowFiveIsTruncated(dataOffset: Int) {
        var decoder = PacketDecoder()
        let frame = B.ipv4(proto: 6, B.tcp(dataOffset: dataOffset, B.pattern(40)))
        #expect(decoder.decode(frame, .rawIP).result == .error(.truncatedTCP))
        #expect(decoder.statistics.errors[.truncatedTCP] == 1)
    }

    @Test func tcpDataOffsetPastSegmentIsTruncated() {
        var decoder = PacketDecoder()
        // 60-byte header claimed in a 24-byte segment.
        #expect(decoder.decode(B.ipv4(proto: 6, B.tcp(dataOffset: 15, [1, 2, 3, 4])), .rawIP).result == .error(.truncatedTCP))
    }

    @Test func tcpOptionsCutBySnaplenStillDecode() {
        let options = [UInt8](repeating: 1, count: 20)
        let frame = B.ethernet(0x0800, B.ipv4(proto: 6, B.tcp(options: options, B.pattern(100))))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(Array(frame.prefix(14 + 20 + 30)))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.payloadLength == 100)
        #expect(decoded.payload.isEmpty)
    }

    @Test func udpLengthField() {
        var decoder = PacketDecoder()
        // Shorter than the IP payload: the rest is padding, not data.
        let short = B.ipv4(proto: 17, B.udp(length: 10, [1, 2, 3, 4, 5, 6]))
        let decoded = decoder.decode(short, .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.payloadLength == 2)
        #expect(decoded.payload == [1, 2])
        for bad in [0, 7, 15] {
            #expect(decoder.decode(B.ipv4(proto: 17, B.udp(length: bad, [1, 2, 3, 4, 5, 6])), .rawIP).result
                == .error(.truncatedUDP), "length \(bad)")
        }
    }

    @Test func sctpCommonHeader() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ipv6(nextHeader: 132, B.sctp([1, 0, 0, 4])), .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.hasPorts)
        #expect(decoded.packet.sourcePort == 2905)
        #expect(decoded.packet.destinationPort == 2906)
        #expect(decoded.packet.payloadLength == 4)
        #expect(decoded.payload == [1, 0, 0, 4])
    }

    @Test func icmpTypeAndCodeStandInForPorts() {
        var decoder = PacketDecoder()
        let v4 = decoder.decode(B.ipv4(proto: 1, B.icmp(type: 3, code: 13, [0xAA])), .rawIP)
        #expect(v4.result == .packet)
        #expect(v4.packet.hasPorts)
        #expect(v4.packet.ianaNumber == 1)
        #expect(v4.packet.sourcePort == 3)
        #expect(v4.packet.destinationPort == 13)
        #expect(v4.packet.payloadLength == 1)
        let v6 = decoder.decode(B.ipv6(nextHeader: 58, B.icmp(type: 135, code: 0, B.pattern(16))), .rawIP)
        #expect(v6.result == .packet)
        #expect(v6.packet.ianaNumber == 58)
        #expect(v6.packet.sourcePort == 135)
        #expect(v6.packet.destinationPort == 0)
        #expect(decoder.statistics.otherTransport == 0)
    }

    @Test func resultsResetTCPFieldsBetweenPackets() {
        var decoder = PacketDecoder()
        var packet = DecodedPacket()
        let tcp = B.ipv4(proto: 6, B.tcp(flags: TCPFlags.fin))
        let udp = B.ipv4(proto: 17, B.udp())
        _ = tcp.withUnsafeBytes { decoder.decode($0, linkType: .rawIP, timestamp: .zero, into: &packet) }
        #expect(packet.tcpFlags == TCPFlags.fin)
        _ = udp.withUnsafeBytes { decoder.decode($0, linkType: .rawIP, timestamp: .zero, into: &packet) }
        #expect(packet.tcpFlags == 0)
        #expect(packet.tcpSequence == 0)
    }

    // MARK: Truncation at every offset

    /// A transport segment, its header length, and the error a cut inside that header gives.
    static let segments: [(String, UInt8, [UInt8], Int, DecodeError)] = [
        ("tcp", 6, B.tcp(options: [2, 4, 5, 0xB4], [1, 2, 3]), 24, .truncatedTCP),
        ("udp", 17, B.udp([1, 2, 3]), 8, .truncatedUDP),
        ("sctp", 132, B.sctp([1, 2, 3]), 12, .truncatedSCTP),
        ("icmp", 1, B.icmp([1, 2, 3]), 8, .truncatedICMP),
        ("icmpv6", 58, B.icmp(type: 129, [1, 2, 3]), 8, .truncatedICMP),
        ("gre", 47, [0, 0, 8, 0, 1, 2, 3], 0, .truncatedICMP),
    ]

    @Test(arguments: 0..<6)
    func ipv4TransportTruncatedAtEveryOffset(index: Int) {
        let (name, number, segment, headerLength, error) = Self.segments[index]
        let frame = B.ethernet(0x0800, B.ipv4(proto: number, segment))
        checkTruncation(frame, networkHeader: 20, networkError: .truncatedIPv4, name: name, segment: segment,
                        headerLength: headerLength, error: error)
    }

    @Test(arguments: 0..<6)
    func ipv6TransportTruncatedAtEveryOffset(index: Int) {
        let (name, number, segment, headerLength, error) = Self.segments[index]
        let frame = B.ethernet(0x86DD, B.ipv6(nextHeader: number, segment))
        checkTruncation(frame, networkHeader: 40, networkError: .truncatedIPv6, name: name, segment: segment,
                        headerLength: headerLength, error: error)
    }

    func checkTruncation(_ frame: [UInt8], networkHeader: Int, networkError: DecodeError, name: String,
                         segment: [UInt8], headerLength: Int, error: DecodeError) {
        var decoder = PacketDecoder()
        let transportStart = 14 + networkHeader
        for length in 0...frame.count {
            let decoded = decoder.decode(Array(frame.prefix(length)))
            let expected: DecodeResult
            if length < 14 {
                expected = .error(.truncatedLink)
            } else if length < transportStart {
                expected = .error(networkError)
            } else if length < transportStart + min(headerLength, 20) {
                expected = .error(error)
            } else {
                expected = .packet
            }
            #expect(decoded.result == expected, "\(name) cut at \(length)")
            guard expected == .packet else { continue }
            #expect(decoded.packet.payloadLength == segment.count - headerLength, "\(name) cut at \(length)")
            let captured = Array(segment.prefix(length - transportStart))
            #expect(decoded.payload == Array(captured.dropFirst(headerLength)), "\(name) cut at \(length)")
        }
        #expect(decoder.statistics.errors.values.reduce(0, +) + decoder.statistics.packets == frame.count + 1)
    }
}

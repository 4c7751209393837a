import HydrantCapture
import HydrantRecords
import Testing

@Suite("Decoder: link layers")
struct DecoderLinkTests {
    typealias B = FrameFixture

    static let udpV4 = B.ipv4(proto: 17, B.udp([1, 2, 3, 4]))
    static let udpV6 = B.ipv6(nextHeader: 17, B.udp([1, 2, 3, 4]))

    func expectUDP(_ decoded: Decoded, ipv6: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(decoded.result == .packet, sourceLocation: sourceLocation)
        #expect(decoded.packet.source.isIPv6 == ipv6, sourceLocation: sourceLocation)
        #expect(decoded.packet.ianaNumber == 17, sourceLocation: sourceLocation)
        #expect(decoded.packet.sourcePort == 53000, sourceLocation: sourceLocation)
        #expect(decoded.packet.destinationPort == 53, sourceLocation: sourceLocation)
        #expect(decoded.payload == [1, 2, 3, 4], sourceLocation: sourceLocation)
    }

    @Test func ethernetIPv4() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x0800, Self.udpV4))
        expectUDP(decoded)
        #expect(decoded.packet.vlanID == nil)
        #expect(decoded.packet.innerVLANID == nil)
        #expect(decoded.packet.source == IPAddress("192.0.2.1"))
        #expect(decoded.packet.destination == IPAddress("198.51.100.7"))
        #expect(decoder.statistics.packets == 1)
    }

    @Test func ethernetIPv6() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x86DD, Self.udpV6))
        expectUDP(decoded, ipv6: true)
        #expect(decoded.packet.source == IPAddress("2001:db8::1"))
        #expect(decoded.packet.destination == IPAddress("2001:db8::a0b"))
    }

    @Test func singleVLANTag() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x0800, tags: [(0x8100, 42)], Self.udpV4))
        expectUDP(decoded)
        #expect(decoded.packet.vlanID == 42)
        #expect(decoded.packet.innerVLANID == nil)
    }

    @Test(arguments: [UInt16(0x88A8), 0x8100, 0x9100])
    func qinqOuterAndInnerIDs(outerTPID: UInt16) {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x86DD, tags: [(outerTPID, 100), (0x8100, 4095)], Self.udpV6))
        expectUDP(decoded, ipv6: true)
        #expect(decoded.packet.vlanID == 100)
        #expect(decoded.packet.innerVLANID == 4095)
    }

    @Test func fourTagsAreAcceptedAndOnlyTheFirstTwoReported() {
        var decoder = PacketDecoder()
        let tags: [(UInt16, UInt16)] = [(0x88A8, 1), (0x8100, 2), (0x8100, 3), (0x8100, 4)]
        let decoded = decoder.decode(B.ethernet(0x0800, tags: tags, Self.udpV4))
        expectUDP(decoded)
        #expect(decoded.packet.vlanID == 1)
        #expect(decoded.packet.innerVLANID == 2)
    }

    @Test func fiveTagsAreMalformed() {
        var decoder = PacketDecoder()
        let tags: [(UInt16, UInt16)] = Array(repeating: (0x8100, 7), count: 5)
        #expect(decoder.decode(B.ethernet(0x0800, tags: tags, Self.udpV4)).result == .error(.truncatedVLAN))
        #expect(decoder.statistics.errors[.truncatedVLAN] == 1)
    }

    @Test(arguments: [UInt16(0x0806), 0x88CC, 0x8137, 0x0060, 0x05DC, 0x8847])
    func nonIPEtherTypes(etherType: UInt16) {
        var decoder = PacketDecoder()
        #expect(decoder.decode(B.ethernet(etherType, [UInt8](repeating: 0, count: 46))).result == .notIP)
        #expect(decoder.decode(B.ethernet(etherType, tags: [(0x8100, 5)], [UInt8](repeating: 0, count: 46))).result == .notIP)
        #expect(decoder.statistics.notIP == 2)
        #expect(decoder.statistics.packets == 0)
        #expect(decoder.statistics.totalErrors == 0)
    }

    @Test(arguments: [true, false])
    func bsdLoopbackIPv4InEitherByteOrder(littleEndian: Bool) {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(B.bsdLoopback(family: 2, littleEndian: littleEndian, Self.udpV4), .bsdLoopback))
    }

    @Test(arguments: [UInt32(24), 28, 30])
    func bsdLoopbackIPv6Families(family: UInt32) {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(B.bsdLoopback(family: family, littleEndian: true, Self.udpV6), .bsdLoopback), ipv6: true)
        expectUDP(decoder.decode(B.bsdLoopback(family: family, littleEndian: false, Self.udpV6), .bsdLoopback), ipv6: true)
    }

    @Test func bsdLoopbackOtherFamilyIsNotIP() {
        var decoder = PacketDecoder()
        #expect(decoder.decode(B.bsdLoopback(family: 7, littleEndian: true, Self.udpV4), .bsdLoopback).result == .notIP)
    }

    @Test func openBSDLoopbackIsNetworkOrder() {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(B.bsdLoopback(family: 2, littleEndian: false, Self.udpV4), .openBSDLoopback))
        expectUDP(decoder.decode(B.bsdLoopback(family: 24, littleEndian: false, Self.udpV6), .openBSDLoopback), ipv6: true)
        #expect(decoder.decode(B.bsdLoopback(family: 2, littleEndian: true, Self.udpV4), .openBSDLoopback).result == .notIP)
    }

    @Test func rawIPChoosesVersionByNibble() {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(Self.udpV4, .rawIP))
        expectUDP(decoder.decode(Self.udpV6, .rawIP), ipv6: true)
        var other = Self.udpV4
        other[0] = 0x55
        #expect(decoder.decode(other, .rawIP).result == .notIP)
        #expect(decoder.decode([], .rawIP).result == .error(.truncatedLink))
    }

    @Test func linuxCookedV1() {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(B.linuxSLL(0x0800, Self.udpV4), .linuxSLL))
        expectUDP(decoder.decode(B.linuxSLL(0x86DD, Self.udpV6), .linuxSLL), ipv6: true)
        #expect(decoder.decode(B.linuxSLL(0x0806, [UInt8](repeating: 0, count: 28)), .linuxSLL).result == .notIP)
    }

    @Test func linuxCookedV2() {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode(B.linuxSLL2(0x0800, Self.udpV4), .linuxSLL2))
        expectUDP(decoder.decode(B.linuxSLL2(0x86DD, Self.udpV6), .linuxSLL2), ipv6: true)
        #expect(decoder.decode(B.linuxSLL2(0x0806, [UInt8](repeating: 0, count: 28)), .linuxSLL2).result == .notIP)
    }

    @Test func pppFramings() {
        var decoder = PacketDecoder()
        expectUDP(decoder.decode([0xFF, 0x03, 0x00, 0x21] + Self.udpV4, .ppp))
        expectUDP(decoder.decode([0xFF, 0x03, 0x00, 0x57] + Self.udpV6, .ppp), ipv6: true)
        expectUDP(decoder.decode([0x00, 0x21] + Self.udpV4, .ppp))
        expectUDP(decoder.decode([0x57] + Self.udpV6, .ppp), ipv6: true)
        // LCP and a bad control byte are not IP.
        #expect(decoder.decode([0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 4], .ppp).result == .notIP)
        #expect(decoder.decode([0xFF, 0x05, 0x00, 0x21] + Self.udpV4, .ppp).result == .notIP)
    }

    @Test func unsupportedLinkTypeIsNotIP() {
        var decoder = PacketDecoder()
        #expect(decoder.decode(Self.udpV4, .unsupported(105)).result == .notIP)
        #expect(decoder.statistics.notIP == 1)
    }

    @Test func linkTypesFromDLTValues() {
        #expect(LinkType(dlt: 1) == .ethernet)
        #expect(LinkType(dlt: 0) == .bsdLoopback)
        #expect(LinkType(dlt: 108) == .openBSDLoopback)
        for raw: Int32 in [12, 14, 101, 228, 229] { #expect(LinkType(dlt: raw) == .rawIP) }
        #expect(LinkType(dlt: 113) == .linuxSLL)
        #expect(LinkType(dlt: 276) == .linuxSLL2)
        #expect(LinkType(dlt: 9) == .ppp)
        #expect(LinkType(dlt: 127) == .unsupported(127))
    }

    // MARK: Truncation at every offset

    /// Link header length for each link type, and the frame that carries `udpV4` on it.
    static let framings: [(LinkType, Int, [UInt8])] = [
        (.ethernet, 14, B.ethernet(0x0800, udpV4)),
        (.bsdLoopback, 4, B.bsdLoopback(family: 2, littleEndian: true, udpV4)),
        (.openBSDLoopback, 4, B.bsdLoopback(family: 2, littleEndian: false, udpV4)),
        (.linuxSLL, 16, B.linuxSLL(0x0800, udpV4)),
        (.linuxSLL2, 20, B.linuxSLL2(0x0800, udpV4)),
        (.ppp, 4, [0xFF, 0x03, 0x00, 0x21] + udpV4),
        (.rawIP, 0, udpV4),
    ]

    @Test(arguments: 0..<7)
    func truncatedAtEveryOffset(index: Int) {
        let (linkType, linkLength, frame) = Self.framings[index]
        var decoder = PacketDecoder()
        for length in 0...frame.count {
            let decoded = decoder.decode(Array(frame.prefix(length)), linkType)
            let expected: DecodeResult
            if length < max(linkLength, 1) {
                expected = .error(.truncatedLink)
            } else if length < linkLength + 20 {
                expected = .error(.truncatedIPv4)
            } else if length < linkLength + 28 {
                expected = .error(.truncatedUDP)
            } else {
                expected = .packet
            }
            #expect(decoded.result == expected, "\(linkType) cut at \(length)")
            if expected == .packet {
                #expect(decoded.payload == Array([1, 2, 3, 4].prefix(length - linkLength - 28)))
                #expect(decoded.packet.payloadLength == 4)
                #expect(decoded.packet.ipLength == 32)
            }
        }
        #expect(decoder.statistics.packets == 5)
        #expect(decoder.statistics.totalErrors == frame.count + 1 - 5)
    }

    @Test func truncatedInsideVLANTags() {
        let frame = B.ethernet(0x0800, tags: [(0x88A8, 10), (0x8100, 20)], Self.udpV4)
        var decoder = PacketDecoder()
        for length in 0...frame.count {
            let expected: DecodeResult = switch length {
            case ..<14: .error(.truncatedLink)
            case ..<22: .error(.truncatedVLAN)
            case ..<42: .error(.truncatedIPv4)
            case ..<50: .error(.truncatedUDP)
            default: .packet
            }
            #expect(decoder.decode(Array(frame.prefix(length))).result == expected, "cut at \(length)")
        }
    }

    @Test func pppTruncationWithCompressedFields() {
        var decoder = PacketDecoder()
        #expect(decoder.decode([], .ppp).result == .error(.truncatedLink))
        #expect(decoder.decode([0xFF], .ppp).result == .error(.truncatedLink))
        #expect(decoder.decode([0xFF, 0x03], .ppp).result == .error(.truncatedLink))
        #expect(decoder.decode([0xFF, 0x03, 0x00], .ppp).result == .error(.truncatedLink))
        #expect(decoder.decode([0x00], .ppp).result == .error(.truncatedLink))
        #expect(decoder.decode([0x21], .ppp).result == .error(.truncatedIPv4))
    }
}

import HydrantCapture
import HydrantRecords
import Testing

@Suite("Decoder: IPv6")
struct DecoderIPv6Tests {
    typealias B = FrameFixture

    @Test func headerFields() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x86DD, B.ipv6(nextHeader: 6, B.tcp(flags: TCPFlags.syn))))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.source == IPAddress("2001:db8::1"))
        #expect(decoded.packet.destination == IPAddress("2001:db8::a0b"))
        #expect(decoded.packet.ipLength == 60)
        #expect(decoded.packet.ianaNumber == 6)
        #expect(decoded.packet.tcpFlags == TCPFlags.syn)
    }

    @Test func extensionHeaderChain() {
        // Hop-by-hop → destination options → routing (2 extra units) → AH → destination options → UDP.
        let chain = B.extensionHeader(next: 60)
            + B.extensionHeader(next: 43)
            + B.extensionHeader(next: 51, units: 2)
            + B.authenticationHeader(next: 60, units: 4)
            + B.extensionHeader(next: 17, units: 1)
        #expect(chain.count == 8 + 8 + 24 + 24 + 16)
        let ip = B.ipv6(nextHeader: 0, chain + B.udp([5, 6, 7]))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ethernet(0x86DD, ip))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 17)
        #expect(decoded.packet.ipLength == 40 + chain.count + 11)
        #expect(decoded.packet.destinationPort == 53)
        #expect(decoded.payload == [5, 6, 7])
    }

    @Test func authenticationHeaderLengthIsInFourByteUnits() {
        // (1 + 2) * 4 = 12 bytes: not a multiple of 8, which the IPv6 rule for other headers would reject.
        let ip = B.ipv6(nextHeader: 51, B.authenticationHeader(next: 58, units: 1) + B.icmp(type: 128))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(ip, .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 58)
        #expect(decoded.packet.sourcePort == 128)
    }

    @Test func noNextHeaderEndsThePacket() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ipv6(nextHeader: 0, B.extensionHeader(next: 59)), .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 59)
        #expect(!decoded.packet.hasPorts)
        #expect(decoded.packet.payloadLength == 0)
        #expect(decoder.statistics.otherTransport == 1)
    }

    @Test func espIsAnOpaqueTransport() {
        var decoder = PacketDecoder()
        let decoded = decoder.decode(B.ipv6(nextHeader: 50, B.pattern(32)), .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 50)
        #expect(decoded.packet.payloadLength == 32)
        #expect(!decoded.packet.hasPorts)
    }

    @Test func eightExtensionHeadersAreAcceptedNineAreNot() {
        func chain(_ count: Int) -> [UInt8] {
            var out: [UInt8] = []
            for index in 0..<count { out += B.extensionHeader(next: index == count - 1 ? 17 : 60) }
            return B.ipv6(nextHeader: 0, out + B.udp())
        }
        var decoder = PacketDecoder()
        #expect(decoder.decode(chain(8), .rawIP).result == .packet)
        #expect(decoder.decode(chain(9), .rawIP).result == .error(.badIPv6ExtensionHeader))
    }

    @Test func extensionHeaderPastPayloadLengthIsBad() {
        // The routing header claims 8 more units than the payload length leaves.
        let ip = B.ipv6(nextHeader: 43, B.extensionHeader(next: 6, units: 0) + B.tcp(), payloadLength: 4)
        var decoder = PacketDecoder()
        #expect(decoder.decode(ip, .rawIP).result == .error(.badIPv6ExtensionHeader))
        let long = B.ipv6(nextHeader: 43, [6, 8] + [UInt8](repeating: 0, count: 30))
        #expect(decoder.decode(long, .rawIP).result == .error(.badIPv6ExtensionHeader))
    }

    @Test func wrongVersionIsBad() {
        var ip = B.ipv6(nextHeader: 59, [])
        ip[0] = 0x40
        var decoder = PacketDecoder()
        #expect(decoder.decode(B.ethernet(0x86DD, ip)).result == .error(.badIPv6Header))
    }

    @Test func atomicFragmentIsAWholePacket() {
        let ip = B.ipv6(nextHeader: 44, B.fragmentHeader(next: 17, offset: 0, more: false, identification: 9) + B.udp([1]))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(ip, .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 17)
        #expect(decoded.payload == [1])
        #expect(decoder.fragmentsInFlight == 0)
    }

    @Test func paddingAfterPayloadLengthIsIgnored() {
        var frame = B.ethernet(0x86DD, B.ipv6(nextHeader: 17, B.udp([3])))
        frame += [0xEE, 0xEE, 0xEE, 0xEE]
        var decoder = PacketDecoder()
        let decoded = decoder.decode(frame)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 49)
        #expect(decoded.payload == [3])
    }

    @Test func snaplenCutKeepsStatedLengths() {
        let frame = B.ethernet(0x86DD, B.ipv6(nextHeader: 6, B.tcp(B.pattern(1000))))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(Array(frame.prefix(80)))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 1060)
        #expect(decoded.packet.payloadLength == 1000)
        #expect(decoded.payload == Array(B.pattern(1000).prefix(80 - 74)))
    }

    @Test func extensionChainTruncatedAtEveryOffset() {
        let chain = B.extensionHeader(next: 43) + B.extensionHeader(next: 51, units: 1) + B.authenticationHeader(next: 6, units: 2)
        let frame = B.ethernet(0x86DD, B.ipv6(nextHeader: 0, chain + B.tcp([0x42])))
        let transportStart = 14 + 40 + chain.count
        var decoder = PacketDecoder()
        for length in 0...frame.count {
            let expected: DecodeResult = switch length {
            case ..<14: .error(.truncatedLink)
            case ..<54: .error(.truncatedIPv6)
            case ..<transportStart: .error(.badIPv6ExtensionHeader)
            case ..<(transportStart + 20): .error(.truncatedTCP)
            default: .packet
            }
            #expect(decoder.decode(Array(frame.prefix(length))).result == expected, "cut at \(length)")
        }
        #expect(decoder.statistics.packets == 2)
    }
}

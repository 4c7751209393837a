import HydrantCapture
import HydrantRecords
import Testing

@Suite("Decoder: IPv4")
struct DecoderIPv4Tests {
    typealias B = FrameFixture

    @Test func headerFields() {
        var decoder = PacketDecoder()
        let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 5)
        let frame = B.ethernet(0x0800, B.ipv4(proto: 6, B.tcp(Array("hello".utf8))))
        let decoded = decoder.decode(frame, at: time)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.timestamp == time)
        #expect(decoded.packet.source == IPAddress("192.0.2.1"))
        #expect(decoded.packet.destination == IPAddress("198.51.100.7"))
        #expect(decoded.packet.ipLength == 45)
        #expect(decoded.packet.ianaNumber == 6)
        #expect(decoded.payload == Array("hello".utf8))
    }

    @Test(arguments: [4, 8, 40])
    func optionsAreSkippedByIHL(optionBytes: Int) {
        var decoder = PacketDecoder()
        // Router alert, then NOPs and an end-of-options list: contents do not matter, only IHL does.
        var options: [UInt8] = [0x94, 0x04, 0x00, 0x00]
        options += [UInt8](repeating: 0x01, count: optionBytes - 4)
        let frame = B.ethernet(0x0800, B.ipv4(proto: 17, B.udp([9, 9]), options: options))
        let decoded = decoder.decode(frame)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 20 + optionBytes + 10)
        #expect(decoded.packet.sourcePort == 53000)
        #expect(decoded.payload == [9, 9])
    }

    @Test func optionsTruncatedAtEveryOffset() {
        let options: [UInt8] = [0x94, 0x04, 0, 0, 1, 1, 1, 0]
        let ip = B.ipv4(proto: 17, B.udp([7]), options: options)
        var decoder = PacketDecoder()
        for length in 0...ip.count {
            let expected: DecodeResult = switch length {
            case ..<28: .error(.truncatedIPv4)
            case ..<36: .error(.truncatedUDP)
            default: .packet
            }
            #expect(decoder.decode(Array(ip.prefix(length)), .rawIP).result == (length == 0 ? .error(.truncatedLink) : expected),
                    "cut at \(length)")
        }
    }

    @Test(arguments: [0, 1, 4])
    func headerLengthBelowFiveIsBad(ihl: UInt8) {
        var ip = B.ipv4(proto: 17, B.udp())
        ip[0] = 0x40 | ihl
        var decoder = PacketDecoder()
        #expect(decoder.decode(B.ethernet(0x0800, ip)).result == .error(.badIPv4Header))
        #expect(decoder.statistics.errors[.badIPv4Header] == 1)
    }

    @Test func wrongVersionBehindIPv4EtherTypeIsBad() {
        var decoder = PacketDecoder()
        #expect(decoder.decode(B.ethernet(0x0800, B.ipv6(nextHeader: 59, []))).result == .error(.badIPv4Header))
    }

    @Test func headerLengthPastCaptureIsTruncated() {
        var ip = B.ipv4(proto: 17, B.udp())
        ip[0] = 0x4F // 60-byte header in a 28-byte packet
        var decoder = PacketDecoder()
        #expect(decoder.decode(ip, .rawIP).result == .error(.truncatedIPv4))
    }

    @Test(arguments: [1, 19, 23])
    func totalLengthBelowHeaderIsBad(totalLength: Int) {
        var decoder = PacketDecoder()
        let ip = B.ipv4(proto: 17, B.udp(), options: [1, 1, 1, 1], totalLength: totalLength)
        #expect(decoder.decode(ip, .rawIP).result == .error(.badIPv4Length))
        #expect(decoder.statistics.errors[.badIPv4Length] == 1)
    }

    @Test func zeroTotalLengthFromSegmentationOffloadTakesTheCapturedLength() {
        // Captured on the sending host before the NIC split it: total length 0, the whole segment in the frame.
        let payload = B.pattern(3000)
        let ip = B.ipv4(proto: 17, B.udp(payload), totalLength: 0)
        var decoder = PacketDecoder()
        let decoded = decoder.decode(ip, .rawIP)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 20 + 8 + 3000)
        #expect(decoder.statistics.totalErrors == 0)
    }

    @Test func zeroTotalLengthOnAFragmentIsStillBad() {
        var ip = B.ipv4(proto: 17, B.udp(), totalLength: 0)
        ip[6] = 0x20 // more fragments
        var decoder = PacketDecoder()
        #expect(decoder.decode(ip, .rawIP).result == .error(.badIPv4Length))
    }

    @Test func statedLengthBeyondAWholeFrameIsALie() {
        // Captured whole (wire length = captured length) yet the header claims 1500 bytes: a lying length.
        let frame = Array(B.ethernet(0x0800, B.ipv4(proto: 17, B.udp(B.pattern(1472)))).prefix(96))
        var decoder = PacketDecoder()
        #expect(decoder.decode(frame, wireLength: frame.count).result == .error(.ipLengthExceedsFrame))
        #expect(decoder.statistics.errors[.ipLengthExceedsFrame] == 1)
        // The same bytes cut by a snapshot length from a 1514-byte frame are a legitimate, partial capture.
        #expect(decoder.decode(frame, wireLength: 1514).result == .packet)
    }

    @Test func snaplenCutKeepsStatedLengths() {
        // A 1500-byte UDP datagram captured with a short snapshot length.
        let payload = B.pattern(1472)
        let frame = B.ethernet(0x0800, B.ipv4(proto: 17, B.udp(payload)))
        var decoder = PacketDecoder()
        let decoded = decoder.decode(Array(frame.prefix(96)))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 1500)
        #expect(decoded.packet.payloadLength == 1472)
        #expect(decoded.payload == Array(payload.prefix(96 - 42)))
    }

    @Test func ethernetPaddingIsIgnored() {
        // 20 + 8 + 2 = 30 bytes of IP in a minimum-size 60-byte frame.
        var frame = B.ethernet(0x0800, B.ipv4(proto: 17, B.udp([0xAB, 0xCD])))
        frame += [UInt8](repeating: 0xEE, count: 60 - frame.count)
        var decoder = PacketDecoder()
        let decoded = decoder.decode(frame)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 30)
        #expect(decoded.packet.payloadLength == 2)
        #expect(decoded.payload == [0xAB, 0xCD])
    }

    @Test func paddingIsNotTakenAsTCPPayload() {
        var frame = B.ethernet(0x0800, B.ipv4(proto: 6, B.tcp(flags: TCPFlags.syn)))
        frame += [UInt8](repeating: 0xEE, count: 6)
        var decoder = PacketDecoder()
        let decoded = decoder.decode(frame)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.payloadLength == 0)
        #expect(decoded.payload.isEmpty)
    }

    @Test func otherTransportIsPortless() {
        var decoder = PacketDecoder()
        let gre: [UInt8] = [0, 0, 0x08, 0x00] + B.pattern(12)
        let decoded = decoder.decode(B.ethernet(0x0800, B.ipv4(proto: 47, gre)))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 47)
        #expect(!decoded.packet.hasPorts)
        #expect(decoded.packet.sourcePort == 0)
        #expect(decoded.packet.destinationPort == 0)
        #expect(decoded.packet.payloadLength == 16)
        #expect(decoded.payload == gre)
        #expect(decoder.statistics.otherTransport == 1)
        #expect(decoder.statistics.packets == 1)
    }

    @Test func dontFragmentFlagIsNotAFragment() {
        var decoder = PacketDecoder()
        let ip = B.ipv4(proto: 17, B.udp([1]), flagsAndOffset: 0x4000)
        #expect(decoder.decode(ip, .rawIP).result == .packet)
        #expect(decoder.fragmentsInFlight == 0)
    }
}

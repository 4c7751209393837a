import HydrantCapture
import HydrantRecords
import Testing

@Suite("Decoder: fragment reassembly")
struct FragmentReassemblyTests {
    typealias B = FrameFixture

    static let second: Int64 = 1_000_000_000

    /// A UDP datagram with 100 bytes of payload: 108 bytes to fragment.
    static let udpPayload = B.pattern(100, seed: 3)
    static let udpSegment = B.udp(sourcePort: 5353, destinationPort: 5353, udpPayload)

    /// An Ethernet frame holding `segment[offset..<offset + length]` as an IPv4 fragment.
    static func v4Fragment(_ segment: [UInt8], offset: Int, length: Int, more: Bool, identification: UInt16 = 77,
                           proto: UInt8 = 17, options: [UInt8] = [], tags: [(UInt16, UInt16)] = []) -> [UInt8] {
        let data = Array(segment[offset..<min(segment.count, offset + length)])
        let field = UInt16(offset / 8) | (more ? 0x2000 : 0)
        return B.ethernet(0x0800, tags: tags,
                          B.ipv4(proto: proto, data, options: options, identification: identification, flagsAndOffset: field))
    }

    /// Splits `segment` into IPv4 fragment frames of `size` bytes (the last one shorter).
    static func v4Fragments(_ segment: [UInt8], size: Int, identification: UInt16 = 77, proto: UInt8 = 17,
                            tags: [(UInt16, UInt16)] = []) -> [[UInt8]] {
        stride(from: 0, to: segment.count, by: size).map { offset in
            v4Fragment(segment, offset: offset, length: size, more: offset + size < segment.count,
                       identification: identification, proto: proto, tags: tags)
        }
    }

    /// An Ethernet frame holding `fragmentable[offset..<offset + length]` as an IPv6 fragment behind
    /// `unfragmentable` extension headers (whose last Next Header must be 44).
    static func v6Fragment(_ fragmentable: [UInt8], offset: Int, length: Int, more: Bool, next: UInt8,
                           unfragmentable: [UInt8] = [], identification: UInt32 = 0xCAFE) -> [UInt8] {
        let data = Array(fragmentable[offset..<min(fragmentable.count, offset + length)])
        let header = B.fragmentHeader(next: next, offset: offset, more: more, identification: identification)
        return B.ethernet(0x86DD, B.ipv6(nextHeader: unfragmentable.isEmpty ? 44 : 0, unfragmentable + header + data))
    }

    func expectReassembledUDP(_ decoded: Decoded, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(decoded.result == .packet, sourceLocation: sourceLocation)
        #expect(decoded.packet.ipLength == 20 + Self.udpSegment.count, sourceLocation: sourceLocation)
        #expect(decoded.packet.sourcePort == 5353, sourceLocation: sourceLocation)
        #expect(decoded.packet.payloadLength == 100, sourceLocation: sourceLocation)
        #expect(decoded.payload == Self.udpPayload, sourceLocation: sourceLocation)
    }

    // MARK: IPv4

    @Test func inOrder() {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        #expect(frames.count == 3)
        var decoder = PacketDecoder()
        #expect(decoder.decode(frames[0]).result == .fragmentHeld)
        #expect(decoder.decode(frames[1]).result == .fragmentHeld)
        #expect(decoder.fragmentsInFlight == 1)
        let decoded = decoder.decode(frames[2])
        expectReassembledUDP(decoded)
        #expect(decoded.packet.source == IPAddress("192.0.2.1"))
        #expect(decoded.packet.ianaNumber == 17)
        #expect(decoder.fragmentsInFlight == 0)
        #expect(decoder.statistics.reassembled == 1)
        #expect(decoder.statistics.packets == 1)
        #expect(decoder.statistics.totalErrors == 0)
    }

    @Test(arguments: [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
    func outOfOrder(order: [Int]) {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        var decoder = PacketDecoder()
        #expect(decoder.decode(frames[order[0]]).result == .fragmentHeld)
        #expect(decoder.decode(frames[order[1]]).result == .fragmentHeld)
        expectReassembledUDP(decoder.decode(frames[order[2]]))
    }

    @Test func smallFragmentsWithLastFragmentEthernetPadded() {
        // 8-byte fragments: the first carries only the UDP header, and the short last one is padded to 60 bytes.
        var frames = Self.v4Fragments(Self.udpSegment, size: 8)
        frames[frames.count - 1] += [UInt8](repeating: 0xEE, count: 60 - frames[frames.count - 1].count)
        var decoder = PacketDecoder()
        for frame in frames.dropLast() { #expect(decoder.decode(frame).result == .fragmentHeld) }
        expectReassembledUDP(decoder.decode(frames[frames.count - 1]))
    }

    @Test func optionsInTheFirstFragmentCountInIPLength() {
        let options: [UInt8] = [0x94, 0x04, 0, 0]
        let first = Self.v4Fragment(Self.udpSegment, offset: 0, length: 56, more: true, options: options)
        let last = Self.v4Fragment(Self.udpSegment, offset: 56, length: 52, more: false)
        var decoder = PacketDecoder()
        #expect(decoder.decode(first).result == .fragmentHeld)
        let decoded = decoder.decode(last)
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ipLength == 24 + 108)
        #expect(decoded.payload == Self.udpPayload)
    }

    @Test func tcpHeaderSplitAcrossFragments() {
        let segment = B.tcp(flags: TCPFlags.psh | TCPFlags.ack, Array("GET / HTTP/1.1\r\n".utf8))
        let frames = Self.v4Fragments(segment, size: 8, proto: 6)
        var decoder = PacketDecoder()
        for frame in frames.reversed().dropLast() { #expect(decoder.decode(frame).result == .fragmentHeld) }
        let decoded = decoder.decode(frames[0])
        #expect(decoded.result == .packet)
        #expect(decoded.packet.tcpFlags == TCPFlags.psh | TCPFlags.ack)
        #expect(decoded.packet.tcpSequence == 0x0102_0304)
        #expect(decoded.payload == Array("GET / HTTP/1.1\r\n".utf8))
    }

    @Test func overlappingFirstDataWins() {
        var segment = Self.udpSegment
        let a = Self.v4Fragment(segment, offset: 0, length: 48, more: true)
        // The second fragment starts one block early and carries different bytes there.
        for index in 40..<48 { segment[index] = 0xFF }
        let b = Self.v4Fragment(segment, offset: 40, length: 56, more: true)
        let c = Self.v4Fragment(segment, offset: 96, length: 12, more: false)
        var decoder = PacketDecoder()
        #expect(decoder.decode(a).result == .fragmentHeld)
        #expect(decoder.decode(b).result == .fragmentHeld)
        expectReassembledUDP(decoder.decode(c))
        #expect(decoder.statistics.fragmentOverlaps == 1)
    }

    @Test func overlapBridgingTwoFragmentsFillsOnlyTheGap() {
        let original = Self.udpSegment
        var forged = original
        for index in forged.indices { forged[index] = ~forged[index] }
        var decoder = PacketDecoder()
        #expect(decoder.decode(Self.v4Fragment(original, offset: 0, length: 16, more: true)).result == .fragmentHeld)
        #expect(decoder.decode(Self.v4Fragment(original, offset: 32, length: 76, more: false)).result == .fragmentHeld)
        // Forged bytes everywhere; only [16, 32) was missing, and only that may be taken from it.
        var gap = forged
        gap.replaceSubrange(16..<32, with: original[16..<32])
        let decoded = decoder.decode(Self.v4Fragment(gap, offset: 8, length: 40, more: true))
        expectReassembledUDP(decoded)
    }

    @Test func duplicateFragment() {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        var decoder = PacketDecoder()
        #expect(decoder.decode(frames[0]).result == .fragmentHeld)
        #expect(decoder.decode(frames[0]).result == .fragmentHeld)
        #expect(decoder.decode(frames[1]).result == .fragmentHeld)
        expectReassembledUDP(decoder.decode(frames[2]))
        #expect(decoder.statistics.fragmentOverlaps == 1)
        // A straggler after completion starts a new datagram that never completes.
        #expect(decoder.decode(frames[1]).result == .fragmentHeld)
        #expect(decoder.fragmentsInFlight == 1)
    }

    @Test func oversizedDatagramIsBad() {
        let data = B.pattern(64)
        var decoder = PacketDecoder()
        // 20 + 65,512 + 32 > 65,535: the classic ping of death.
        let frame = Self.v4Fragment(data, offset: 0, length: 32, more: false)
        var patched = frame
        patched[14 + 6] = 0x1F
        patched[14 + 7] = 0xFD // offset 8189 * 8 = 65,512
        #expect(decoder.decode(patched).result == .error(.badFragment))
        // Just fits: 20 + 65,512 + 3 = 65,535.
        let fits = B.ethernet(0x0800, B.ipv4(proto: 17, [1, 2, 3], flagsAndOffset: 0x1FFD))
        #expect(decoder.decode(fits).result == .fragmentHeld)
        #expect(decoder.statistics.errors[.badFragment] == 1)
    }

    @Test func inconsistentLastFragmentsAreBad() {
        var decoder = PacketDecoder()
        let segment = Self.udpSegment + B.pattern(8)
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 0, length: 48, more: true)).result == .fragmentHeld)
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 96, length: 12, more: false)).result == .fragmentHeld)
        // A second "last" fragment ending elsewhere: the datagram is dropped.
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 96, length: 20, more: false)).result == .error(.badFragment))
        #expect(decoder.fragmentsInFlight == 0)

        // Data past the end the last fragment set.
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 48, length: 12, more: false)).result == .fragmentHeld)
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 56, length: 16, more: true)).result == .error(.badFragment))

        // A last fragment ending before data already received.
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 48, length: 48, more: true)).result == .fragmentHeld)
        #expect(decoder.decode(Self.v4Fragment(segment, offset: 8, length: 32, more: false)).result == .error(.badFragment))
        #expect(decoder.statistics.errors[.badFragment] == 3)
        #expect(decoder.fragmentsInFlight == 0)
    }

    @Test func malformedSingleFragmentsAreBad() {
        var decoder = PacketDecoder()
        // A middle fragment not a multiple of 8 bytes long, and an empty fragment.
        #expect(decoder.decode(Self.v4Fragment(Self.udpSegment, offset: 0, length: 20, more: true)).result == .error(.badFragment))
        #expect(decoder.decode(B.ethernet(0x0800, B.ipv4(proto: 17, [], flagsAndOffset: 0x2001))).result == .error(.badFragment))
        #expect(decoder.fragmentsInFlight == 0)
    }

    @Test func snaplenCutFragmentCannotBeReassembled() {
        let frame = Self.v4Fragment(Self.udpSegment, offset: 0, length: 48, more: true)
        var decoder = PacketDecoder()
        #expect(decoder.decode(Array(frame.prefix(frame.count - 1))).result == .error(.truncatedFragment))
        #expect(decoder.statistics.errors[.truncatedFragment] == 1)
        #expect(decoder.fragmentsInFlight == 0)
    }

    @Test func fragmentTruncatedAtEveryOffset() {
        let frame = Self.v4Fragment(Self.udpSegment, offset: 48, length: 48, more: true)
        var decoder = PacketDecoder()
        for length in 0..<frame.count {
            let expected: DecodeError = switch length {
            case ..<14: .truncatedLink
            case ..<34: .truncatedIPv4
            default: .truncatedFragment
            }
            #expect(decoder.decode(Array(frame.prefix(length))).result == .error(expected), "cut at \(length)")
        }
        #expect(decoder.decode(frame).result == .fragmentHeld)
    }

    @Test func timeoutDiscardsIncompleteDatagrams() {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        var decoder = PacketDecoder()
        #expect(decoder.decode(frames[0], at: Timestamp(nanoseconds: 0)).result == .fragmentHeld)
        #expect(decoder.decode(frames[1], at: Timestamp(nanoseconds: 29 * Self.second)).result == .fragmentHeld)
        #expect(decoder.statistics.errors[.fragmentTimeout] == nil)
        // Any packet moves packet time on; the datagram's 30 s ran from its first fragment.
        let unrelated = B.ethernet(0x0800, B.ipv4(proto: 17, B.udp()))
        #expect(decoder.decode(unrelated, at: Timestamp(nanoseconds: 30 * Self.second)).result == .packet)
        #expect(decoder.statistics.errors[.fragmentTimeout] == 1)
        #expect(decoder.fragmentsInFlight == 0)
        // The last fragment alone now starts a new datagram.
        #expect(decoder.decode(frames[2], at: Timestamp(nanoseconds: 31 * Self.second)).result == .fragmentHeld)
        #expect(decoder.fragmentsInFlight == 1)
    }

    @Test func completesJustBeforeTheTimeout() {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        var decoder = PacketDecoder()
        #expect(decoder.decode(frames[0], at: Timestamp(nanoseconds: 0)).result == .fragmentHeld)
        #expect(decoder.decode(frames[1], at: Timestamp(nanoseconds: 0)).result == .fragmentHeld)
        expectReassembledUDP(decoder.decode(frames[2], at: Timestamp(nanoseconds: 30 * Self.second - 1)))
    }

    @Test func configuredTimeout() {
        var configuration = PacketDecoderConfiguration()
        configuration.fragmentTimeout = 2 * Self.second
        var decoder = PacketDecoder(configuration: configuration)
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        #expect(decoder.decode(frames[0], at: Timestamp(nanoseconds: 0)).result == .fragmentHeld)
        #expect(decoder.decode(frames[1], at: Timestamp(nanoseconds: 3 * Self.second)).result == .fragmentHeld)
        #expect(decoder.statistics.errors[.fragmentTimeout] == 1)
    }

    @Test func tableFull() {
        var configuration = PacketDecoderConfiguration()
        configuration.maximumDatagramsInFlight = 2
        var decoder = PacketDecoder(configuration: configuration)
        let first = Self.v4Fragments(Self.udpSegment, size: 48, identification: 1)
        let second = Self.v4Fragments(Self.udpSegment, size: 48, identification: 2)
        let third = Self.v4Fragments(Self.udpSegment, size: 48, identification: 3)
        #expect(decoder.decode(first[0]).result == .fragmentHeld)
        #expect(decoder.decode(second[0]).result == .fragmentHeld)
        #expect(decoder.decode(third[0]).result == .error(.fragmentTableFull))
        // Datagrams already in the table still progress.
        #expect(decoder.decode(first[1]).result == .fragmentHeld)
        expectReassembledUDP(decoder.decode(first[2]))
        #expect(decoder.decode(third[0]).result == .fragmentHeld)
        #expect(decoder.statistics.errors[.fragmentTableFull] == 1)
    }

    @Test func defaultTableIsBoundedAt1024() {
        var decoder = PacketDecoder()
        var full = 0
        for identification in 0..<1100 {
            let frame = Self.v4Fragment(Self.udpSegment, offset: 0, length: 48, more: true,
                                        identification: UInt16(identification))
            if decoder.decode(frame).result == .error(.fragmentTableFull) { full += 1 }
        }
        #expect(decoder.fragmentsInFlight == 1024)
        #expect(full == 76)
        #expect(decoder.configuration.maximumDatagramsInFlight == 1024)
        #expect(decoder.configuration.maximumDatagramLength == 65_535)
    }

    @Test func configurationIsClamped() {
        var configuration = PacketDecoderConfiguration()
        configuration.maximumDatagramsInFlight = 0
        configuration.maximumDatagramLength = 1_000_000
        configuration.fragmentTimeout = -5
        let decoder = PacketDecoder(configuration: configuration)
        #expect(decoder.configuration.maximumDatagramsInFlight == 1)
        #expect(decoder.configuration.maximumDatagramLength == 65_535)
        #expect(decoder.configuration.fragmentTimeout == 0)
    }

    @Test func smallerDatagramLimit() {
        var configuration = PacketDecoderConfiguration()
        configuration.maximumDatagramLength = 100
        var decoder = PacketDecoder(configuration: configuration)
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        #expect(decoder.decode(frames[0]).result == .fragmentHeld)
        #expect(decoder.decode(frames[1]).result == .error(.badFragment))
    }

    @Test func keysSeparateVLANsAndProtocols() {
        let onTen = Self.v4Fragments(Self.udpSegment, size: 48, tags: [(0x8100, 10)])
        let onTwenty = Self.v4Fragments(Self.udpSegment, size: 48, tags: [(0x8100, 20)])
        let otherProtocol = Self.v4Fragments(Self.udpSegment, size: 48, proto: 132)
        var decoder = PacketDecoder()
        #expect(decoder.decode(onTen[0]).result == .fragmentHeld)
        #expect(decoder.decode(onTwenty[1]).result == .fragmentHeld)
        #expect(decoder.decode(otherProtocol[2]).result == .fragmentHeld)
        #expect(decoder.decode(onTen[1]).result == .fragmentHeld)
        #expect(decoder.fragmentsInFlight == 3)
        let decoded = decoder.decode(onTen[2])
        expectReassembledUDP(decoded)
        #expect(decoded.packet.vlanID == 10)
        #expect(decoder.fragmentsInFlight == 2)
    }

    @Test func copiedDecodersReassembleIndependently() {
        let frames = Self.v4Fragments(Self.udpSegment, size: 48)
        var original = PacketDecoder()
        #expect(original.decode(frames[0]).result == .fragmentHeld)
        #expect(original.decode(frames[1]).result == .fragmentHeld)
        var copy = original
        var packetA = DecodedPacket()
        var packetB = DecodedPacket()
        let last = frames[2]
        let resultA = last.withUnsafeBytes { original.decode($0, linkType: .ethernet, timestamp: .zero, into: &packetA) }
        let resultB = last.withUnsafeBytes { copy.decode($0, linkType: .ethernet, timestamp: .zero, into: &packetB) }
        #expect(resultA == .packet)
        #expect(resultB == .packet)
        // Both payloads live in reassembly buffers; completing one must not have overwritten the other.
        #expect(packetA.payload.baseAddress != packetB.payload.baseAddress)
        #expect([UInt8](packetA.payload) == Self.udpPayload)
        #expect([UInt8](packetB.payload) == Self.udpPayload)
    }

    // MARK: IPv6

    @Test func ipv6InAndOutOfOrder() {
        // Destination options travel in the fragmentable part, ahead of TCP.
        let fragmentable = B.extensionHeader(next: 6) + B.tcp(flags: TCPFlags.ack, B.pattern(200))
        let unfragmentable = B.extensionHeader(next: 44) // hop-by-hop
        func frame(_ offset: Int, _ length: Int, _ more: Bool) -> [UInt8] {
            Self.v6Fragment(fragmentable, offset: offset, length: length, more: more, next: 60, unfragmentable: unfragmentable)
        }
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let frames = [frame(0, 80, true), frame(80, 80, true), frame(160, 68, false)]
            var decoder = PacketDecoder()
            #expect(decoder.decode(frames[order[0]]).result == .fragmentHeld)
            #expect(decoder.decode(frames[order[1]]).result == .fragmentHeld)
            let decoded = decoder.decode(frames[order[2]])
            #expect(decoded.result == .packet, "order \(order)")
            #expect(decoded.packet.source.isIPv6)
            #expect(decoded.packet.ianaNumber == 6)
            #expect(decoded.packet.tcpFlags == TCPFlags.ack)
            #expect(decoded.packet.ipLength == 40 + 8 + fragmentable.count)
            #expect(decoded.packet.payloadLength == 200)
            #expect(decoded.payload == B.pattern(200))
            #expect(decoder.statistics.reassembled == 1)
        }
    }

    @Test func ipv6UsesTheOffsetZeroNextHeader() {
        let segment = Self.udpSegment
        var decoder = PacketDecoder()
        #expect(decoder.decode(Self.v6Fragment(segment, offset: 56, length: 52, more: false, next: 6)).result == .fragmentHeld)
        let decoded = decoder.decode(Self.v6Fragment(segment, offset: 0, length: 56, more: true, next: 17))
        #expect(decoded.result == .packet)
        #expect(decoded.packet.ianaNumber == 17)
        #expect(decoded.packet.ipLength == 40 + 108)
        #expect(decoded.payload == Self.udpPayload)
    }

    @Test func ipv6OversizedIsBad() {
        var decoder = PacketDecoder()
        let data = B.pattern(16)
        let frame = B.ethernet(0x86DD, B.ipv6(nextHeader: 44,
                                              B.fragmentHeader(next: 17, offset: 65_520, more: false, identification: 1) + data))
        #expect(decoder.decode(frame).result == .error(.badFragment))
    }

    @Test func ipv6NestedFragmentHeaderIsBad() {
        let fragmentable = B.fragmentHeader(next: 17, offset: 8, more: false, identification: 2) + Self.udpSegment
        var decoder = PacketDecoder()
        #expect(decoder.decode(Self.v6Fragment(fragmentable, offset: 0, length: 56, more: true, next: 44)).result == .fragmentHeld)
        let result = decoder.decode(Self.v6Fragment(fragmentable, offset: 56, length: 60, more: false, next: 44)).result
        #expect(result == .error(.badFragment))
    }

    @Test func ipv6FragmentTruncatedAtEveryOffset() {
        let frame = Self.v6Fragment(Self.udpSegment, offset: 0, length: 48, more: true, next: 17,
                                    unfragmentable: B.extensionHeader(next: 44))
        var decoder = PacketDecoder()
        for length in 0..<frame.count {
            let expected: DecodeError = switch length {
            case ..<14: .truncatedLink
            case ..<54: .truncatedIPv6
            case ..<70: .badIPv6ExtensionHeader
            default: .truncatedFragment
            }
            #expect(decoder.decode(Array(frame.prefix(length))).result == .error(expected), "cut at \(length)")
        }
        #expect(decoder.decode(frame).result == .fragmentHeld)
    }

    @Test func everyFrameIsAccountedFor() {
        var decoder = PacketDecoder()
        var held = 0
        var frames = Self.v4Fragments(Self.udpSegment, size: 16)
        frames += [B.ethernet(0x0806, B.pattern(28)), B.ethernet(0x0800, B.pattern(10))]
        frames += Self.v4Fragments(Self.udpSegment, size: 24) // 24 is fine: a multiple of 8
        frames.append(Self.v4Fragment(Self.udpSegment, offset: 0, length: 12, more: true, identification: 9))
        for frame in frames where decoder.decode(frame).result == .fragmentHeld { held += 1 }
        let statistics = decoder.statistics
        #expect(statistics.packets + statistics.notIP + statistics.totalErrors + held == frames.count)
        #expect(statistics.reassembled == 2)
    }
}

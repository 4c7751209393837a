import HydrantCapture
import HydrantRecords
import Testing

/// SplitMix64: a fixed-seed generator, so that a failure reproduces.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Decoder: hostile input")
struct DecoderRobustnessTests {
    typealias B = FrameFixture

    /// Valid frames of every kind the decoder knows, to be damaged.
    static let corpus: [(LinkType, [UInt8])] = {
        let v4 = [
            B.ipv4(proto: 6, B.tcp(options: [2, 4, 5, 0xB4], B.pattern(30))),
            B.ipv4(proto: 17, B.udp(B.pattern(12)), options: [0x94, 4, 0, 0]),
            B.ipv4(proto: 1, B.icmp(B.pattern(8))),
            B.ipv4(proto: 132, B.sctp(B.pattern(16))),
            B.ipv4(proto: 47, B.pattern(20)),
            B.ipv4(proto: 17, Array(B.udp(B.pattern(40)).prefix(24)), flagsAndOffset: 0x2000),
            B.ipv4(proto: 17, Array(B.udp(B.pattern(40)).suffix(24)), flagsAndOffset: 0x0003),
        ]
        let v6 = [
            B.ipv6(nextHeader: 6, B.tcp(B.pattern(10))),
            B.ipv6(nextHeader: 0, B.extensionHeader(next: 43) + B.extensionHeader(next: 51, units: 1)
                + B.authenticationHeader(next: 17) + B.udp(B.pattern(9))),
            B.ipv6(nextHeader: 58, B.icmp(type: 128, B.pattern(4))),
            B.ipv6(nextHeader: 44, B.fragmentHeader(next: 17, offset: 0, more: true, identification: 5) + B.pattern(16)),
            B.ipv6(nextHeader: 44, B.fragmentHeader(next: 17, offset: 16, more: false, identification: 5) + B.pattern(9)),
        ]
        var frames: [(LinkType, [UInt8])] = []
        for ip in v4 {
            frames.append((.ethernet, B.ethernet(0x0800, ip)))
            frames.append((.ethernet, B.ethernet(0x0800, tags: [(0x88A8, 3), (0x8100, 4)], ip)))
            frames.append((.bsdLoopback, B.bsdLoopback(family: 2, littleEndian: true, ip)))
            frames.append((.linuxSLL, B.linuxSLL(0x0800, ip)))
            frames.append((.ppp, [0xFF, 0x03, 0x00, 0x21] + ip))
            frames.append((.rawIP, ip))
        }
        for ip in v6 {
            frames.append((.ethernet, B.ethernet(0x86DD, ip)))
            frames.append((.openBSDLoopback, B.bsdLoopback(family: 24, littleEndian: false, ip)))
            frames.append((.linuxSLL2, B.linuxSLL2(0x86DD, ip)))
            frames.append((.rawIP, ip))
        }
        return frames
    }()

    @Test func damagedFramesNeverEscapeTheirBytes() {
        var random = SplitMix64(state: 0x4879_6472_616E_74)
        var decoder = PacketDecoder()
        var held = 0
        let iterations = 40_000
        for iteration in 0..<iterations {
            var (linkType, frame) = Self.corpus[Int.random(in: 0..<Self.corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 0...4, using: &random) where !frame.isEmpty {
                frame[Int.random(in: 0..<frame.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            switch Int.random(in: 0..<4, using: &random) {
            case 0: frame = Array(frame.prefix(Int.random(in: 0...frame.count, using: &random)))
            case 1: frame += (0..<Int.random(in: 1...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            default: break
            }
            let time = Timestamp(nanoseconds: Int64(iteration) * 1_000_000)

            let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 1)
            defer { exact.deallocate() }
            exact.copyBytes(from: frame)
            let reassembledBefore = decoder.statistics.reassembled
            var packet = DecodedPacket()
            let result = decoder.decode(UnsafeRawBufferPointer(exact), linkType: linkType, timestamp: time, into: &packet)
            if result == .fragmentHeld { held += 1 }
            guard result == .packet else { continue }

            #expect(packet.payload.count <= packet.payloadLength)
            #expect(packet.payloadLength <= packet.ipLength)
            #expect(packet.ipLength <= 65_535 + 40)
            if decoder.statistics.reassembled == reassembledBefore, let base = packet.payload.baseAddress,
               let frameBase = exact.baseAddress {
                let start = UnsafeRawPointer(frameBase)
                #expect(base >= start && base + packet.payload.count <= start + frame.count, "payload escaped the frame")
            }
        }
        let statistics = decoder.statistics
        #expect(statistics.packets + statistics.notIP + statistics.totalErrors - (statistics.errors[.fragmentTimeout] ?? 0)
            + held == iterations)
        #expect(statistics.packets > 0)
        #expect(decoder.fragmentsInFlight <= decoder.configuration.maximumDatagramsInFlight)
    }

    @Test func randomBytesOnEveryLinkType() {
        var random = SplitMix64(state: 7)
        let linkTypes: [LinkType] = [.ethernet, .bsdLoopback, .openBSDLoopback, .rawIP, .linuxSLL, .linuxSLL2, .ppp,
                                     .unsupported(147)]
        var decoder = PacketDecoder()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...96, using: &random)
            var frame = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Steer a share of frames into the IP decoders, where the interesting checks are.
            if count > 0, Bool.random(using: &random) { frame[0] = Bool.random(using: &random) ? 0x45 : 0x60 }
            let linkType = linkTypes[Int.random(in: 0..<linkTypes.count, using: &random)]
            _ = decoder.decode(frame, linkType)
        }
        #expect(decoder.statistics.notIP + decoder.statistics.totalErrors + decoder.statistics.packets > 0)
    }
}

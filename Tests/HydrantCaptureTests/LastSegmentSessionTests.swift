import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantCapture

/// A TCP segment of the same connection as the one before skips the session table (`LastSegmentSession`). With the
/// memo on or off the analyzer must see every packet the same: the protocol it gives each packet (which the flow
/// table keeps), the records, the counters and the sessions it follows, on mixed traffic twisted into hostile shapes.
@Suite struct LastSegmentSessionTests {
    /// A decoded packet with its payload kept.
    private struct Held {
        var packet: DecodedPacket
        var payload: [UInt8]
    }

    /// The packets of a mixed synthetic capture (DNS, HTTP, TLS, bulk transfers), decoded.
    private static func packets(count: Int, seed: UInt64) throws -> [Held] {
        var writer = PcapWriter(inMemory: 262_144)
        _ = try MixedScenario(packets: count, seed: seed).write(to: &writer)
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-last-segment-\(UUID().uuidString).pcap")
        try Data(writer.memoryContents).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let source = try PcapSource.openFile(url.path)
        var decoder = PacketDecoder()
        var packet = DecodedPacket()
        var held: [Held] = []
        while case .frame(let frame) = try source.next() {
            guard decoder.decode(frame.bytes, linkType: source.linkType, timestamp: frame.timestamp,
                                 wireLength: frame.wireLength, into: &packet) == .packet else { continue }
            held.append(Held(packet: packet, payload: Array(packet.payload)))
        }
        return held
    }

    /// `packets` twisted: directions swapped, segments repeated, RSTs and FINs out of turn, VLAN tags on some
    /// segments of a connection, sender and receiver made one address, payloads replaced by garbage or cut, ports
    /// reused after a close, and time jumping past the idle timeout.
    private static func twisted(_ packets: [Held], seed: UInt64) -> [Held] {
        var random = HydrantTestSupport.SeededGenerator(seed: seed)
        var out: [Held] = []
        var shift: Int64 = 0
        for original in packets {
            var held = original
            if random.below(2_000) == 0 { shift += 200 * 1_000_000_000 }
            held.packet.timestamp = Timestamp(nanoseconds: held.packet.timestamp.nanoseconds + shift)
            guard held.packet.ianaNumber == 6 else {
                out.append(held)
                continue
            }
            switch random.below(40) {
            case 0:
                swap(&held.packet.source, &held.packet.destination)
                swap(&held.packet.sourcePort, &held.packet.destinationPort)
            case 1:
                out.append(held)
            case 2:
                var reset = held
                reset.packet.tcpFlags = TCPFlags.rst | TCPFlags.ack
                reset.payload = []
                reset.packet.payloadLength = 0
                out.append(reset)
            case 3:
                held.packet.tcpFlags |= TCPFlags.fin
            case 4:
                held.packet.vlanID = UInt16(1 + random.below(2))
            case 5:
                held.packet.vlanID = 7
                held.packet.innerVLANID = UInt16(random.below(2))
            case 6:
                held.packet.destination = held.packet.source
            case 7:
                held.packet.destination = held.packet.source
                held.packet.destinationPort = held.packet.sourcePort
            case 8 where !held.payload.isEmpty:
                held.payload = (0..<held.payload.count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 9 where held.payload.count > 1:
                held.payload = Array(held.payload.prefix(random.below(held.payload.count)))
            case 10:
                // The same ports again as a new connection: a SYN after whatever came before.
                var syn = held
                syn.packet.tcpFlags = TCPFlags.syn
                syn.payload = []
                syn.packet.payloadLength = 0
                out.append(syn)
            case 11:
                // A first segment of garbage, then the real one.
                var garbage = held
                garbage.payload = Array(repeating: 0x17, count: 3 + random.below(20))
                garbage.packet.payloadLength = garbage.payload.count
                out.append(garbage)
            default:
                break
            }
            out.append(held)
        }
        return out
    }

    /// What one analyzer made of `packets`: each packet's protocol, the records, the counters.
    private static func run(_ packets: [Held], memo: Bool, configuration: ApplicationConfiguration)
        -> (protocols: [ApplicationProtocol], records: CaptureRecords, statistics: ApplicationStatistics,
            sessions: [Int]) {
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        analyzer.remembersRecentSegments = memo
        var protocols: [ApplicationProtocol] = []
        var sessions: [Int] = []
        var records = CaptureRecords()
        for (index, held) in packets.enumerated() {
            var packet = held.packet
            let recognised = held.payload.withUnsafeBytes { bytes in
                packet.payload = bytes
                return analyzer.analyze(packet)
            }
            protocols.append(recognised)
            if index % 97 == 0 { sessions.append(analyzer.sessionCount) }
        }
        analyzer.flush()
        analyzer.takeRecords(into: &records)
        return (protocols, records, analyzer.statistics, sessions)
    }

    @Test(arguments: [(1, false), (2, false), (3, true), (4, true)] as [(UInt64, Bool)])
    func sameAsLookingEverySegmentUp(seed: UInt64, smallTable: Bool) throws {
        let plain = try Self.packets(count: 6_000, seed: seed)
        var configuration = ApplicationConfiguration()
        if smallTable {
            // A full table: sessions refused, forced sweeps.
            configuration.maxSessions = 24
            configuration.sessionIdleTimeout = 2 * 1_000_000_000
        }
        for variant in 0..<3 {
            let packets = variant == 0 ? plain : Self.twisted(plain, seed: seed &* 31 &+ UInt64(variant))
            // Runs of one connection must be there, or the memo would not be exercised.
            var runs = 0
            var previous: FlowKey?
            for held in packets where held.packet.ianaNumber == 6 {
                let key = FlowKey.make(held.packet).key
                if key == previous { runs += 1 }
                previous = key
            }
            #expect(runs > 500)
            let reference = Self.run(packets, memo: false, configuration: configuration)
            let remembered = Self.run(packets, memo: true, configuration: configuration)
            #expect(remembered.protocols == reference.protocols, "seed \(seed) variant \(variant)")
            #expect(remembered.records.dns == reference.records.dns)
            #expect(remembered.records.http == reference.records.http)
            #expect(remembered.records.tls == reference.records.tls)
            #expect(remembered.statistics == reference.statistics)
            #expect(remembered.sessions == reference.sessions)
            // The traffic must reach the parsers, or agreement would prove little.
            #expect(reference.records.http.count + reference.records.tls.count > 20)
            #expect(reference.protocols.contains(.http) && reference.protocols.contains(.tls))
            if smallTable { #expect(reference.statistics.sessionsRefused > 0) }
        }
    }
}

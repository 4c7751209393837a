import Foundation
import HydrantRecords
import Testing
import Yams
@testable import HydrantCapture

/// IP defragmentation against suricata-verify's `defrag/bug-6887-*` cases: each capture holds one TCP segment
/// that exists only after reassembly (IPv4 and IPv6, over Ethernet, VLAN and PPP). Suricata's rule fires once, on
/// the reassembled packet, and its alert carries that packet; Hydrant must rebuild exactly one segment that
/// satisfies the rule, with the same payload bytes.
///
/// `bug-6942-6887-defrag-eth-ip-gre-ppp-ip-udp-data` is not mapped: its fragments sit inside a GRE tunnel, which
/// Hydrant does not decapsulate.
@Suite struct SuricataDefragTests {
    static let cases = [
        "bug-6887-defrag-eth-vlan-ipv4-tcp-syn", "bug-6887-defrag-eth-vlan-ipv6-tcp", "bug-6887-defrag-ipv4-tcp-syn",
        "bug-6887-defrag-ipv6-tcp", "bug-6887-defrag-ppp-ipv4-tcp-syn", "bug-6887-defrag-ppp-ipv6-tcp",
    ]

    @Test(arguments: cases)
    func reassembledSegmentMatchesSuricatasAlertPacket(test: String) throws {
        guard let folder = SharedConformance.file("suricata-verify/tests/defrag/\(test)") else {
            Issue.record(Comment(rawValue: "../shared/conformance/suricata-verify is absent; skipped"), severity: .warning)
            return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let pcap = try #require(files.first { $0.hasSuffix(".pcap") })
        let rule = try String(contentsOf: folder.appendingPathComponent("test.rules"), encoding: .utf8)
        let yaml = try #require(try Yams.load(yaml: String(contentsOf: folder.appendingPathComponent("test.yaml"), encoding: .utf8)) as? [String: Any])
        let checks = try #require(yaml["checks"] as? [[String: Any]])
        let match = try #require((checks.first?["filter"] as? [String: Any])?["match"] as? [String: Any])
        let encoded = try #require(match["packet"] as? String)
        let alertPacket = try #require(Data(base64Encoded: encoded))

        var segments: [(flags: UInt8, payload: [UInt8], payloadLength: Int)] = []
        var reassembled = 0
        let source = try PcapSource.openFile(folder.appendingPathComponent(pcap).path)
        var decoder = PacketDecoder()
        var packet = DecodedPacket()
        while case .frame(let frame) = try source.next() {
            if decoder.decode(frame.bytes, linkType: source.linkType, timestamp: frame.timestamp, wireLength: frame.wireLength, into: &packet) == .packet,
               packet.ianaNumber == 6 {
                segments.append((packet.tcpFlags, Array(packet.payload), packet.payloadLength))
            }
            reassembled = decoder.statistics.reassembled
        }
        #expect(reassembled == 1, "\(test): one datagram rebuilt from its fragments")
        #expect(segments.count == 1, "\(test): one TCP segment, as Suricata's one alert")
        guard let segment = segments.first else { return }
        if rule.contains("tcp.flags:S") {
            #expect(segment.flags & TCPFlags.syn != 0, "\(test): the rule needs a SYN")
        }
        if let range = rule.range(of: #"dsize:(\d+)"#, options: .regularExpression),
           let size = Int(rule[range].dropFirst("dsize:".count)) {
            #expect(segment.payloadLength == size, "\(test): the rule needs a \(size)-byte payload")
        }
        // Suricata's alert packet is the reassembled datagram (IP header onwards): its tail is the payload.
        #expect(segment.payload.count == segment.payloadLength)
        #expect(Array(alertPacket.suffix(segment.payload.count)) == segment.payload, "\(test): payload bytes differ from Suricata's")
    }
}

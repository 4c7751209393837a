import Foundation
import HydrantRecords
import Testing
@testable import HydrantCapture

/// suricata-verify `ipv4-truncated`: a 1,530-byte frame, captured whole, whose IPv4 header claims 65,028 bytes.
/// Suricata raises its `ipv4.trunc_pkt` decoder event; Hydrant counts it as `ip_length_exceeds_frame` and makes
/// no flow of it, so the lie cannot inflate byte counts.
@Suite struct SuricataDecodeEventTests {
    @Test func truncatedIPv4IsCountedAndSkipped() throws {
        guard let folder = SharedConformance.file("suricata-verify/tests/ipv4-truncated") else {
            Issue.record(Comment(rawValue: "../shared/conformance/suricata-verify is absent; skipped"), severity: .warning)
            return
        }
        let rules = try String(contentsOf: folder.appendingPathComponent("decoder-events.rules"), encoding: .utf8)
        #expect(rules.contains("ipv4.trunc_pkt"))
        let (records, stats) = try CaptureHarness.replay([folder.appendingPathComponent("truncated.pcap").path])
        #expect(stats.frames == 1)
        #expect(stats.decode.errors[.ipLengthExceedsFrame] == 1)
        #expect(records.isEmpty)
    }
}

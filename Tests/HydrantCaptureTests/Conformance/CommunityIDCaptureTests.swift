import Foundation
import HydrantRecords
import Testing
@testable import HydrantCapture

/// Community ID from real packets: `combined.pcap.gz` of corelight/community-id-spec, decoded by Hydrant,
/// against the spec's baselines in all three settings (seed 0 base64, seed 1, no base64).
@Suite struct CommunityIDCaptureTests {
    private struct Tuple: Decodable {
        var proto: UInt8
        var saddr: String
        var daddr: String
        var communityid: String
    }

    private static let settings: [(file: String, seed: UInt16, base64: Bool)] = [
        ("baseline_deflt.json", 0, true), ("baseline_seed1.json", 1, true), ("baseline_nob64.json", 0, false),
    ]

    @Test(arguments: settings.map(\.file))
    func everyBaselineTupleIsFoundInTheDecodedCapture(file: String) throws {
        guard let capture = SharedConformance.file("community-id/pcaps/combined.pcap.gz"),
              let baselineURL = SharedConformance.file("community-id/baseline/\(file)") else {
            Issue.record(Comment(rawValue: "../shared/conformance/community-id is absent; skipped"), severity: .warning)
            return
        }
        let setting = try #require(Self.settings.first { $0.file == file })
        let baseline = try JSONDecoder().decode([Tuple].self, from: Data(contentsOf: baselineURL))
        #expect(baseline.count == 23)
        let pcap = try CaptureHarness.gunzip(capture)
        defer { try? FileManager.default.removeItem(at: pcap) }
        let hasher = CommunityID(seed: setting.seed)
        var seen = Set<String>()
        try CaptureHarness.forEachPacket(in: pcap.path) { p in
            let id = hasher.string(source: p.source, destination: p.destination, ianaNumber: p.ianaNumber,
                                   sourcePort: p.sourcePort, destinationPort: p.destinationPort, hasPorts: p.hasPorts,
                                   base64: setting.base64)
            seen.insert("\(p.ianaNumber) \(p.source) \(p.destination) \(id)")
        }
        for tuple in baseline {
            let source = try #require(IPAddress(tuple.saddr))
            let destination = try #require(IPAddress(tuple.daddr))
            let key = "\(tuple.proto) \(source) \(destination) \(tuple.communityid)"
            #expect(seen.contains(key), "no decoded packet gives \(key)")
        }
    }

    @Test func flowRecordsCarryTheBaselineCommunityIDs() throws {
        guard let capture = SharedConformance.file("community-id/pcaps/combined.pcap.gz"),
              let baselineURL = SharedConformance.file("community-id/baseline/baseline_deflt.json") else {
            Issue.record(Comment(rawValue: "../shared/conformance/community-id is absent; skipped"), severity: .warning)
            return
        }
        let baseline = try JSONDecoder().decode([Tuple].self, from: Data(contentsOf: baselineURL))
        let pcap = try CaptureHarness.gunzip(capture)
        defer { try? FileManager.default.removeItem(at: pcap) }
        let (records, _) = try CaptureHarness.replay([pcap.path])
        let ids = Set(records.compactMap(\.communityID))
        for tuple in baseline {
            #expect(ids.contains(tuple.communityid), "no flow record carries \(tuple.communityid) (\(tuple.saddr) → \(tuple.daddr))")
        }
        // Every flow's Community ID is the one its own endpoints give.
        let hasher = CommunityID()
        for record in records {
            let icmp = record.icmpType != nil
            let expected = hasher.string(source: record.sourceIP, destination: record.destinationIP,
                                         ianaNumber: record.ianaNumber,
                                         sourcePort: icmp ? UInt16(record.icmpType ?? 0) : record.sourcePort ?? 0,
                                         destinationPort: icmp ? UInt16(record.icmpCode ?? 0) : record.destinationPort ?? 0,
                                         hasPorts: icmp || record.sourcePort != nil)
            #expect(record.communityID == expected)
        }
    }
}

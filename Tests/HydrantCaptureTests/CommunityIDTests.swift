import Foundation
import HydrantRecords
import Testing
@testable import HydrantCapture

private struct VectorFile: Decodable {
    struct Vector: Decodable {
        var proto: UInt8
        var saddr: String
        var daddr: String
        var sport: UInt16?
        var dport: UInt16?
        var expected: [String: String]
    }
    var vectors: [Vector]
}

private let vectorPath = "community-id/pycommunityid/test_vectors.json"

private struct BaselineTuple: Decodable {
    var proto: UInt8
    var saddr: String
    var daddr: String
    var sport: UInt16?
    var dport: UInt16?
    var communityid: String
}

private let baselineFolder = "community-id/baseline"

@Suite struct CommunityIDTests {
    @Test(.enabled(if: SharedConformance.file(vectorPath) != nil,
                   "../shared/conformance/\(vectorPath) is absent; pycommunityid vectors skipped"))
    func pycommunityidVectors() throws {
        let url = try #require(SharedConformance.file(vectorPath))
        let file = try JSONDecoder().decode(VectorFile.self, from: Data(contentsOf: url))
        #expect(file.vectors.count == 19)
        var checked = 0
        for vector in file.vectors {
            let source = try #require(IPAddress(vector.saddr))
            let destination = try #require(IPAddress(vector.daddr))
            let hasPorts = vector.sport != nil
            for (setting, expected) in vector.expected {
                let seed: UInt16 = setting == "seed1" ? 1 : 0
                let base64 = setting != "no_base64"
                #expect(["default", "seed1", "no_base64"].contains(setting))
                let id = CommunityID(seed: seed).string(
                    source: source, destination: destination, ianaNumber: vector.proto,
                    sourcePort: vector.sport ?? 0, destinationPort: vector.dport ?? 0, hasPorts: hasPorts, base64: base64)
                #expect(id == expected, "\(vector.proto) \(vector.saddr):\(vector.sport ?? 0) → \(vector.daddr):\(vector.dport ?? 0) [\(setting)]")
                checked += 1
            }
        }
        #expect(checked == 18 * 3 + 1)
    }

    /// The spec's baseline tuples (ICMP ports already given as Zeek's port equivalents, which map to themselves).
    @Test(.enabled(if: SharedConformance.file("\(baselineFolder)/baseline_deflt.json") != nil,
                   "../shared/conformance/\(baselineFolder) is absent; Community ID baseline tuples skipped"),
          arguments: [("baseline_deflt.json", UInt16(0), true), ("baseline_seed1.json", UInt16(1), true),
                      ("baseline_nob64.json", UInt16(0), false)])
    func specBaselineTuples(file: String, seed: UInt16, base64: Bool) throws {
        let url = try #require(SharedConformance.file("\(baselineFolder)/\(file)"))
        let tuples = try JSONDecoder().decode([BaselineTuple].self, from: Data(contentsOf: url))
        #expect(tuples.count == 23)
        for t in tuples {
            let id = CommunityID(seed: seed).string(
                source: try #require(IPAddress(t.saddr)), destination: try #require(IPAddress(t.daddr)),
                ianaNumber: t.proto, sourcePort: t.sport ?? 0, destinationPort: t.dport ?? 0,
                hasPorts: t.sport != nil, base64: base64)
            #expect(id == t.communityid, "\(t.proto) \(t.saddr):\(t.sport ?? 0) → \(t.daddr):\(t.dport ?? 0)")
        }
    }

    @Test func specExampleIsDirectionless() {
        let a = IPAddress("10.0.0.1")!
        let b = IPAddress("127.0.0.1")!
        let forward = CommunityID().string(source: a, destination: b, ianaNumber: 6, sourcePort: 1234, destinationPort: 80, hasPorts: true)
        let backward = CommunityID().string(source: b, destination: a, ianaNumber: 6, sourcePort: 80, destinationPort: 1234, hasPorts: true)
        #expect(forward == backward)
        // pycommunityid README: make_tcp('127.0.0.1', '10.0.0.1', 1234, 80) → 1:mgRgpIZSu0KHDp/QrtcWZpkJpMU=
        #expect(CommunityID().string(source: b, destination: a, ianaNumber: 6, sourcePort: 1234, destinationPort: 80, hasPorts: true)
            == "1:mgRgpIZSu0KHDp/QrtcWZpkJpMU=")
    }

    @Test func hashInputLayout() {
        // pycommunityid's verbose trace for tcp 10.0.0.1:10 → 10.0.0.2:20: seed, two addresses, proto, pad, ports.
        let digest = CommunityID().digest(source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!,
                                          ianaNumber: 6, sourcePort: 10, destinationPort: 20, hasPorts: true)
        #expect(digest.count == 20)
        #expect(CommunityID().string(source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!,
                                     ianaNumber: 6, sourcePort: 10, destinationPort: 20, hasPorts: true)
            == "1:9j2Dzwrw7T9E+IZi4b4IVT66HBI=")
    }

    @Test func icmpPortEquivalents() {
        #expect(CommunityID.portEquivalents(ianaNumber: 1, type: 8, code: 0) == (8, 0, false))
        #expect(CommunityID.portEquivalents(ianaNumber: 1, type: 0, code: 5) == (0, 8, false))
        #expect(CommunityID.portEquivalents(ianaNumber: 1, type: 3, code: 1) == (3, 1, true))
        #expect(CommunityID.portEquivalents(ianaNumber: 58, type: 135, code: 0) == (135, 136, false))
        #expect(CommunityID.portEquivalents(ianaNumber: 58, type: 1, code: 4) == (1, 4, true))
        #expect(CommunityID.portEquivalents(ianaNumber: 6, type: 80, code: 443) == (80, 443, false))
    }
}

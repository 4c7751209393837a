import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// `VPCFlowLogLineConverter`: VPC Flow Logs lines arriving one per Firehose record become `flowlog.vpc` JSON
/// records.
@Suite struct VPCFlowLogLineConverterTests {
    static let arrival = Timestamp(seconds: 1_700_000_000, nanoseconds: 500_000_000)

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == 1, "one line per record")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    static func path(_ object: [String: Any], _ dotted: String) -> Any? {
        var current: Any? = object
        for key in dotted.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
        return current
    }

    /// Every conformance line, fed one at a time with its file's header first, converts to a record carrying the
    /// line's values (or to a status for NODATA/SKIPDATA).
    @Test func everyConformanceLineConverts() throws {
        guard let folder = Conformance.folder("vpc-flow-logs") else { return }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected_parsed.json")))
            as? [String: Any] ?? [:]
        var records = 0
        var statuses = 0
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            let entry = try #require(value as? [String: Any], "\(name)")
            var converter = VPCFlowLogLineConverter(source: name)
            var out: [UInt8] = []
            let header = try #require(entry["format"] as? String)
            #expect(try converter.convert(Array((header + "\n").utf8), arrival: Self.arrival, into: &out) == .header)
            #expect(out.isEmpty)
            #expect(converter.format == (try VPCFlowLogFormat(header)))
            for record in try #require(entry["records"] as? [[String: Any]]) {
                let line = try #require(record["line"] as? String)
                let fields = try #require(record["fields"] as? [String: Any])
                out.removeAll()
                let outcome = try converter.convert(Array((line + "\n").utf8), arrival: Self.arrival, into: &out)
                if let status = fields["log-status"] as? String, status != "OK" {
                    guard case .status(let report) = outcome else {
                        Issue.record("\(name): \(line): expected a status, got \(outcome)")
                        continue
                    }
                    #expect(report.logStatus == status)
                    #expect(out.isEmpty)
                    statuses += 1
                    continue
                }
                #expect(outcome == .record, "\(name): \(line)")
                let json = try Self.object(out)
                #expect(Self.path(json, "event.dataset") as? String == "flowlog.vpc")
                #expect(Self.path(json, "source.ip") as? String == fields["srcaddr"] as? String, "\(line)")
                #expect(Self.path(json, "destination.ip") as? String == fields["dstaddr"] as? String, "\(line)")
                if let port = fields["dstport"] as? Int { #expect(Self.path(json, "destination.port") as? Int == port, "\(line)") }
                if let bytes = fields["bytes"] as? Int { #expect(Self.path(json, "source.bytes") as? Int == bytes, "\(line)") }
                if let action = fields["action"] as? String {
                    #expect(Self.path(json, "event.outcome") as? String == action.lowercased(), "\(line)")
                }
                if let interface = fields["interface-id"] as? String {
                    #expect(Self.path(json, "aws.vpcflow.interface_id") as? String == interface, "\(line)")
                }
                #expect(Self.path(json, "event.ingested") as? String == "2023-11-14T22:13:20.500000000Z")
                records += 1
            }
        }
        #expect(records > 20)
        #expect(statuses >= 2)
    }

    /// Without a header the default v2 format applies; a custom format is honoured; a format without start/end
    /// dates records at their arrival.
    @Test func headerlessLinesUseTheConfiguredFormat() throws {
        var converter = VPCFlowLogLineConverter()
        var out: [UInt8] = []
        let line = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
        #expect(try converter.convert(Array(line.utf8), arrival: Self.arrival, into: &out) == .record)
        let json = try Self.object(out)
        #expect(Self.path(json, "@timestamp") as? String == "2014-12-14T04:06:50.000000000Z")
        #expect(Self.path(json, "cloud.account.id") as? String == "123456789010")
        #expect(Self.path(json, "source.port") as? Int == 20641)

        var custom = VPCFlowLogLineConverter(format: try VPCFlowLogFormat("srcaddr dstaddr flow-direction"))
        out.removeAll()
        #expect(try custom.convert(Array("10.0.0.1 10.0.0.2 egress\r\n".utf8), arrival: Self.arrival, into: &out) == .record)
        let other = try Self.object(out)
        #expect(Self.path(other, "network.direction") as? String == "egress")
        #expect(Self.path(other, "@timestamp") as? String == "2023-11-14T22:13:20.500000000Z")
    }

    /// A bad line throws an error naming the record's place and field, and appends nothing; the converter goes on.
    @Test func badLinesThrowAndAppendNothing() throws {
        var converter = VPCFlowLogLineConverter(source: "stream-a")
        var out: [UInt8] = Array("kept".utf8)
        let bad = "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 MAYBE OK"
        #expect(throws: VPCFlowLogError.self) { try converter.convert(Array(bad.utf8), arrival: Self.arrival, into: &out) }
        do {
            _ = try converter.convert(Array(bad.utf8), arrival: Self.arrival, into: &out)
        } catch {
            #expect(error.description.contains("stream-a:2: field 'action'"), "\(error)")
        }
        #expect(throws: VPCFlowLogError.self) { try converter.convert(Array("1 2 3".utf8), arrival: Self.arrival, into: &out) }
        #expect(out == Array("kept".utf8))
        #expect(try converter.convert(Array("   \n".utf8), arrival: Self.arrival, into: &out) == .blank)
        let good = "2 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
        #expect(try converter.convert(Array(good.utf8), arrival: Self.arrival, into: &out) == .record)
    }
}

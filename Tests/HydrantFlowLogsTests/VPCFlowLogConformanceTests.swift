import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// Every record of every `.log` in `../shared/conformance/vpc-flow-logs` parses to the values of
/// `expected_parsed.json`, and maps onto `flowlog.vpc` records (or counted status lines).
@Suite struct VPCFlowLogConformanceTests {
    @Test func everyLineParsesToTheExpectedValues() throws {
        guard let folder = Conformance.folder("vpc-flow-logs") else { return }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected_parsed.json")))
            as? [String: Any] ?? [:]
        #expect(expected.count >= 8)
        var checked = 0
        for (name, value) in expected.sorted(by: { $0.key < $1.key }) {
            let entry = try #require(value as? [String: Any], "\(name)")
            let formatText = try #require(entry["format"] as? String)
            let logFile = try #require(entry["log_file"] as? String)
            let records = try #require(entry["records"] as? [[String: Any]])
            let format = try VPCFlowLogFormat(formatText)
            #expect(format.columns.map(\.name) == formatText.split(separator: " ").map(String.init))

            // The file's own header gives the same format.
            let lines = try String(contentsOf: folder.appendingPathComponent(logFile), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: true)
            #expect(VPCFlowLogFormat.isHeader(Array(lines[0].utf8)))
            #expect(try VPCFlowLogFormat(String(lines[0])) == format)
            #expect(lines.count - 1 == records.count, "\(logFile): line count")

            let parser = VPCFlowLogParser(format: format, source: logFile, defaultTime: Timestamp(seconds: 1_700_000_000, nanoseconds: 0))
            for (i, record) in records.enumerated() {
                let line = try #require(record["line"] as? String)
                #expect(String(lines[i + 1]) == line)
                let fields = try #require(record["fields"] as? [String: Any])
                let values = try parser.values(of: Array(line.utf8), lineNumber: i + 2)
                #expect(values.count == format.columns.count)
                for (column, value) in zip(format.columns, values) {
                    let want = fields[column.name]
                    switch value {
                    case .null: #expect(want is NSNull, "\(logFile):\(i + 2) \(column.name)")
                    case .integer(let n):
                        #expect((want as? NSNumber)?.int64Value == n && !(want is String), "\(logFile):\(i + 2) \(column.name)")
                    case .text(let s): #expect(want as? String == s, "\(logFile):\(i + 2) \(column.name)")
                    }
                    checked += 1
                }
                try checkMapping(parser.entry(from: values, lineNumber: i + 2), fields: fields, where: "\(logFile):\(i + 2)")
            }
        }
        #expect(checked > 300)
    }

    /// The record carries the line's values under our field names; NODATA/SKIPDATA lines are status reports.
    private func checkMapping(_ entry: VPCFlowLogEntry, fields: [String: Any], where place: String) throws {
        let status = fields["log-status"] as? String
        switch entry {
        case .status(let report):
            #expect(status == "NODATA" || status == "SKIPDATA", "\(place)")
            #expect(report.logStatus == status)
            #expect(report.interfaceID == fields["interface-id"] as? String)
        case .flow(let record):
            #expect(status == nil || status == "OK", "\(place)")
            #expect(record.sourceIP == IPAddress(fields["srcaddr"] as? String ?? ""), "\(place)")
            #expect(record.destinationIP == IPAddress(fields["dstaddr"] as? String ?? ""), "\(place)")
            #expect(record.sourcePort.map(Int.init) == (fields["srcport"] as? Int), "\(place)")
            #expect(record.destinationPort.map(Int.init) == (fields["dstport"] as? Int), "\(place)")
            #expect(record.sourceBytes.map(Int.init) == (fields["bytes"] as? Int), "\(place)")
            #expect(record.sourcePackets.map(Int.init) == (fields["packets"] as? Int), "\(place)")
            #expect(record.outcome == (fields["action"] as? String)?.lowercased(), "\(place)")
            #expect(record.accountID == fields["account-id"] as? String, "\(place)")
            #expect(record.interfaceID == fields["interface-id"] as? String, "\(place)")
            #expect(record.vpcID == fields["vpc-id"] as? String, "\(place)")
            #expect(record.region == fields["region"] as? String, "\(place)")
            #expect(record.direction == fields["flow-direction"] as? String, "\(place)")
            #expect(record.tcpFlags.map(Int.init) == (fields["tcp-flags"] as? Int), "\(place)")
            #expect(record.trafficPath.map(Int.init) == (fields["traffic-path"] as? Int), "\(place)")
            if let start = fields["start"] as? Int {
                #expect(record.start == Timestamp(seconds: Int64(start), nanoseconds: 0), "\(place)")
            }
            #expect(record.kind == .unidirectional)
            #expect(record.destinationBytes == nil)
            var encoder = JSONLinesEncoder<VPCFlowLogRecord>()
            let json = encoder.string(for: record)
            #expect(json.contains("\"dataset\":\"flowlog.vpc\""), "\(place)")
            #expect(json.contains("\"kind\":\"unidirectional\""), "\(place)")
        }
    }
}

import Foundation
import Testing
@testable import HydrantRecords

@Suite struct JSONLinesTests {
    private func sampleFlow() throws -> FlowRecord {
        var flow = FlowRecord(start: Timestamp(seconds: 1_700_000_000, nanoseconds: 5),
                              end: Timestamp(seconds: 1_700_000_002, nanoseconds: 0), action: .end,
                              sourceIP: try #require(IPAddress("10.0.0.1")), sourcePort: 51000,
                              destinationIP: try #require(IPAddress("2001:db8::2")), destinationPort: 443, ianaNumber: 6)
        flow.sourceBytes = 120
        flow.sourcePackets = 2
        flow.destinationBytes = 3000
        flow.destinationPackets = 3
        flow.state = "SF"
        flow.history = "ShADadFf"
        flow.observerName = "sensor \"1\"\n"
        return flow
    }

    @Test func encodesNestedObjectsWithSchemaNames() throws {
        var encoder = JSONLinesEncoder<FlowRecord>()
        let line = encoder.string(for: try sampleFlow())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["@timestamp"] as? String == "2023-11-14T22:13:20.000000005Z")
        let source = try #require(object["source"] as? [String: Any])
        #expect(source["ip"] as? String == "10.0.0.1")
        #expect(source["port"] as? Int == 51000)
        #expect(source["bytes"] as? Int == 120)
        let destination = try #require(object["destination"] as? [String: Any])
        #expect(destination["ip"] as? String == "2001:db8::2")
        let event = try #require(object["event"] as? [String: Any])
        #expect(event["dataset"] as? String == "network.flow")
        #expect(event["duration"] as? Int == 1_999_999_995)
        #expect(event["action"] as? String == "flow_end")
        let network = try #require(object["network"] as? [String: Any])
        #expect(network["bytes"] as? Int == 3120)
        #expect(network["packets"] as? Int == 5)
        #expect(network["transport"] as? String == "tcp")
        #expect(network["type"] as? String == "ipv4")
        #expect(network["state"] as? String == "SF")
        let observer = try #require(object["observer"] as? [String: Any])
        #expect(observer["name"] as? String == "sensor \"1\"\n")
    }

    @Test func leavesUnknownFieldsAbsent() throws {
        var flow = try sampleFlow()
        flow.sourcePort = nil
        flow.destinationPort = nil
        flow.observerName = nil
        var encoder = JSONLinesEncoder<FlowRecord>()
        let line = encoder.string(for: flow)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["observer"] == nil, "an object whose fields are all unknown is left out")
        #expect((object["source"] as? [String: Any])?["port"] == nil)
        #expect((object["network"] as? [String: Any])?["community_id"] == nil)
        #expect(!line.contains("null"))
        #expect(!line.contains("\"\""))
    }

    @Test func escapesControlCharacters() {
        var out: [UInt8] = []
        appendJSONString("a\u{1}b\\c\"\t", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\u0001b\\c\"\t""#)
    }

    @Test func everyFieldNameIsUniqueAndNamesNoLeafAndObjectTwice() {
        let names = FlowRecord.fields.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            #expect(!names.contains { $0.hasPrefix(name + ".") }, "\(name) is both a value and an object")
        }
    }
}

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

    /// The value at a dotted path of a parsed JSON object, or nil when any step is absent.
    private func value(at name: String, in object: [String: Any]) -> Any? {
        var current: Any? = object
        for component in name.split(separator: ".") {
            current = (current as? [String: Any])?[String(component)]
        }
        return current
    }

    /// Checks every field of the table: the encoded line holds exactly the boxed `read` value, or nothing when the
    /// value is unknown, and no object is left empty.
    private func expectLineMatchesFieldTable<Record: DatasetRecord>(_ record: Record) throws {
        var encoder = JSONLinesEncoder<Record>()
        let line = encoder.string(for: record)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        #expect(!line.contains("{}"), "an object with no known value is left out: \(line)")
        for field in Record.fields {
            let encoded = value(at: field.name, in: object)
            switch field.read(record) {
            case nil:
                #expect(encoded == nil, "\(field.name) is unknown but was written")
            case .string(let text):
                #expect(encoded as? String == text, "\(field.name)")
            case .int(let number):
                #expect((encoded as? NSNumber)?.int64Value == number, "\(field.name)")
            case .timestamp(let time):
                var expected: [UInt8] = []
                time.appendRFC3339(to: &expected)
                #expect(encoded as? String == String(decoding: expected, as: UTF8.self), "\(field.name)")
            case .ip(let address):
                #expect(encoded as? String == address.description, "\(field.name)")
            case .strings(let list):
                #expect(encoded as? [String] == list, "\(field.name)")
            case .ints(let list):
                #expect((encoded as? [NSNumber])?.map(\.int64Value) == list, "\(field.name)")
            }
        }
    }

    @Test func everyDatasetEncodesExactlyItsFieldTable() throws {
        let connection = Connection(sourceIP: try #require(IPAddress("192.0.2.7")), sourcePort: 5353,
                                    destinationIP: try #require(IPAddress("fe80::1")), destinationPort: 53, ianaNumber: 17,
                                    vlanID: 12, innerVLANID: nil, communityID: "1:abc=")
        let time = Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789)
        // Flows with every optional field unknown, then with the nested VLAN objects known.
        var flow = try sampleFlow()
        flow.observerName = nil
        flow.state = nil
        flow.history = nil
        try expectLineMatchesFieldTable(flow)
        flow.vlanID = 7
        flow.innerVLANID = 9
        flow.icmpType = 3
        try expectLineMatchesFieldTable(flow)
        flow.vlanID = nil
        try expectLineMatchesFieldTable(flow)

        var dns = DNSRecord(timestamp: time, connection: connection, id: 4660)
        try expectLineMatchesFieldTable(dns)
        dns.questionName = "a.example.com"
        dns.headerFlags = ["RD", "RA"]
        dns.answerData = ["192.0.2.1", "tab\there"]
        dns.answerTTLs = [60, -1]
        try expectLineMatchesFieldTable(dns)

        var http = HTTPRecord(timestamp: time, connection: connection, method: "GET", version: "1.1", target: "/x?y=\"z\"")
        try expectLineMatchesFieldTable(http)
        http.statusCode = 200
        http.userAgent = "curl/8"
        try expectLineMatchesFieldTable(http)

        var tls = TLSRecord(timestamp: time, connection: connection, ja3: "abc", ja4: "t13d")
        try expectLineMatchesFieldTable(tls)
        tls.version = "1.3"
        tls.extensions = [0, 10, 65281]
        tls.supportedCiphers = ["TLS_AES_128_GCM_SHA256"]
        try expectLineMatchesFieldTable(tls)
    }
}

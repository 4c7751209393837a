import Foundation
import HydrantFlowLogs
import HydrantRecords
import Testing

/// `flowlog.netflow` records as the collector writes them: the batch encoder (records encoded in place into one
/// buffer) gives the same lines as encoding one record at a time, and every line holds exactly the field table's
/// values.
@Suite struct NetFlowRecordEncodingTests {
    private func records() throws -> [NetFlowRecord] {
        var out: [NetFlowRecord] = []
        for n in 0..<300 {
            var r = NetFlowRecord(version: n % 3 == 0 ? 5 : n % 3 == 1 ? 9 : 10,
                                  exporterIP: IPAddress(ipv4: 0x7F00_0001 &+ UInt32(n % 7)),
                                  observationDomain: UInt32.max - UInt32(n),
                                  exportTime: Timestamp(seconds: 1_704_067_199 + Int64(n / 50), nanoseconds: Int64(n) * 3_333_337))
            r.start = Timestamp(nanoseconds: r.end.nanoseconds - Int64(n) * 1_000_001)
            if n % 4 == 0 {
                r.sourceIP = try #require(IPAddress("2001:db8::\(n)"))
            } else {
                r.sourceIP = IPAddress(ipv4: 0x0A00_0000 &+ UInt32(n))
            }
            r.destinationIP = IPAddress(ipv4: 0xC0A8_0000 &+ UInt32(n))
            r.sourcePort = n % 5 == 0 ? nil : UInt16(1024 + n)
            r.destinationPort = 443
            r.ianaNumber = n % 6 == 0 ? 1 : 6
            r.sourceBytes = Int64(n) * 1500
            r.sourcePackets = n % 8 == 0 ? nil : Int64(n)
            if n % 3 == 2 {
                r.kind = .bidirectional
                r.destinationBytes = Int64(n) * 40
                r.destinationPackets = .max
            }
            r.tcpFlags = n % 2 == 0 ? 0x1B : nil
            r.flowDirection = n % 7 == 0 ? .egress : n % 7 == 1 ? .ingress : nil
            r.inputInterface = Int64(n % 3)
            r.nextHop = n % 9 == 0 ? IPAddress(ipv4: 0x0A00_00FE) : nil
            r.sourceAS = n % 10 == 0 ? 64_512 : nil
            r.vlanID = n % 11 == 0 ? 100 : nil
            r.samplingInterval = n % 12 == 0 ? 1000 : nil
            r.icmpType = n % 6 == 0 ? 8 : nil
            r.icmpCode = n % 6 == 0 ? 0 : nil
            r.observerName = n % 13 == 0 ? "collector \"\(n)\"\t\u{7f}" : nil
            if n % 17 == 0 {
                r.enterpriseElements = [NetFlowEnterpriseElement(enterprise: 9, id: 12_235, bytes: [1, 2]),
                                        NetFlowEnterpriseElement(enterprise: 29_305, id: 1, bytes: Array(repeating: 0xAB, count: 40))]
            }
            out.append(r)
        }
        return out
    }

    @Test func batchEncodingWritesTheSameLinesAsOneAtATime() throws {
        let records = try records()
        var encoder = JSONLinesEncoder<NetFlowRecord>()
        var single: [UInt8] = []
        var singleEnds: [Int] = []
        for record in records {
            encoder.encode(record, to: &single)
            singleEnds.append(single.count)
        }
        // A small buffer, so that the batch grows inside it several times.
        let buffer = JSONLineBuffer(capacity: 256)
        var ends: [Int] = []
        records.withUnsafeBufferPointer { encoder.encode($0, into: buffer, ends: &ends) }
        #expect(buffer.bytes == single)
        #expect(ends == singleEnds)
    }

    @Test func everyLineHoldsExactlyTheFieldTable() throws {
        var encoder = JSONLinesEncoder<NetFlowRecord>()
        for record in try records() {
            let line = encoder.string(for: record)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(!line.contains("{}"))
            for field in NetFlowRecord.fields {
                var current: Any? = object
                for component in field.name.split(separator: ".") {
                    current = (current as? [String: Any])?[String(component)]
                }
                switch field.read(record) {
                case nil:
                    #expect(current == nil, "\(field.name) is unknown but was written")
                case .string(let text):
                    #expect(current as? String == text, "\(field.name)")
                case .int(let number):
                    #expect((current as? NSNumber)?.int64Value == number, "\(field.name)")
                case .timestamp(let time):
                    #expect(current as? String == time.rfc3339, "\(field.name)")
                case .ip(let address):
                    #expect(current as? String == address.description, "\(field.name)")
                case .strings(let list):
                    #expect(current as? [String] == list, "\(field.name)")
                case .ints(let list):
                    #expect((current as? [NSNumber])?.map(\.int64Value) == list, "\(field.name)")
                }
            }
        }
    }
}

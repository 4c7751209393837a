import Foundation
import Synchronization
import HydrantFlowLogs
import HydrantRecords
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The collector on a real loopback socket: datagrams sent in a burst are all received (many per `recvmmsg`
/// call), decoded on the decode thread, handed out in batches, and what the socket holds at `stop` is still taken.
@Suite struct UDPFlowCollectorTests {
    typealias Message = IPFIXTemplateTests.Message

    /// Sends `datagrams` to 127.0.0.1:`port` from one socket.
    static func send(_ datagrams: [[UInt8]], to port: UInt16) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        for datagram in datagrams {
            let sent = datagram.withUnsafeBytes { bytes in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            try #require(sent == datagram.count)
        }
    }

    /// Data records of `EnterpriseElementTests.template`'s shape without enterprise fields: template 320, src, dst,
    /// dst port, octets.
    static let template: [UInt8] = {
        var t = Message()
        t.u16(320); t.u16(4)
        t.u16(8); t.u16(4); t.u16(12); t.u16(4); t.u16(11); t.u16(2); t.u16(1); t.u16(8)
        return Message.set(2, t.bytes)
    }()

    static func data(first: Int, count: Int) -> [UInt8] {
        var d = Message()
        for i in first..<(first + count) {
            d.u32(0x0A00_0000 + UInt32(i)); d.u32(0xC0A8_0001); d.u16(UInt16(i % 65_536)); d.u64(UInt64(i))
        }
        return Message.set(320, d.bytes)
    }

    @Test("every datagram of a burst becomes records, in order, and the exporter is the sender")
    func burst() throws {
        let received = Mutex<[NetFlowRecord]>([])
        let largest = Mutex(0)
        let collector = try UDPFlowCollector(host: "127.0.0.1", ports: [0], receiveBufferBytes: 8 << 20, batchSize: 256) { records in
            received.withLock { $0 += records }
            largest.withLock { $0 = max($0, records.count) }
        }
        collector.start()
        let port = try #require(collector.ports.first)
        #expect(port != 0)
        var datagrams = [Message.message(sequence: 0, sets: [Self.template])]
        for message in 0..<2_000 {
            datagrams.append(Message.message(sequence: UInt32(message * 10), sets: [Self.data(first: message * 10, count: 10)]))
        }
        try Self.send(datagrams, to: port)
        collector.stop()
        let records = received.withLock { $0 }
        #expect(records.count == 20_000)
        #expect(records.map { Int($0.sourceBytes ?? -1) } == Array(0..<20_000), "in order, none lost or repeated")
        #expect(records.allSatisfy { $0.exporterIP == IPAddress("127.0.0.1") })
        // A batch is handed on once it reaches batchSize, so it exceeds it by less than one datagram's records.
        #expect(largest.withLock { $0 } < 256 + 10, "records leave in batches of about batchSize")
        let statistics = try #require(collector.statistics[IPAddress(ipv4: 0x7F00_0001)])
        #expect(statistics.datagrams == 2_001 && statistics.flowRecords == 20_000 && statistics.sequenceGaps == 0)
        #expect(collector.kernelDrops == 0)
    }

    @Test("with a pool, batches are filled in the arrays the consumer gives back, and nothing is lost")
    func recycledBatches() throws {
        let received = Mutex<[NetFlowRecord]>([])
        let storages = Mutex<Set<UInt>>([])
        let batches = Mutex(0)
        // The consumer keeps each array until the next batch arrives (as the writer does until it has encoded it),
        // by which time the decode thread holds it no longer, and gives it back emptied then, as the writer does.
        let held = Mutex<[NetFlowRecord]?>(nil)
        let pool = RecordBatchPool<NetFlowRecord>(limit: 4, capacity: 256 + 64)
        let collector = try UDPFlowCollector(host: "127.0.0.1", ports: [0], receiveBufferBytes: 8 << 20, batchSize: 256,
                                             recordBatches: pool) { records in
            received.withLock { $0 += records }
            batches.withLock { $0 += 1 }
            records.withUnsafeBufferPointer { buffer in
                storages.withLock { _ = $0.insert(UInt(bitPattern: buffer.baseAddress)) }
            }
            if var previous = held.withLock({ $0.take() }) {
                previous.removeAll(keepingCapacity: true)
                pool.give(previous)
            }
            held.withLock { $0 = records }
        }
        collector.start()
        let port = try #require(collector.ports.first)
        var datagrams = [Message.message(sequence: 0, sets: [Self.template])]
        for message in 0..<2_000 {
            datagrams.append(Message.message(sequence: UInt32(message * 10), sets: [Self.data(first: message * 10, count: 10)]))
        }
        try Self.send(datagrams, to: port)
        collector.stop()
        let records = received.withLock { $0 }
        #expect(records.map { Int($0.sourceBytes ?? -1) } == Array(0..<20_000), "in order, none lost or repeated")
        let handedOver = batches.withLock { $0 }
        let distinct = storages.withLock { $0.count }
        #expect(handedOver >= 20_000 / (256 + 10))
        #expect(distinct <= 3, "\(handedOver) batches in \(distinct) arrays: the arrays given back are filled again")
    }

    @Test("a port in use is refused with the address and the system's reason")
    func portInUse() throws {
        let first = try UDPFlowCollector(host: "127.0.0.1", ports: [0]) { _ in }
        let port = try #require(first.ports.first)
        #expect {
            _ = try UDPFlowCollector(host: "127.0.0.1", ports: [port]) { _ in }
        } throws: { error in
            "\(error)".contains("bind udp 127.0.0.1:\(port)") && "\(error)".contains("in use")
        }
    }
}

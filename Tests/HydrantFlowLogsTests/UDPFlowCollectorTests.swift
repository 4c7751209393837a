import Foundation
import Synchronization
import HydrantRecords
import Testing
@testable import HydrantFlowLogs

#if canImport(Glibc)
import Glibc
#endif

/// The collector on a real loopback socket: datagrams sent in a burst are all received (many per `recvmmsg`
/// call), decoded on the receive thread, handed out in batches, and what the socket holds at `stop` is still taken;
/// a stalled writer makes the receive thread park datagrams, within a bound.
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

    @Test("while the writer is stalled, datagrams are parked and then delivered in order, none lost")
    func stalledWriterParks() throws {
        let gate = DispatchSemaphore(value: 0)
        let received = Mutex<[NetFlowRecord]>([])
        let collector = try UDPFlowCollector(host: "127.0.0.1", ports: [0], receiveBufferBytes: 8 << 20,
                                             parkBytes: 16 << 20, batchSize: 64, batches: 2) { records in
            // The first batch waits until everything was sent: every later datagram has to wait somewhere.
            if received.withLock({ $0.isEmpty }) { gate.wait() }
            received.withLock { $0 += records }
        }
        collector.start()
        let port = try #require(collector.ports.first)
        var datagrams = [Message.message(sequence: 0, sets: [Self.template])]
        for message in 0..<2_000 {
            datagrams.append(Message.message(sequence: UInt32(message * 10), sets: [Self.data(first: message * 10, count: 10)]))
        }
        try Self.send(datagrams, to: port)
        // Give the receive thread time to take everything from the socket into the park.
        let deadline = ContinuousClock.now + .seconds(5)
        while collector.parkStatistics.datagramsHeld < 1_900, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.06)
        }
        let parked = collector.parkStatistics
        gate.signal()
        collector.stop()
        let records = received.withLock { $0 }
        #expect(records.map { Int($0.sourceBytes ?? -1) } == Array(0..<20_000), "in order, none lost or repeated")
        // Two batches of 64 records (seven datagrams each) were out; everything after them waited in the park.
        #expect(parked.datagramsHeld >= 1_900)
        let final = collector.parkStatistics
        #expect(final.datagramsParked >= 1_900 && final.datagramsHeld == 0 && final.datagramsDropped == 0)
        #expect(final.peakBytes <= 16 << 20 && final.peakBytes >= DatagramPark.pageSize)
        #expect(final.fullStops == 0)
        #expect(collector.kernelDrops == 0)
    }

    @Test("when the park is full the collector stops reading: the kernel drops, counted, and memory stays bounded")
    func fullParkStopsReading() throws {
        let gate = DispatchSemaphore(value: 0)
        let received = Mutex<[NetFlowRecord]>([])
        // Six pages: room for one call of the largest datagrams only while a single page is in use.
        let parkLimit = 6 * DatagramPark.pageSize
        let collector = try UDPFlowCollector(host: "127.0.0.1", ports: [0], receiveBufferBytes: 256 << 10,
                                             parkBytes: parkLimit, batchSize: 64, batches: 2) { records in
            if received.withLock({ $0.isEmpty }) { gate.wait() }
            received.withLock { $0 += records }
        }
        collector.start()
        let port = try #require(collector.ports.first)
        try Self.send([Message.message(sequence: 0, sets: [Self.template])], to: port)
        let messages = 20_000
        var datagrams: [[UInt8]] = []
        for message in 0..<messages {
            datagrams.append(Message.message(sequence: UInt32(message * 10), sets: [Self.data(first: message * 10, count: 10)]))
        }
        try Self.send(datagrams, to: port)
        Thread.sleep(forTimeInterval: 0.3)
        gate.signal()
        collector.stop()
        let records = received.withLock { $0 }
        let drops = collector.kernelDrops
        let park = collector.parkStatistics
        #expect(drops > 0, "more was sent than the park and the socket buffer hold")
        #expect(park.fullStops > 0 && park.datagramsDropped == 0 && park.datagramsHeld == 0)
        #expect(park.peakBytes <= parkLimit)
        // Every datagram is either delivered whole or counted as dropped by the kernel.
        #expect(records.count + drops * 10 == messages * 10)
        let values = records.map { Int($0.sourceBytes ?? -1) }
        #expect(values == values.sorted() && Set(values).count == values.count, "in order, none repeated")
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

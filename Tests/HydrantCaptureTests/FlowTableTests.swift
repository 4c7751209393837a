import HydrantRecords
import Testing
@testable import HydrantCapture

private let c = "10.0.0.1:40000"
private let s = "10.0.0.2:443"

private func seconds(_ n: Int64) -> Int64 { n * 1_000_000_000 }

/// Distinct timeouts per class, so a test can tell which one applied.
private func distinctTimeouts() -> FlowTableConfiguration {
    var config = FlowTableConfiguration()
    config.tcpEstablishedTimeout = seconds(100)
    config.tcpHalfOpenTimeout = seconds(10)
    config.udpTimeout = seconds(20)
    config.icmpTimeout = seconds(40)
    config.activeTimeout = seconds(1000)
    return config
}

@Suite struct FlowTableTests: FlowTestSupport {
    @Test func eachTimeoutClassExpiresOnItsOwnTimeout() throws {
        let table = FlowTable(configuration: distinctTimeouts())
        table.feed([
            // Established TCP.
            tcp(0, c, s, syn, seq: 1), tcp(0, s, c, syn | ack, seq: 9), tcp(0, c, s, ack, seq: 2),
            // Half-open TCP.
            tcp(0, "10.0.0.1:40001", s, syn, seq: 1),
            // UDP.
            udp(0, "10.0.0.1:5353", "10.0.0.3:53", len: 40),
            // ICMP.
            icmp(0, "10.0.0.1", "10.0.0.4", type: 8),
            // Another protocol (GRE).
            ipOnly(0, "10.0.0.1", "10.0.0.5", protocol: 47),
        ])
        #expect(table.count == 5)
        #expect(table.expired(at: 9.999).isEmpty)
        let halfOpen = table.expired(at: 10)
        #expect(halfOpen.map(\.sourcePort) == [40001])
        #expect(halfOpen.first?.action == .timeout)
        #expect(halfOpen.first?.state == "S0")
        #expect(table.expired(at: 19.999).isEmpty)
        #expect(table.expired(at: 20).map(\.ianaNumber) == [17])
        let other = table.expired(at: 40)
        #expect(Set(other.map(\.ianaNumber)) == [1, 47])
        #expect(table.expired(at: 99.999).isEmpty)
        let established = table.expired(at: 100)
        #expect(established.map(\.state) == ["S1"])
        #expect(established.first?.action == .timeout)
        #expect(table.count == 0)
        #expect(table.statistics.created == 5)
        #expect(table.statistics.emitted == 5)
    }

    /// A Community ID handed over with a packet is the flow's record's, and it leaves with the flow: the next flow
    /// in the freed slot (same endpoints, handed nothing) computes its own, equal to what the table makes unaided.
    @Test func handedCommunityIDIsTheFlowsUntilItEnds() throws {
        let config = distinctTimeouts()
        let table = FlowTable(configuration: config)
        var out: [FlowRecord] = []
        let query = udp(0, "10.0.0.1:5353", "10.0.0.3:53", len: 40)
        table.add(query, communityID: "1:handed-over", into: &out)
        table.add(udp(0.1, "10.0.0.3:53", "10.0.0.1:5353", len: 80), into: &out)
        let first = table.expired(at: 21)
        #expect(first.map(\.communityID) == ["1:handed-over"])
        #expect(first.first?.sourcePackets == 1 && first.first?.destinationPackets == 1)
        // The same endpoints again: a new flow in the freed slot, without a handed ID.
        table.add(udp(30, "10.0.0.1:5353", "10.0.0.3:53", len: 40), into: &out)
        let second = table.flushed()
        let unaided = records([query], configuration: config)
        #expect(second.count == 1 && unaided.count == 1)
        #expect(second.first?.communityID == unaided.first?.communityID)
        #expect(second.first?.communityID?.hasPrefix("1:") == true)
        #expect(second.first?.communityID != "1:handed-over")
        #expect(out.isEmpty)
    }

    /// Handed IDs survive the slot storage growing (thousands of flows), each staying with its own flow.
    @Test func handedCommunityIDsFollowTheirFlowsThroughGrowth() throws {
        let table = FlowTable()
        var out: [FlowRecord] = []
        for n in 0..<3_000 {
            let port = 10_000 + n
            let packet = udp(Double(n) * 0.001, "10.0.0.1:\(port)", "10.0.0.3:53", len: 40)
            if n % 3 == 0 { table.add(packet, communityID: "1:flow-\(port)", into: &out) } else { table.add(packet, into: &out) }
        }
        let flushed = table.flushed()
        #expect(out.isEmpty && flushed.count == 3_000)
        for record in flushed {
            let port = Int(record.sourcePort ?? 0)
            if (port - 10_000) % 3 == 0 {
                #expect(record.communityID == "1:flow-\(port)")
            } else {
                #expect(record.communityID?.hasPrefix("1:flow") == false)
            }
        }
    }

    @Test func defaultTimeouts() throws {
        let table = FlowTable()
        table.feed([
            tcp(0, c, s, syn, seq: 1), tcp(0, s, c, syn | ack, seq: 9), tcp(0, c, s, ack, seq: 2),
            tcp(0, "10.0.0.1:40001", s, syn, seq: 1),
            udp(0, "10.0.0.1:5353", "10.0.0.3:53"),
            icmp(0, "10.0.0.1", "10.0.0.4", type: 8),
        ])
        #expect(table.expired(at: 29.9).isEmpty)
        #expect(table.expired(at: 30).count == 1)
        #expect(table.expired(at: 59.9).isEmpty)
        #expect(table.expired(at: 60).count == 2)
        #expect(table.expired(at: 299.9).isEmpty)
        #expect(table.expired(at: 300).count == 1)
    }

    @Test func packetTimeDrivesExpiry() throws {
        let table = FlowTable(configuration: distinctTimeouts())
        table.feed([udp(0, "10.0.0.1:5353", "10.0.0.3:53")])
        // A packet of another flow, later than the first flow's deadline, emits it before being accounted.
        let out = table.feed([udp(25, "10.0.0.7:1000", "10.0.0.3:53")])
        #expect(out.count == 1)
        #expect(out.first?.sourcePort == 5353)
        #expect(out.first?.action == .timeout)
        #expect(table.count == 1)
    }

    @Test func activityKeepsAFlowAlive() throws {
        let table = FlowTable(configuration: distinctTimeouts())
        var out: [FlowRecord] = []
        for i in 0..<10 { out += table.feed([udp(Double(i) * 15, "10.0.0.1:5353", "10.0.0.3:53")]) }
        #expect(out.isEmpty)
        let final = table.expired(at: 135 + 20)
        #expect(final.count == 1)
        #expect(final.first?.sourcePackets == 10)
    }

    @Test func activeTimeoutEmitsIntervalUpdates() throws {
        var config = FlowTableConfiguration()
        config.activeTimeout = seconds(10)
        let table = FlowTable(configuration: config)
        var out: [FlowRecord] = []
        for i in 0...25 {
            out += table.feed([udp(Double(i), "10.0.0.1:5000", "10.0.0.2:6000", len: 72)])
            out += table.feed([udp(Double(i) + 0.5, "10.0.0.2:6000", "10.0.0.1:5000", len: 172)])
        }
        #expect(out.count == 2)
        #expect(out.allSatisfy { $0.action == .update })
        // Each update covers one interval: packets from its start up to the last one before the next interval.
        #expect(out[0].start == at(0))
        #expect(out[0].end == at(9.5))
        #expect(out[0].sourcePackets == 10 && out[0].destinationPackets == 10)
        #expect(out[0].sourceBytes == 10 * 100 && out[0].destinationBytes == 10 * 200)
        #expect(out[1].start == at(10))
        #expect(out[1].end == at(19.5))
        #expect(out[1].sourcePackets == 10)
        // State and history are cumulative; the community id and tuple are the same on every record.
        #expect(out[1].state == "SF" && out[1].history == "Dd")
        let last = table.flushed()
        #expect(last.count == 1)
        #expect(last[0].action == .shutdown)
        #expect(last[0].start == at(20))
        #expect(last[0].end == at(25.5))
        #expect(last[0].sourcePackets == 6 && last[0].destinationPackets == 6)
        let all = out + last
        #expect(all.map(\.sourcePackets).reduce(0, +) == 26)
        #expect(Set(all.map(\.communityID)).count == 1)
        #expect(table.statistics.emitted == 3)
        #expect(table.statistics.created == 1)
    }

    @Test func completedFlowLingersForLateAcks() throws {
        let table = FlowTable()
        let out = table.feed([
            tcp(0, c, s, syn, seq: 100), tcp(0.01, s, c, syn | ack, seq: 500), tcp(0.02, c, s, ack, seq: 101),
            tcp(1, c, s, fin | ack, seq: 101), tcp(1.01, s, c, fin | ack, seq: 501),
            tcp(1.02, c, s, ack, seq: 102),
            tcp(1.5, s, c, fin | ack, seq: 501), // retransmitted FIN
            tcp(1.51, c, s, ack, seq: 102),
        ])
        #expect(out.isEmpty)
        #expect(table.count == 1)
        #expect(table.expired(at: 6.50).isEmpty)
        let end = table.expired(at: 6.51)
        #expect(end.count == 1)
        #expect(end.first?.action == .end)
        #expect(end.first?.state == "SF")
        #expect(end.first?.sourcePackets == 5)
        #expect(end.first?.destinationPackets == 3)
        #expect(table.statistics.created == 1)
    }

    @Test func newSYNOnACompletedFlowStartsANewOne() throws {
        let table = FlowTable()
        let first = table.feed([
            tcp(0, c, s, syn, seq: 100), tcp(0.01, s, c, rst | ack, seq: 0),
        ])
        #expect(first.isEmpty)
        let out = table.feed([tcp(1, c, s, syn, seq: 100)])
        #expect(out.count == 1)
        #expect(out.first?.action == .end)
        #expect(out.first?.state == "REJ")
        #expect(table.count == 1)
        let second = table.flushed()
        #expect(second.first?.state == "S0")
        #expect(second.first?.start == at(1))
        #expect(table.statistics.created == 2)
    }

    @Test func flushEmitsOpenFlowsAsShutdown() throws {
        let table = FlowTable()
        table.feed([
            udp(0, "10.0.0.1:1000", "10.0.0.2:53"),
            tcp(1, c, s, syn, seq: 100), tcp(1.01, s, c, rst | ack, seq: 0), // completed: still lingering
            icmp(2, "10.0.0.1", "10.0.0.3", type: 8),
        ])
        let out = table.flushed()
        #expect(out.count == 3)
        #expect(out.map(\.action) == [.shutdown, .end, .shutdown])
        #expect(table.count == 0)
        #expect(table.flushed().isEmpty)
        // The table keeps working after a flush.
        table.feed([udp(3, "10.0.0.1:1000", "10.0.0.2:53")])
        #expect(table.count == 1)
    }

    @Test func evictsLeastRecentlyActiveAtMaxFlows() throws {
        var config = FlowTableConfiguration()
        config.maxFlows = 3
        let table = FlowTable(configuration: config)
        var out: [FlowRecord] = []
        out += table.feed([
            udp(0, "10.0.0.1:1000", "10.0.0.9:53"),
            udp(1, "10.0.0.1:1001", "10.0.0.9:53"),
            udp(2, "10.0.0.1:1002", "10.0.0.9:53"),
            udp(3, "10.0.0.1:1000", "10.0.0.9:53"), // touches the first flow: 1001 is now the oldest
        ])
        #expect(out.isEmpty)
        out += table.feed([udp(4, "10.0.0.1:1003", "10.0.0.9:53")])
        out += table.feed([udp(5, "10.0.0.1:1004", "10.0.0.9:53")])
        #expect(out.map(\.sourcePort) == [1001, 1002])
        #expect(out.allSatisfy { $0.action == .evicted })
        #expect(table.count == 3)
        #expect(table.statistics.evicted == 2)
        #expect(table.statistics.created == 5)
        #expect(Set(table.flushed().compactMap(\.sourcePort)) == [1000, 1003, 1004])
    }

    @Test func synFloodStaysBounded() throws {
        var config = FlowTableConfiguration()
        config.maxFlows = 100
        let table = FlowTable(configuration: config)
        var out: [FlowRecord] = []
        for i in 0..<10_000 {
            table.add(tcp(Double(i) * 0.0001, "203.0.113.7:\(1024 + i % 60000)", "10.0.0.2:\(80 + i / 60000)", syn,
                          seq: UInt32(i)), into: &out)
            #expect(table.count <= 100)
        }
        #expect(table.count == 100)
        #expect(out.count == 9_900)
        #expect(out.allSatisfy { $0.action == .evicted && $0.state == "S0" })
        #expect(table.statistics.evicted == 9_900)
        #expect(table.statistics.created == 10_000)
        // The oldest attempts went first.
        #expect(out.first?.sourcePort == 1024)
    }

    @Test func evictingALingeringFlowEndsIt() throws {
        var config = FlowTableConfiguration()
        config.maxFlows = 1
        let table = FlowTable(configuration: config)
        table.feed([tcp(0, c, s, syn, seq: 1), tcp(0.1, s, c, rst | ack, seq: 0)])
        let out = table.feed([udp(1, "10.0.0.1:1000", "10.0.0.9:53")])
        #expect(out.map(\.action) == [.end])
        #expect(table.statistics.evicted == 0)
    }

    @Test func timeGoingBackwardsIsHarmless() throws {
        let table = FlowTable(configuration: distinctTimeouts())
        var out: [FlowRecord] = []
        out += table.feed([udp(100, "10.0.0.1:1000", "10.0.0.9:53")])
        out += table.feed([udp(50, "10.0.0.9:53", "10.0.0.1:1000")]) // older than the watermark
        out += table.feed([udp(10, "10.0.0.2:2000", "10.0.0.9:53")]) // a new flow, far in the past
        #expect(out.isEmpty)
        #expect(table.count == 2)
        // Nothing expires early: the watermark is still 100.
        #expect(table.expired(at: 60).isEmpty)
        #expect(table.expired(at: 119.999).isEmpty)
        let expired = table.expired(at: 120)
        #expect(expired.count == 2)
        for r in expired {
            #expect(r.end >= r.start)
            #expect(r.start == at(100))
        }
        #expect(expired.first { $0.sourcePort == 1000 }?.destinationPackets == 1)
    }

    @Test func expiryClockAheadOfPacketsKeepsPacketTimes() throws {
        // Live capture: `expire` runs on the wall clock, slightly ahead of the packets still being delivered.
        let table = FlowTable(configuration: distinctTimeouts())
        table.feed([udp(0, "10.0.0.1:1000", "10.0.0.9:53")])
        #expect(table.expired(at: 0.5).isEmpty)
        table.feed([udp(0.3, "10.0.0.9:53", "10.0.0.1:1000")])
        let out = table.expired(at: 20.3)
        #expect(out.count == 1)
        #expect(out.first?.start == at(0))
        #expect(out.first?.end == at(0.3))
        // The expiry clock alone also times flows out.
        table.feed([udp(21, "10.0.0.2:1000", "10.0.0.9:53")])
        #expect(table.expired(at: 40.999).isEmpty)
        #expect(table.expired(at: 41).count == 1)
    }

    @Test func activeTimeoutZeroDisablesUpdates() throws {
        var config = FlowTableConfiguration()
        config.activeTimeout = 0
        let table = FlowTable(configuration: config)
        var out: [FlowRecord] = []
        for i in 0..<100 { out += table.feed([udp(Double(i) * 10, "10.0.0.1:5000", "10.0.0.2:6000")]) }
        #expect(out.isEmpty)
        #expect(table.flushed().first?.sourcePackets == 100)
    }

    @Test func vlanIdsSeparateFlows() throws {
        let all = records([
            tcp(0, c, s, syn, seq: 1),
            tcp(0, c, s, syn, seq: 1, vlan: 10),
            tcp(0, c, s, syn, seq: 1, vlan: 10, inner: 20),
            tcp(0, c, s, syn, seq: 1, vlan: 11),
            tcp(0.1, s, c, syn | ack, seq: 9, vlan: 10),
        ])
        #expect(all.count == 4)
        let tagged = all.first { $0.vlanID == 10 && $0.innerVLANID == nil }
        #expect(tagged?.history == "Sh")
        #expect(tagged?.destinationPackets == 1)
        #expect(all.contains { $0.vlanID == 10 && $0.innerVLANID == 20 && $0.history == "S" })
        #expect(all.contains { $0.vlanID == nil && $0.history == "S" })
        #expect(all.contains { $0.vlanID == 11 })
        // The Community ID ignores VLANs.
        #expect(Set(all.map(\.communityID)).count == 1)
    }

    @Test func recordsCarryObserverAndCommunityID() throws {
        var config = FlowTableConfiguration()
        config.observerName = "sensor-1"
        let all = records([tcp(0, "[2001:db8::1]:5000", "[2001:db8::2]:22", syn, seq: 1),
                           tcp(0.1, "[2001:db8::2]:22", "[2001:db8::1]:5000", syn | ack, seq: 7)],
                          configuration: config)
        let r = try #require(all.first)
        #expect(all.count == 1)
        #expect(r.observerName == "sensor-1")
        #expect(r.sourceIP == IPAddress("2001:db8::1")!)
        #expect(r.sourceBytes == 60 && r.destinationBytes == 60)
        #expect(r.communityID == CommunityID().string(source: IPAddress("2001:db8::2")!, destination: IPAddress("2001:db8::1")!,
                                                     ianaNumber: 6, sourcePort: 22, destinationPort: 5000, hasPorts: true))
        #expect(r.communityID?.hasPrefix("1:") == true)
    }

    @Test func sameAddressesDifferentPortsAreDifferentFlows() throws {
        let all = records([
            udp(0, "10.0.0.1:1000", "10.0.0.1:2000"),
            udp(0.1, "10.0.0.1:2000", "10.0.0.1:1000"),
            udp(0.2, "10.0.0.1:1000", "10.0.0.1:2001"),
        ])
        #expect(all.count == 2)
        #expect(all.contains { $0.sourcePort == 1000 && $0.destinationPort == 2000 && $0.state == "SF" })
    }

    @Test func manyFlowsComeAndGo() throws {
        // Exercises index growth and backward-shift deletion against a plain dictionary model.
        var config = FlowTableConfiguration()
        config.udpTimeout = seconds(5)
        let table = FlowTable(configuration: config)
        var generator = FlowTestRandom(seed: 42)
        var open: [UInt32: Int] = [:] // address → packets in the flow
        var emitted: [FlowRecord] = []
        var time = 0.0
        for _ in 0..<40_000 {
            time += 0.001
            let host = UInt32(generator.next() % 6_000)
            let address = IPAddress(ipv4: 0x0a00_0000 | host)
            var p = udp(time, "192.168.0.1:53", "10.0.0.1:9")
            p.destination = address
            let before = emitted.count
            table.add(p, into: &emitted)
            for r in emitted[before...] {
                let key = UInt32(truncatingIfNeeded: r.destinationIP.low)
                #expect(open[key] == Int(r.sourcePackets))
                open[key] = nil
            }
            open[host | 0x0a00_0000, default: 0] += 1
            #expect(table.count == open.count)
        }
        for r in table.flushed() {
            let key = UInt32(truncatingIfNeeded: r.destinationIP.low)
            #expect(open[key] == Int(r.sourcePackets))
            open[key] = nil
        }
        #expect(open.isEmpty)
        #expect(table.count == 0)
    }
}

/// A small deterministic generator for tests.
struct FlowTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

import HydrantRecords
import Testing
@testable import HydrantCapture

private let c = "10.0.0.1:40000"
private let s = "10.0.0.2:80"

@Suite struct ConnStateTests: FlowTestSupport {
    /// The classic handshake (client ISN 100, server ISN 500).
    func handshake(from t: Double = 0) -> [DecodedPacket] {
        [
            tcp(t, c, s, syn, seq: 100),
            tcp(t + 0.01, s, c, syn | ack, seq: 500),
            tcp(t + 0.02, c, s, ack, seq: 101),
        ]
    }

    @Test func handshakeDataAndFINTeardownIsSF() throws {
        let packets = handshake() + [
            tcp(0.03, c, s, psh | ack, seq: 101, len: 10),
            tcp(0.04, s, c, ack, seq: 501),
            tcp(0.05, s, c, psh | ack, seq: 501, len: 20),
            tcp(0.06, c, s, fin | ack, seq: 111),
            tcp(0.07, s, c, fin | ack, seq: 521),
            tcp(0.08, c, s, ack, seq: 112),
        ]
        let table = FlowTable()
        #expect(table.feed(packets).isEmpty)
        #expect(table.count == 1)
        let out = table.expired(at: 0.08 + 5)
        #expect(out.count == 1)
        let r = try #require(out.first)
        #expect(r.action == .end)
        #expect(r.state == "SF")
        #expect(r.history == "ShADadFf")
        #expect(r.sourceIP == IPAddress("10.0.0.1")!)
        #expect(r.sourcePort == 40000)
        #expect(r.destinationIP == IPAddress("10.0.0.2")!)
        #expect(r.destinationPort == 80)
        #expect(r.ianaNumber == 6)
        #expect(r.sourcePackets == 5)
        #expect(r.sourceBytes == 5 * 40 + 10)
        #expect(r.destinationPackets == 4)
        #expect(r.destinationBytes == 4 * 40 + 20)
        #expect(r.start == at(0))
        #expect(r.end == at(0.08))
        #expect(r.icmpType == nil && r.icmpCode == nil)
        #expect(r.communityID == CommunityID().string(source: IPAddress("10.0.0.1")!, destination: IPAddress("10.0.0.2")!,
                                                     ianaNumber: 6, sourcePort: 40000, destinationPort: 80, hasPorts: true))
        #expect(table.count == 0)
    }

    @Test func rejectedAttemptIsREJ() throws {
        let r = try #require(onlyRecord([tcp(0, c, s, syn, seq: 100), tcp(0.001, s, c, rst | ack, seq: 0)]))
        #expect(r.state == "REJ")
        #expect(r.history == "Sr")
        #expect(r.action == .end)
        #expect(r.sourcePackets == 1 && r.destinationPackets == 1)
    }

    @Test func unansweredSYNIsS0() throws {
        let table = FlowTable()
        table.feed([tcp(0, c, s, syn, seq: 100), tcp(1, c, s, syn, seq: 100), tcp(3, c, s, syn, seq: 100)])
        #expect(table.expired(at: 32.999).isEmpty)
        let out = table.expired(at: 33)
        let r = try #require(out.first)
        #expect(out.count == 1)
        #expect(r.action == .timeout)
        #expect(r.state == "S0")
        #expect(r.history == "S")
        #expect(r.sourcePackets == 3)
        #expect(r.destinationPackets == 0)
    }

    @Test func originatorAbortIsRSTO() throws {
        let r = try #require(onlyRecord(handshake() + [tcp(0.05, c, s, rst | ack, seq: 101)]))
        #expect(r.state == "RSTO")
        #expect(r.history == "ShAR")
    }

    @Test func responderAbortIsRSTR() throws {
        let r = try #require(onlyRecord(handshake() + [
            tcp(0.03, c, s, psh | ack, seq: 101, len: 100),
            tcp(0.04, s, c, rst, seq: 501),
        ]))
        #expect(r.state == "RSTR")
        #expect(r.history == "ShADr")
    }

    @Test func synThenRSTWithoutAnswerIsRSTOS0() throws {
        let r = try #require(onlyRecord([tcp(0, c, s, syn, seq: 100), tcp(0.5, c, s, rst, seq: 101)]))
        #expect(r.state == "RSTOS0")
        #expect(r.history == "SR")
    }

    @Test func synThenFINWithoutAnswerIsSH() throws {
        let r = try #require(onlyRecord([tcp(0, c, s, syn, seq: 100), tcp(0.5, c, s, fin, seq: 101)]))
        #expect(r.state == "SH")
        #expect(r.history == "SF")
        #expect(r.action == .end)
    }

    @Test func midstreamTrafficIsOTH() throws {
        let r = try #require(onlyRecord([
            tcp(0, c, s, psh | ack, seq: 7000, len: 100),
            tcp(0.01, s, c, ack, seq: 9000),
            tcp(0.02, c, s, psh | ack, seq: 7100, len: 100),
        ]))
        #expect(r.state == "OTH")
        #expect(r.history == "Da")
        #expect(r.action == .shutdown)
        #expect(r.sourceIP == IPAddress("10.0.0.1")!)
    }

    @Test func synAckFirstFlipsRoles() throws {
        // The SYN was not captured: the SYN+ACK's receiver is the initiator.
        let r = try #require(onlyRecord([
            tcp(0, s, c, syn | ack, seq: 500),
            tcp(0.01, c, s, ack, seq: 101),
            tcp(0.02, c, s, psh | ack, seq: 101, len: 10),
            tcp(0.03, s, c, ack, seq: 501),
            tcp(0.04, s, c, psh | ack, seq: 501, len: 20),
            tcp(0.05, c, s, fin | ack, seq: 111),
            tcp(0.06, s, c, fin | ack, seq: 521),
        ]))
        #expect(r.sourceIP == IPAddress("10.0.0.1")!)
        #expect(r.sourcePort == 40000)
        #expect(r.destinationPort == 80)
        #expect(r.history == "^hADadFf")
        #expect(r.state == "SF")
        #expect(r.sourcePackets == 3)
        #expect(r.destinationPackets == 4)
    }

    @Test func synCapturedAfterSynAckStillEstablishes() throws {
        let r = try #require(onlyRecord([
            tcp(0, s, c, syn | ack, seq: 500),
            tcp(0.0001, c, s, syn, seq: 100),
            tcp(0.01, c, s, ack, seq: 101),
        ]))
        #expect(r.sourceIP == IPAddress("10.0.0.1")!)
        #expect(r.history == "^hSA")
        #expect(r.state == "S1")
    }

    @Test func synAckThenResponderRSTIsRSTRH() throws {
        let r = try #require(onlyRecord([tcp(0, s, c, syn | ack, seq: 500), tcp(0.01, s, c, rst, seq: 501)]))
        #expect(r.history == "^hr")
        #expect(r.state == "RSTRH")
        #expect(r.sourcePort == 40000)
    }

    @Test func synAckThenResponderFINIsSHR() throws {
        let r = try #require(onlyRecord([tcp(0, s, c, syn | ack, seq: 500), tcp(0.01, s, c, fin | ack, seq: 501)]))
        #expect(r.history == "^hf")
        #expect(r.state == "SHR")
    }

    @Test func establishedNotClosedIsS1() throws {
        let r = try #require(onlyRecord(handshake()))
        #expect(r.state == "S1")
        #expect(r.history == "ShA")
        #expect(r.action == .shutdown)
    }

    @Test func halfClosedIsS2OrS3() throws {
        let s2 = try #require(onlyRecord(handshake() + [tcp(0.1, c, s, fin | ack, seq: 101)]))
        #expect(s2.state == "S2")
        #expect(s2.history == "ShAF")
        let s3 = try #require(onlyRecord(handshake() + [tcp(0.1, s, c, fin | ack, seq: 501)]))
        #expect(s3.state == "S3")
        #expect(s3.history == "ShAf")
    }

    @Test func finThenRSTIsRSTO() throws {
        let r = try #require(onlyRecord(handshake() + [
            tcp(0.1, c, s, fin | ack, seq: 101),
            tcp(0.11, c, s, rst, seq: 102),
        ]))
        #expect(r.history == "ShAFR")
        #expect(r.state == "RSTO")
    }

    @Test func finThenRSTAnsweredByFINIsSF() throws {
        // Zeek turns an endpoint's RST after its own FIN back into a normal close when the peer's FIN follows.
        let r = try #require(onlyRecord(handshake() + [
            tcp(0.1, c, s, fin | ack, seq: 101),
            tcp(0.11, c, s, rst, seq: 102),
            tcp(0.12, s, c, fin | ack, seq: 501),
        ]))
        #expect(r.history == "ShAFRf")
        #expect(r.state == "SF")
    }

    @Test func retransmittedPayloadRecordsT() throws {
        var packets = handshake()
        packets.append(tcp(0.03, c, s, psh | ack, seq: 101, len: 100))
        packets.append(tcp(0.33, c, s, psh | ack, seq: 101, len: 100)) // retransmission
        packets.append(tcp(0.34, s, c, ack, seq: 501))
        for i in 0..<9 { packets.append(tcp(0.4 + Double(i) * 0.01, c, s, psh | ack, seq: 101, len: 100)) }
        let r = try #require(onlyRecord(packets))
        // 10 retransmissions: T at the 1st and the 10th (Zeek's logarithmic letters).
        #expect(r.history == "ShADTaT")
    }

    @Test func multiFlagPacketsRecordIAndQ() throws {
        let i = try #require(onlyRecord(handshake() + [tcp(0.1, c, s, fin | rst | ack, seq: 101)]))
        #expect(i.history == "ShAI")
        let q = try #require(onlyRecord([tcp(0, c, s, syn | fin, seq: 100)]))
        #expect(q.history == "Q")
    }

    @Test func lettersAreRecordedOncePerDirection() throws {
        var packets = handshake()
        for i in 0..<5 {
            packets.append(tcp(0.1 + Double(i), c, s, psh | ack, seq: 101 + UInt32(i) * 10, len: 10))
            packets.append(tcp(0.2 + Double(i), s, c, ack, seq: 501))
        }
        let r = try #require(onlyRecord(packets))
        #expect(r.history == "ShADa")
        #expect(r.sourcePackets == 7)
        #expect(r.destinationPackets == 6)
    }

    @Test func finWithDifferentSequenceRepeatsF() throws {
        let r = try #require(onlyRecord(handshake() + [
            tcp(0.1, c, s, fin | ack, seq: 101),
            tcp(0.2, c, s, fin | ack, seq: 101), // retransmitted FIN: same sequence, no new letter
            tcp(0.3, c, s, fin | ack, seq: 150), // a FIN at a different sequence number
        ]))
        #expect(r.history == "ShAFF")
    }

    @Test func udpRequestAndResponseIsSF() throws {
        let r = try #require(onlyRecord([
            udp(0, "192.168.1.52:54585", "8.8.8.8:53", len: 30),
            udp(0.02, "8.8.8.8:53", "192.168.1.52:54585", len: 90),
            udp(1, "192.168.1.52:54585", "8.8.8.8:53", len: 30),
        ]))
        #expect(r.state == "SF")
        #expect(r.history == "Dd")
        #expect(r.sourcePackets == 2 && r.destinationPackets == 1)
        #expect(r.sourceBytes == 2 * 58 && r.destinationBytes == 118)
        #expect(r.sourcePort == 54585 && r.destinationPort == 53)
        #expect(r.communityID == "1:d/FP5EW3wiY1vCndhwleRRKHowQ=")
    }

    @Test func udpWithoutAnswerIsS0() throws {
        let r = try #require(onlyRecord([udp(0, "10.0.0.1:5000", "10.0.0.9:514", len: 100)]))
        #expect(r.state == "S0")
        #expect(r.history == "D")
    }

    @Test func icmpEchoRequestAndReplyShareAFlow() throws {
        let r = try #require(onlyRecord([
            icmp(0, "192.168.0.89", "192.168.0.1", type: 8),
            icmp(0.001, "192.168.0.1", "192.168.0.89", type: 0),
            icmp(1, "192.168.0.89", "192.168.0.1", type: 8),
            icmp(1.001, "192.168.0.1", "192.168.0.89", type: 0),
        ]))
        #expect(r.sourceIP == IPAddress("192.168.0.89")!)
        #expect(r.sourcePort == nil && r.destinationPort == nil)
        #expect(r.icmpType == 8 && r.icmpCode == 0)
        #expect(r.sourcePackets == 2 && r.destinationPackets == 2)
        #expect(r.state == "OTH")
        #expect(r.history == nil)
        #expect(r.communityID == "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=")
    }

    @Test func icmpv6NeighbourDiscoverySharesAFlow() throws {
        let all = records([
            icmp(0, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", type: 135),
            icmp(0.001, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", type: 136),
        ])
        #expect(all.count == 1)
        #expect(all.first?.ianaNumber == 58)
        #expect(all.first?.icmpType == 135)
        #expect(all.first?.communityID == "1:dGHyGvjMfljg6Bppwm3bg0LO8TY=")
    }

    @Test func icmpErrorsKeepTheirTypeAndCode() throws {
        let r = try #require(onlyRecord([icmp(0, "10.0.0.254", "10.0.0.1", type: 3, code: 1)]))
        #expect(r.icmpType == 3 && r.icmpCode == 1)
        #expect(r.communityID == CommunityID().string(source: IPAddress("10.0.0.254")!, destination: IPAddress("10.0.0.1")!,
                                                     ianaNumber: 1, sourcePort: 3, destinationPort: 1, hasPorts: true))
    }

    @Test func portlessProtocolHasNoPorts() throws {
        let r = try #require(onlyRecord([
            ipOnly(0, "10.1.24.4", "10.1.12.1", protocol: 46),
            ipOnly(1, "10.1.12.1", "10.1.24.4", protocol: 46),
        ]))
        #expect(r.sourcePort == nil && r.destinationPort == nil && r.icmpType == nil)
        #expect(r.state == "OTH")
        #expect(r.sourcePackets == 1 && r.destinationPackets == 1)
        #expect(r.communityID == "1:/nQI4Rh/TtY3mf0R2gJFBkVlgS4=")
    }
}

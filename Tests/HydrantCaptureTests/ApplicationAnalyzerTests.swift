import HydrantRecords
import Testing
@testable import HydrantCapture

/// One TCP or UDP conversation fed packet by packet to an `ApplicationAnalyzer`, with sequence numbers kept per
/// direction, so a test reads like the traffic it describes.
private final class Conversation {
    let analyzer: ApplicationAnalyzer
    let client = IPAddress(ipv4: 0x0A00_0001)
    let server = IPAddress(ipv4: 0x0A00_0002)
    let clientPort: UInt16
    let serverPort: UInt16
    let ianaNumber: UInt8
    var clientSequence: UInt32 = 1000
    var serverSequence: UInt32 = 5000
    var time: Int64 = 1_700_000_000_000_000_000
    var records = CaptureRecords()

    init(_ analyzer: ApplicationAnalyzer, clientPort: UInt16 = 40000, serverPort: UInt16, udp: Bool = false) {
        self.analyzer = analyzer
        self.clientPort = clientPort
        self.serverPort = serverPort
        ianaNumber = udp ? 17 : 6
    }

    /// Sends `bytes` from the client (or the server); `sequence` overrides the next sequence number (for
    /// out-of-order and retransmitted segments); `captured` cuts the payload as a snap length would.
    @discardableResult
    func send(_ bytes: [UInt8], fromClient: Bool = true, sequence: UInt32? = nil, flags: UInt8 = TCPFlags.ack | TCPFlags.psh,
              captured: Int? = nil, advance: Int64 = 1_000_000) -> ApplicationProtocol {
        time += advance
        var packet = DecodedPacket()
        packet.timestamp = Timestamp(nanoseconds: time)
        packet.source = fromClient ? client : server
        packet.destination = fromClient ? server : client
        packet.sourcePort = fromClient ? clientPort : serverPort
        packet.destinationPort = fromClient ? serverPort : clientPort
        packet.hasPorts = true
        packet.ianaNumber = ianaNumber
        packet.tcpFlags = flags
        let next = fromClient ? clientSequence : serverSequence
        packet.tcpSequence = sequence ?? next
        if sequence == nil {
            if fromClient { clientSequence &+= UInt32(bytes.count) } else { serverSequence &+= UInt32(bytes.count) }
        }
        packet.payloadLength = bytes.count
        let kept = Array(bytes.prefix(captured ?? bytes.count))
        let recognised = kept.withUnsafeBytes { raw in
            packet.payload = raw
            return analyzer.analyze(packet)
        }
        analyzer.takeRecords(into: &records)
        return recognised
    }

    /// Both sides send FIN; the session ends.
    func close() {
        send([], fromClient: true, flags: TCPFlags.fin | TCPFlags.ack)
        send([], fromClient: false, flags: TCPFlags.fin | TCPFlags.ack)
    }

    /// Ends the capture.
    func finish() {
        analyzer.flush()
        analyzer.takeRecords(into: &records)
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct ApplicationAnalyzerTests {
    @Test("pipelined requests pair with their responses in order; chunked and sized bodies are counted")
    func pipelinedHTTP() {
        let talk = Conversation(ApplicationAnalyzer(), serverPort: 8081)
        let requests = "GET /a HTTP/1.1\r\nHost: Example.COM:8081\r\nUser-Agent: t/1\r\n\r\n"
            + "POST /b?x=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nReferer: http://r/\r\n\r\nhello"
        #expect(talk.send(bytes(requests)) == .http)
        talk.send(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n"), fromClient: false)
        talk.send(bytes("4\r\nabcd\r\n3;ext=1\r\nefg\r\n0\r\nX-Trailer: 1\r\n\r\n"), fromClient: false)
        talk.send(bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"), fromClient: false)
        talk.close()
        #expect(talk.records.http.count == 2)
        let first = talk.records.http[0]
        #expect(first.method == "GET" && first.target == "/a" && first.domain == "example.com" && first.userAgent == "t/1")
        #expect(first.statusCode == 200 && first.responseMimeType == "text/html" && first.responseBodyBytes == 7)
        let second = talk.records.http[1]
        #expect(second.method == "POST" && second.path == "/b" && second.requestBodyBytes == 5 && second.referrer == "http://r/")
        #expect(second.statusCode == 404 && second.responseBodyBytes == 9)
        #expect(first.connection.sourceIP == talk.client && first.connection.destinationPort == 8081)
        #expect(first.communityID?.hasPrefix("1:") == true)
    }

    @Test("a request head split over segments that arrive out of order, with a retransmission, is one request")
    func reorderedHead() {
        let talk = Conversation(ApplicationAnalyzer(), serverPort: 80)
        let head = bytes("GET /split HTTP/1.1\r\nHost: a.example\r\n\r\n")
        talk.send([], sequence: talk.clientSequence &- 1, flags: TCPFlags.syn)
        talk.send([], fromClient: false, sequence: talk.serverSequence &- 1, flags: TCPFlags.syn | TCPFlags.ack)
        let start = talk.clientSequence
        talk.send(Array(head[20...]), sequence: start + 20)
        talk.send(Array(head[..<10]), sequence: start)
        talk.send(Array(head[..<10]), sequence: start)
        talk.send(Array(head[10..<20]), sequence: start + 10)
        talk.clientSequence = start + UInt32(head.count)
        talk.send(bytes("HTTP/1.0 200 OK\r\n\r\nbody until close"), fromClient: false)
        talk.close()
        #expect(talk.records.http.map(\.target) == ["/split"])
        #expect(talk.records.http.first?.responseBodyBytes == 16)
    }

    @Test("a large sized body is counted, not kept: exact when complete, what arrived when the connection ends early")
    func largeBodies() {
        let analyzer = ApplicationAnalyzer()
        let talk = Conversation(analyzer, serverPort: 80)
        talk.send(bytes("GET /big HTTP/1.1\r\nHost: d.example\r\n\r\nGET /cut HTTP/1.1\r\nHost: d.example\r\n\r\n"))
        talk.send(bytes("HTTP/1.1 200 OK\r\nContent-Length: 300000\r\n\r\n") + Array(repeating: 7, count: 1000), fromClient: false)
        // 299,000 more body bytes in 1,000-byte segments (beyond the assembler's 64 KiB bound if they were kept),
        // then the next response's head in the same segment as the body's last bytes.
        for _ in 0..<298 { talk.send(Array(repeating: 7, count: 1000), fromClient: false) }
        talk.send(Array(repeating: 7, count: 1000) + bytes("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\nabc"), fromClient: false)
        #expect(talk.records.http.count == 1)
        #expect(talk.records.http.first?.responseBodyBytes == 300_000)
        talk.send(Array(repeating: 1, count: 997), fromClient: false)
        talk.close()
        #expect(talk.records.http.count == 2)
        #expect(talk.records.http.last?.target == "/cut" && talk.records.http.last?.responseBodyBytes == 1000)
        #expect(analyzer.statistics.assemblerBufferFull == 0)
    }

    @Test("a head past 16 KiB is an error, not a buffer that grows; the connection is then ignored")
    func absurdHeaderLength() {
        let analyzer = ApplicationAnalyzer()
        let talk = Conversation(analyzer, serverPort: 80)
        talk.send(bytes("GET / HTTP/1.1\r\nX-Long: "))
        for _ in 0..<20 { talk.send([UInt8](repeating: UInt8(ascii: "a"), count: 1024)) }
        talk.close()
        #expect(talk.records.http.isEmpty)
        #expect(analyzer.statistics.httpErrors == 1)
        #expect(analyzer.sessionCount == 0)
    }

    @Test("a ClientHello over two segments and the ServerHello make one TLS record with SNI, JA3, JA4 and JA3S")
    func tlsHandshake() throws {
        let talk = Conversation(ApplicationAnalyzer(), serverPort: 8443)
        let hello = TLSMessageBuilder.clientHello(serverName: "Secure.Example", client: .browser,
                                                  random: Array(repeating: 1, count: 32),
                                                  sessionID: Array(repeating: 2, count: 32), keyShare: Array(repeating: 3, count: 32))
        #expect(talk.send(Array(hello[..<100])) == .tls)
        talk.send(Array(hello[100...]))
        let serverHello = TLSMessageBuilder.serverHello(random: Array(repeating: 4, count: 32),
                                                        sessionID: Array(repeating: 2, count: 32), keyShare: Array(repeating: 5, count: 32))
        talk.send(serverHello, fromClient: false)
        let record = try #require(talk.records.tls.first)
        #expect(talk.records.tls.count == 1)
        #expect(record.serverName == "secure.example" || record.serverName == "Secure.Example")
        #expect(record.ja3.count == 32 && record.ja4.hasPrefix("t13d") && record.ja3s?.count == 32)
        #expect(record.version == "1.3" && record.nextProtocol == "h2")
        #expect(record.supportedCiphers.first == "TLS_AES_128_GCM_SHA256")
        #expect(record.extensions.first == 0 && record.extensions.contains(16) && record.offeredVersions.contains("1.3"))
    }

    @Test("a truncated ClientHello gives no record and no crash, whether the connection ends or the snap length cuts it")
    func truncatedTLS() {
        let analyzer = ApplicationAnalyzer()
        let hello = TLSMessageBuilder.clientHello(serverName: "cut.example", client: .commandLine,
                                                  random: Array(repeating: 1, count: 32), sessionID: [],
                                                  keyShare: Array(repeating: 3, count: 32))
        let ended = Conversation(analyzer, clientPort: 40001, serverPort: 443)
        ended.send(Array(hello[..<60]))
        ended.close()
        let cut = Conversation(analyzer, clientPort: 40002, serverPort: 443)
        cut.send(hello, captured: 60)
        cut.send(Array(repeating: 0, count: 10))
        cut.close()
        #expect(ended.records.tls.isEmpty && cut.records.tls.isEmpty)
        #expect(analyzer.statistics.tlsErrors == 1)
        #expect(analyzer.statistics.tlsClientHellos == 0)
    }

    @Test("a request line cut by the snap length after its end still gives the request")
    func snapLengthCutsHead() {
        let talk = Conversation(ApplicationAnalyzer(), serverPort: 80)
        let head = bytes("GET /cut HTTP/1.1\r\nHost: h.example\r\nUser-Agent: something long\r\n\r\n")
        talk.send(head, captured: 45)
        talk.close()
        #expect(talk.records.http.count == 1)
        #expect(talk.records.http.first?.target == "/cut" && talk.records.http.first?.domain == "h.example")
        #expect(talk.records.http.first?.userAgent == nil)
    }

    @Test("DNS over UDP: a query pairs with its response; a lone query times out on packet time; a lone response is a record")
    func dnsOverUDP() throws {
        let analyzer = ApplicationAnalyzer()
        let talk = Conversation(analyzer, serverPort: 53, udp: true)
        #expect(talk.send(DNSMessageBuilder.query(id: 7, name: "Www.Example.com", type: 1, edns: false)) == .dns)
        talk.send(DNSMessageBuilder.response(id: 7, name: "Www.Example.com", type: 1, canonicalName: "edge.example.net",
                                             addresses: [IPAddress(ipv4: 0x0102_0304)], ttl: 60, edns: false),
                  fromClient: false, advance: 2_000_000)
        let paired = try #require(talk.records.dns.first)
        #expect(paired.questionName == "www.example.com" && paired.questionType == "A" && paired.responseCode == "NOERROR")
        #expect(paired.answerData == ["edge.example.net", "1.2.3.4"] && paired.resolvedIPs == ["1.2.3.4"])
        #expect(paired.answerTypes == ["CNAME", "A"] && paired.answerTTLs == [60, 60])
        #expect(paired.duration == 2_000_000 && paired.sourceIP == talk.client)

        talk.send(DNSMessageBuilder.query(id: 8, name: "lost.example", type: 28, edns: true))
        #expect(talk.records.dns.count == 1)
        talk.send(DNSMessageBuilder.query(id: 9, name: "later.example", type: 1, edns: false), advance: 11_000_000_000)
        #expect(talk.records.dns.count == 2)
        #expect(talk.records.dns[1].questionName == "lost.example" && talk.records.dns[1].responseCode == nil)
        talk.send(DNSMessageBuilder.response(id: 99, name: "orphan.example", type: 1, canonicalName: nil, addresses: [],
                                             ttl: 1, responseCode: 3, edns: false), fromClient: false)
        let orphan = try #require(talk.records.dns.last)
        #expect(orphan.questionName == "orphan.example" && orphan.responseCode == "NXDOMAIN" && orphan.sourceIP == talk.client)
        talk.finish()
        #expect(talk.records.dns.map(\.questionName).contains("later.example"))
        #expect(analyzer.statistics.dnsUnanswered == 2 && analyzer.statistics.dnsUnmatchedResponses == 1)
    }

    @Test("the Community ID a packet's record needed is offered once, for that packet, and is the record's")
    func communityIDOfferedForThePacket() throws {
        let analyzer = ApplicationAnalyzer()
        let dns = Conversation(analyzer, clientPort: 40001, serverPort: 53, udp: true)
        dns.send(DNSMessageBuilder.query(id: 3, name: "a.example", type: 1, edns: false))
        let offered = analyzer.takeCommunityID()
        #expect(analyzer.takeCommunityID() == nil)
        dns.send(DNSMessageBuilder.response(id: 3, name: "a.example", type: 1, canonicalName: nil,
                                            addresses: [IPAddress(ipv4: 0x0102_0304)], ttl: 5, edns: false),
                 fromClient: false)
        // The response completes the query's record: nothing new is hashed.
        #expect(analyzer.takeCommunityID() == nil)
        let record = try #require(dns.records.dns.first)
        #expect(offered != nil && offered == record.communityID)
        let expected = CommunityID(seed: 0).string(source: dns.client, destination: dns.server, ianaNumber: 17,
                                                   sourcePort: 40001, destinationPort: 53, hasPorts: true)
        #expect(offered == expected)

        let http = Conversation(analyzer, clientPort: 40002, serverPort: 80)
        http.send(bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        let tcpOffered = analyzer.takeCommunityID()
        http.send(bytes("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"))
        #expect(analyzer.takeCommunityID() == nil)
        http.close()
        http.finish()
        #expect(http.records.http.count == 2)
        #expect(tcpOffered != nil && http.records.http.allSatisfy { $0.communityID == tcpOffered })
    }

    @Test("answered queries do not pile up: a burst far past the pending bound within one timeout stays bounded")
    func dnsBurstStaysBounded() {
        var configuration = ApplicationConfiguration()
        configuration.maxPendingQueries = 100
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        let talk = Conversation(analyzer, serverPort: 53, udp: true)
        for id in 0..<5_000 {
            let name = "n\(id).example"
            talk.send(DNSMessageBuilder.query(id: UInt16(id), name: name, type: 1, edns: false), advance: 1000)
            talk.send(DNSMessageBuilder.response(id: UInt16(id), name: name, type: 1, canonicalName: nil,
                                                 addresses: [IPAddress(ipv4: 0x0A00_0009)], ttl: 1, edns: false),
                      fromClient: false, advance: 1000)
        }
        #expect(talk.records.dns.count == 5_000)
        #expect(analyzer.pendingQueryBookkeeping <= 2 * 100 + 1)
    }

    @Test("DNS over TCP: two messages in one segment and one split across segments")
    func dnsOverTCP() {
        let talk = Conversation(ApplicationAnalyzer(), serverPort: 53)
        func framed(_ message: [UInt8]) -> [UInt8] { [UInt8(message.count >> 8), UInt8(message.count & 0xff)] + message }
        let queries = framed(DNSMessageBuilder.query(id: 1, name: "one.example", type: 1, edns: false))
            + framed(DNSMessageBuilder.query(id: 2, name: "two.example", type: 16, edns: false))
        #expect(talk.send(queries) == .dns)
        let answer = framed(DNSMessageBuilder.response(id: 2, name: "two.example", type: 16, canonicalName: nil,
                                                       addresses: [], ttl: 5, edns: false))
        talk.send(Array(answer[..<7]), fromClient: false)
        talk.send(Array(answer[7...]), fromClient: false)
        talk.close()
        talk.finish()
        #expect(Set(talk.records.dns.map { $0.questionName ?? "" }) == ["one.example", "two.example"])
        #expect(talk.records.dns.first { $0.questionName == "two.example" }?.responseCode == "NOERROR")
    }

    @Test("a DNS message with a compression-pointer loop is counted as malformed and makes no record")
    func malformedDNS() {
        let analyzer = ApplicationAnalyzer()
        let talk = Conversation(analyzer, serverPort: 53, udp: true)
        // Header with one question whose name is a pointer to itself (offset 12).
        let loop: [UInt8] = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(talk.send(loop) == .none)
        talk.finish()
        #expect(talk.records.dns.isEmpty)
        #expect(analyzer.statistics.dnsErrors == 1)
    }

    @Test("other protocols are not followed, and past maxSessions connections are counted and left alone")
    func boundedSessions() {
        var configuration = ApplicationConfiguration()
        configuration.maxSessions = 2
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        let ssh = Conversation(analyzer, clientPort: 40010, serverPort: 22)
        #expect(ssh.send(bytes("SSH-2.0-OpenSSH_9.6\r\n")) == .none)
        let web = Conversation(analyzer, clientPort: 40011, serverPort: 80)
        #expect(web.send(bytes("GET / HTTP/1.1\r\n")) == .http)
        let refused = Conversation(analyzer, clientPort: 40012, serverPort: 80)
        #expect(refused.send(bytes("GET / HTTP/1.1\r\n\r\n")) == .none)
        #expect(analyzer.statistics.sessionsRefused == 1)
        #expect(analyzer.sessionCount == 2)
    }

    @Test("a SYN flood into a full session table is refused and counted without walking the table per packet")
    func synFlood() {
        var configuration = ApplicationConfiguration()
        configuration.maxSessions = 1_000
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        for port in 0..<50_000 {
            let talk = Conversation(analyzer, clientPort: UInt16(1024 + port % 60_000), serverPort: UInt16(1 + port / 60_000))
            talk.time += Int64(port) * 1_000
            talk.send([], sequence: 1, flags: TCPFlags.syn, advance: 0)
        }
        #expect(analyzer.sessionCount == 1_000)
        #expect(analyzer.statistics.sessionsRefused == 49_000)
        // 50,000 SYNs 1 µs apart span 50 ms of packet time: the full table is swept at most once, not per SYN.
        #expect(analyzer.forcedSweeps == 1)
    }

    @Test("bytes held across connections are bounded: past the budget a connection is dropped and counted")
    func heldBytesBudget() {
        var configuration = ApplicationConfiguration()
        configuration.maxHeldBytes = 100_000
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        // Each connection sends 15 KiB of an HTTP head that never ends: held until the head completes or fails.
        for index in 0..<20 {
            let talk = Conversation(analyzer, clientPort: UInt16(30_000 + index), serverPort: 80)
            talk.send(bytes("GET / HTTP/1.1\r\nX-Pad: ") + Array(repeating: UInt8(ascii: "a"), count: 15_000))
            #expect(analyzer.heldBytes <= 100_000)
        }
        #expect(analyzer.statistics.sessionsOverBudget == 14)
        analyzer.flush()
        #expect(analyzer.heldBytes == 0)
    }

    @Test("datasets switched off are not parsed")
    func datasetsOff() {
        var configuration = ApplicationConfiguration()
        configuration.http = false
        configuration.dns = false
        let analyzer = ApplicationAnalyzer(configuration: configuration)
        let web = Conversation(analyzer, serverPort: 80)
        #expect(web.send(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n")) == .none)
        let dns = Conversation(analyzer, serverPort: 53, udp: true)
        #expect(dns.send(DNSMessageBuilder.query(id: 1, name: "a.example", type: 1, edns: false)) == .none)
        web.finish()
        #expect(web.records.isEmpty)
    }
}

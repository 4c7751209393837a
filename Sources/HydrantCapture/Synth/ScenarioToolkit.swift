import HydrantRecords

/// Building blocks of the `RuleScenario` captures: hosts by address and complete conversations (DNS lookups,
/// TLS and HTTP sessions, cleartext dialogues, refused and unanswered connection attempts, bulk uploads), built
/// with the same builders as the `mixed` scenario.
struct ScenarioToolkit {
    /// The internal resolver every client asks (10.0.0.53, as in `mixed`).
    static let resolver = host(10, 0, 0, 53)

    /// The host `a.b.c.d`; `hopLimit` is its TTL as seen at the capture point (64: Linux, 128: Windows).
    static func host(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, hopLimit: UInt8 = 64) -> SynthHost {
        let value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
        return SynthHost(mac: 0x0200_0000_0000 | UInt64(value), ipv4: IPAddress(ipv4: value), ipv6: nil,
                         hopLimit: hopLimit)
    }

    /// An ephemeral client port of the host's system (Windows' or Linux's range).
    static func ephemeralPort(_ client: SynthHost, _ g: inout SeededGenerator) -> UInt16 {
        UInt16(client.hopLimit == 128 ? g.uniform(in: 49_152...65_535) : g.uniform(in: 32_768...60_999))
    }

    /// A round trip inside the site (0.15–1.5 ms) or to the Internet (8–60 ms).
    static func roundTrip(inside: Bool, _ g: inout SeededGenerator) -> Int64 {
        Int64(inside ? g.uniform(in: 150_000...1_500_000) : g.uniform(in: 8_000_000...60_000_000))
    }

    /// A TCP connection from `client` to `server:port` starting at `start`.
    static func tcp(_ client: SynthHost, _ server: SynthHost, port: UInt16, at start: Int64, inside: Bool,
                    bitsPerSecond: Int64 = 100_000_000, _ g: inout SeededGenerator) -> TCPConversationBuilder {
        TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: false,
                                       clientPort: ephemeralPort(client, &g), serverPort: port),
            start: start, rtt: roundTrip(inside: inside, &g), clientDelay: Int64(g.uniform(in: 15_000...250_000)),
            bitsPerSecond: bitsPerSecond, generator: &g)
    }

    // MARK: - DNS

    /// A lookup of `name` (`type` A or AAAA) at the resolver, answered after 0.3–3 ms with `addresses`, or with
    /// NXDOMAIN when `addresses` is empty.
    static func lookup(_ client: SynthHost, name: String, type: UInt16 = DNSMessageBuilder.typeA,
                       addresses: [IPAddress], at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        var script = ConversationScript(client: client, server: resolver, ipv6: false,
                                        clientPort: ephemeralPort(client, &g), serverPort: 53)
        let id = UInt16(truncatingIfNeeded: g.next())
        let edns = g.chance(0.5)
        script.append(ScriptPacket(time: time, order: 0, fromClient: true, kind: .udp,
                                   payload: SynthPayload(prefix: DNSMessageBuilder.query(id: id, name: name, type: type,
                                                                                         edns: edns))))
        let answer = DNSMessageBuilder.response(
            id: id, name: name, type: type, canonicalName: nil, addresses: addresses,
            ttl: UInt32(g.uniform(in: 60...3_600)), responseCode: addresses.isEmpty ? DNSMessageBuilder.nameError : 0,
            edns: edns)
        script.append(ScriptPacket(time: time + Int64(g.uniform(in: 300_000...3_000_000)), order: 0, fromClient: false,
                                   kind: .udp, payload: SynthPayload(prefix: answer)))
        script.finish()
        return script
    }

    /// A TXT lookup of `name` answered with `texts`.
    static func textLookup(_ client: SynthHost, name: String, texts: [String], at time: Int64,
                           _ g: inout SeededGenerator) -> ConversationScript {
        var script = ConversationScript(client: client, server: resolver, ipv6: false,
                                        clientPort: ephemeralPort(client, &g), serverPort: 53)
        let id = UInt16(truncatingIfNeeded: g.next())
        script.append(ScriptPacket(time: time, order: 0, fromClient: true, kind: .udp,
                                   payload: SynthPayload(prefix: DNSMessageBuilder.query(
                                       id: id, name: name, type: DNSTextResponseBuilder.typeTXT, edns: false))))
        let answer = DNSTextResponseBuilder.response(id: id, name: name, texts: texts, ttl: 300)
        script.append(ScriptPacket(time: time + Int64(g.uniform(in: 300_000...3_000_000)), order: 0, fromClient: false,
                                   kind: .udp, payload: SynthPayload(prefix: answer)))
        script.finish()
        return script
    }

    // MARK: - TCP sessions

    /// A TLS 1.3 session on `port`: ClientHello with `serverName`, the server's flight, `requests` request and
    /// response pairs of application data (`responseSize` bytes each), close_notify and FIN.
    static func tlsSession(_ client: SynthHost, _ server: SynthHost, port: UInt16 = 443, serverName: String,
                           at start: Int64, requests: Int, responseSize: ClosedRange<Int>,
                           _ g: inout SeededGenerator) -> ConversationScript {
        var tcp = tcp(client, server, port: port, at: start, inside: false, &g)
        tcp.handshake()
        tcp.tlsHandshake(serverName: serverName, &g)
        for i in 0..<max(1, requests) {
            var messages: [StreamMessage] = []
            if i == 0 {
                var finished = TLSMessageBuilder.changeCipherSpecRecord
                finished.append(contentsOf: TLSMessageBuilder.recordHeader(TLSMessageBuilder.applicationData,
                                                                           length: 53))
                messages.append(StreamMessage(prefix: finished, fillerLength: 53))
            }
            messages.append(record(length: g.uniform(in: 120...900)))
            tcp.send(fromClient: true, messages, think: i == 0 ? 20_000 : Int64(g.uniform(in: 5_000_000...900_000_000)))
            var response: [StreamMessage] = []
            var remaining = g.uniform(in: responseSize)
            while remaining > 0 {
                let length = min(remaining, TLSMessageBuilder.maximumRecordPayload)
                response.append(record(length: length))
                remaining -= length
            }
            tcp.send(fromClient: false, response, think: Int64(g.uniform(in: 500_000...40_000_000)))
        }
        tcp.send(fromClient: true, [record(length: 19)], think: Int64(g.uniform(in: 50_000_000...2_000_000_000)))
        tcp.close(clientFirst: true, think: 50_000)
        return tcp.finish()
    }

    /// One HTTP/1.1 exchange on a connection: the request head (and a body of `requestBody` bytes), then the
    /// response head with `status` and a body of `responseBody` bytes.
    static func httpExchange(_ tcp: inout TCPConversationBuilder, method: String = "GET", path: String, host: String,
                             requestBody: Int = 0, status: Int, reason: String, responseBody: Int,
                             contentType: String = "text/html; charset=utf-8", think: Int64,
                             _ g: inout SeededGenerator) {
        let head = HTTPMessageBuilder.request(
            method: method, target: path, host: host,
            userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            bodyLength: requestBody)
        tcp.send(fromClient: true, [StreamMessage(prefix: head, fillerLength: requestBody, filler: .text)],
                 think: think)
        let serverThink = Int64(g.uniform(in: 300_000...20_000_000))
        let date = Timestamp(nanoseconds: tcp.now + tcp.roundTripTime + serverThink)
        let response = HTTPMessageBuilder.response(status: status, reason: reason, server: "nginx/1.24.0",
                                                   contentType: contentType, bodyLength: responseBody, date: date)
        tcp.send(fromClient: false, [StreamMessage(prefix: response, fillerLength: responseBody, filler: .text)],
                 think: serverThink)
    }

    /// A cleartext dialogue on `port`: `lines` alternate starting with the server's (a greeting) when
    /// `serverFirst`, each `think` apart; then the client closes.
    static func dialogue(_ client: SynthHost, _ server: SynthHost, port: UInt16, at start: Int64, serverFirst: Bool,
                         lines: [String], _ g: inout SeededGenerator) -> ConversationScript {
        var tcp = tcp(client, server, port: port, at: start, inside: true, &g)
        tcp.handshake()
        var fromClient = !serverFirst
        for line in lines {
            let think = fromClient ? Int64(g.uniform(in: 200_000_000...1_500_000_000))
                : Int64(g.uniform(in: 100_000...2_000_000))
            tcp.send(fromClient: fromClient, [StreamMessage(prefix: Array(line.utf8))], think: think)
            fromClient.toggle()
        }
        tcp.close(clientFirst: true, think: Int64(g.uniform(in: 10_000_000...200_000_000)))
        return tcp.finish()
    }

    /// A SYN to a closed port, answered by RST-ACK.
    static func refused(_ client: SynthHost, _ server: SynthHost, port: UInt16, at start: Int64,
                        _ g: inout SeededGenerator) -> ConversationScript {
        var tcp = tcp(client, server, port: port, at: start, inside: true, &g)
        tcp.handshake(accepted: false)
        return tcp.finish()
    }

    /// A SYN nobody answers (`attempts` times, with the usual back-off).
    static func unanswered(_ client: SynthHost, _ server: SynthHost, port: UInt16, at start: Int64, attempts: Int = 1,
                           _ g: inout SeededGenerator) -> ConversationScript {
        var tcp = tcp(client, server, port: port, at: start, inside: true, &g)
        tcp.unansweredSYN(attempts: attempts)
        return tcp.finish()
    }

    /// A connection accepted and at once reset by the client (a SYN scan or a reachability probe of an open port).
    static func probedOpen(_ client: SynthHost, _ server: SynthHost, port: UInt16, at start: Int64,
                           _ g: inout SeededGenerator) -> ConversationScript {
        var tcp = tcp(client, server, port: port, at: start, inside: true, &g)
        tcp.handshake()
        tcp.reset(fromClient: true, think: 0)
        return tcp.finish()
    }

    private static func record(length: Int) -> StreamMessage {
        StreamMessage(prefix: TLSMessageBuilder.recordHeader(TLSMessageBuilder.applicationData, length: length),
                      fillerLength: length)
    }
}

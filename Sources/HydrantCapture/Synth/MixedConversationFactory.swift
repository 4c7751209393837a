import HydrantRecords

/// Scripts the conversations of the `mixed` scenario: each call returns the complete, time-sorted packet lists
/// of one activity (a web visit is a DNS lookup plus a TCP connection; a port scan is one connection per port).
struct MixedConversationFactory {
    let network: SynthNetwork

    init(network: SynthNetwork) {
        self.network = network
    }

    // MARK: - Activities

    /// The conversations of one `profile` activity starting at `time`.
    func make(_ profile: MixedTrafficProfile, at time: Int64, _ g: inout SeededGenerator) -> [ConversationScript] {
        switch profile {
        case .https, .http, .bulkDownload: return webVisit(profile, at: time, &g)
        case .dns: return [standaloneLookup(at: time, &g)]
        case .ntp: return [ntp(at: time, &g)]
        case .ping: return [ping(at: time, &g)]
        case .ssh: return [ssh(at: time, &g)]
        case .internalService: return [internalService(at: time, &g)]
        case .rejectedConnection: return [rejectedConnection(at: time, &g)]
        case .unansweredConnection: return [unansweredConnection(at: time, attempts: g.uniform(in: 1...3), &g)]
        case .closedUDPPort: return [closedUDPPort(at: time, &g)]
        case .syslog: return [syslog(at: time, messages: g.uniform(in: 1...3), &g)]
        case .portScan: return portScan(at: time, &g)
        }
    }

    /// A conversation of exactly `packets` packets (1 or 2), to fill the end of a capture to its exact size.
    func filler(packets: Int, at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        if packets >= 2 {
            let client = network.randomClient(&g)
            return lookup(client: client, ipv6: g.chance(0.1), name: network.randomWebName(&g), at: time,
                          bothFamilies: false, lossy: false, &g)
        }
        return syslog(at: time, messages: 1, &g)
    }

    // MARK: - Web

    private func webVisit(_ profile: MixedTrafficProfile, at time: Int64,
                          _ g: inout SeededGenerator) -> [ConversationScript] {
        let client = network.randomClient(&g)
        let name = network.randomWebName(&g)
        let server = network.servers[network.nameServer[name]]
        let ipv6 = server.ipv6 != nil && g.chance(0.3)
        var scripts: [ConversationScript] = []
        var start = time
        if g.chance(0.45) {
            let dns = lookup(client: client, ipv6: ipv6, name: name, at: time, bothFamilies: g.chance(0.3),
                             lossy: g.chance(0.02), &g)
            start = dns.endTime + Int64(g.uniform(in: 100_000...2_000_000))
            scripts.append(dns)
        }
        let port: UInt16 = profile == .http ? 80 : 443
        var tcp = TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: ipv6,
                                       clientPort: ephemeralPort(client, &g), serverPort: port),
            start: start, rtt: externalRTT(&g), clientDelay: clientDelay(&g), bitsPerSecond: bandwidth(&g),
            generator: &g)
        tcp.handshake()
        let requests = profile == .bulkDownload ? 1 : 1 + g.weightedIndex([50, 20, 12, 8, 6, 4])
        if profile == .http {
            for i in 0..<requests {
                httpExchange(&tcp, host: network.names[name], think: i == 0 ? 30_000 : thinkTime(&g), &g)
            }
        } else {
            tcp.tlsHandshake(serverName: network.names[name], &g)
            for i in 0..<requests {
                let size = profile == .bulkDownload ? g.uniform(in: 1_000_000...3_000_000) : responseSize(&g)
                tlsExchange(&tcp, first: i == 0, responseSize: size, think: i == 0 ? 20_000 : thinkTime(&g), &g)
            }
        }
        closeWeb(&tcp, tls: profile != .http, &g)
        scripts.append(tcp.finish())
        return scripts
    }

    private func httpExchange(_ tcp: inout TCPConversationBuilder, host: String, think: Int64,
                              _ g: inout SeededGenerator) {
        let paths = ["/", "/index.html", "/api/v1/items?page=2", "/static/app.js", "/static/style.css",
                     "/images/banner.webp", "/login", "/search?q=report", "/favicon.ico", "/news/2024/01/01/update"]
        let agents = [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/120.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            "curl/8.5.0", "python-requests/2.31.0",
        ]
        let path = paths[g.uniform(below: paths.count)]
        let post = path == "/login" || g.chance(0.05)
        let bodyLength = post ? g.uniform(in: 40...900) : 0
        let head = HTTPMessageBuilder.request(method: post ? "POST" : "GET", target: path, host: host,
                                              userAgent: agents[g.uniform(below: agents.count)],
                                              bodyLength: bodyLength)
        tcp.send(fromClient: true, [StreamMessage(prefix: head, fillerLength: bodyLength, filler: .text)], think: think)

        let statuses: [(Int, String)] = [(200, "OK"), (304, "Not Modified"), (404, "Not Found"),
                                         (301, "Moved Permanently"), (500, "Internal Server Error")]
        let (status, reason) = statuses[g.weightedIndex([85, 7, 5, 2, 1])]
        let isImage = path.hasSuffix(".webp") || path.hasSuffix(".ico")
        var length = 0
        switch status {
        case 200: length = responseSize(&g)
        case 304: length = 0
        default: length = g.uniform(in: 150...600)
        }
        let contentType: String?
        if status == 304 {
            contentType = nil
        } else if path.hasSuffix(".ico") {
            contentType = "image/vnd.microsoft.icon"
        } else if isImage {
            contentType = "image/webp"
        } else if path.hasSuffix(".js") {
            contentType = "application/javascript"
        } else if path.hasSuffix(".css") {
            contentType = "text/css"
        } else if path.hasPrefix("/api") {
            contentType = "application/json"
        } else {
            contentType = "text/html; charset=utf-8"
        }
        let serverThink = Int64(g.uniform(in: 300_000...40_000_000))
        // The response goes out about one round trip after the request, which is when the server saw it.
        let date = Timestamp(nanoseconds: tcp.now + tcp.roundTripTime + serverThink)
        let head2 = HTTPMessageBuilder.response(status: status, reason: reason,
                                                server: ["nginx/1.24.0", "Apache/2.4.58", "envoy"][g.uniform(below: 3)],
                                                contentType: contentType, bodyLength: length, date: date,
                                                location: status == 301 ? "https://\(host)\(path)" : nil)
        tcp.send(fromClient: false, [StreamMessage(prefix: head2, fillerLength: length,
                                                   filler: isImage ? .binary : .text)],
                 think: serverThink)
    }


    private func tlsExchange(_ tcp: inout TCPConversationBuilder, first: Bool, responseSize: Int, think: Int64,
                             _ g: inout SeededGenerator) {
        var messages: [StreamMessage] = []
        if first {
            // The client's ChangeCipherSpec and Finished precede the first request.
            var finished = TLSMessageBuilder.changeCipherSpecRecord
            finished.append(contentsOf: TLSMessageBuilder.recordHeader(TLSMessageBuilder.applicationData, length: 53))
            messages.append(StreamMessage(prefix: finished, fillerLength: 53))
        }
        messages.append(record(length: g.uniform(in: 120...900)))
        tcp.send(fromClient: true, messages, think: think)

        var response: [StreamMessage] = []
        if first { response.append(record(length: g.uniform(in: 200...300))) }  // session ticket
        var remaining = responseSize
        while remaining > 0 {
            let length = min(remaining, TLSMessageBuilder.maximumRecordPayload)
            response.append(record(length: length))
            remaining -= length
        }
        tcp.send(fromClient: false, response, think: Int64(g.uniform(in: 500_000...60_000_000)))
    }

    private func record(length: Int) -> StreamMessage {
        StreamMessage(prefix: TLSMessageBuilder.recordHeader(TLSMessageBuilder.applicationData, length: length),
                      fillerLength: length)
    }

    private func closeWeb(_ tcp: inout TCPConversationBuilder, tls: Bool, _ g: inout SeededGenerator) {
        let idle = Int64(g.uniform(in: 50_000_000...8_000_000_000))
        switch g.weightedIndex([62, 20, 12, 6]) {
        case 0:
            if tls { tcp.send(fromClient: true, [record(length: 19)], think: idle) }  // close_notify alert
            tcp.close(clientFirst: true, think: tls ? 50_000 : idle, separateAck: g.chance(0.2))
        case 1:
            tcp.close(clientFirst: false, think: idle, separateAck: g.chance(0.5))
        case 2:
            tcp.reset(fromClient: true, think: idle)
        default:
            tcp.reset(fromClient: false, think: idle)
        }
    }

    // MARK: - DNS

    private func standaloneLookup(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let ipv6 = g.chance(0.1)
        switch g.weightedIndex([65, 22, 13]) {
        case 0:
            return lookup(client: client, ipv6: ipv6, name: network.randomWebName(&g), at: time,
                          bothFamilies: g.chance(0.3), lossy: g.chance(0.03), &g)
        case 1:
            return lookup(client: client, ipv6: ipv6, name: network.randomInternalName(&g), at: time,
                          bothFamilies: false, lossy: false, &g)
        default:
            return nonexistentLookup(client: client, ipv6: ipv6, at: time, &g)
        }
    }

    /// A lookup of `name` (A, or AAAA when `ipv6`; both in parallel when `bothFamilies`); with `lossy`, the
    /// first query goes unanswered and is repeated a second later.
    private func lookup(client: SynthHost, ipv6: Bool, name: Int, at time: Int64, bothFamilies: Bool, lossy: Bool,
                        _ g: inout SeededGenerator) -> ConversationScript {
        let resolver = network.server(g.chance(0.8) ? .resolver1 : .resolver2)
        var script = ConversationScript(client: client, server: resolver, ipv6: ipv6,
                                        clientPort: ephemeralPort(client, &g), serverPort: 53)
        let text = network.names[name]
        let server = network.servers[network.nameServer[name]]
        var addresses = [server.ipv4]
        if let v6 = server.ipv6 { addresses.append(v6) }
        if name < network.internalNames || name >= network.generatedNames, g.chance(0.25) {
            let other = network.randomExternalServer(&g)
            addresses.append(other.ipv4)
        }
        let types: [UInt16] = bothFamilies ? [DNSMessageBuilder.typeA, DNSMessageBuilder.typeAAAA]
            : [ipv6 ? DNSMessageBuilder.typeAAAA : DNSMessageBuilder.typeA]
        let edns = g.chance(0.6)
        let ttl = UInt32(g.uniform(in: 30...3_600))
        let latency = g.chance(0.7) ? Int64(g.uniform(in: 200_000...2_000_000))
            : Int64(g.uniform(in: 8_000_000...120_000_000))
        var t = time
        var ids: [UInt16] = []
        for type in types {
            let id = UInt16(truncatingIfNeeded: g.next())
            ids.append(id)
            let query = DNSMessageBuilder.query(id: id, name: text, type: type, edns: edns)
            script.append(ScriptPacket(time: t, order: 0, fromClient: true, kind: .udp,
                                       payload: SynthPayload(prefix: query)))
            if lossy {
                script.append(ScriptPacket(time: t + 1_000_000_000, order: 0, fromClient: true, kind: .udp,
                                           payload: SynthPayload(prefix: query)))
            }
            t += Int64(g.uniform(in: 15_000...80_000))
        }
        var answerTime = time + latency + (lossy ? 1_000_000_000 : 0)
        for (id, type) in zip(ids, types) {
            let answer = DNSMessageBuilder.response(id: id, name: text, type: type,
                                                    canonicalName: network.canonicalName[name],
                                                    addresses: addresses, ttl: ttl, edns: edns)
            script.append(ScriptPacket(time: answerTime, order: 0, fromClient: false, kind: .udp,
                                       payload: SynthPayload(prefix: answer)))
            answerTime += Int64(g.uniform(in: 20_000...400_000))
        }
        script.finish()
        return script
    }

    /// A lookup of a random, algorithmically generated name that does not exist (NXDOMAIN).
    private func nonexistentLookup(client: SynthHost, ipv6: Bool, at time: Int64,
                                   _ g: inout SeededGenerator) -> ConversationScript {
        let resolver = network.server(.resolver1)
        var script = ConversationScript(client: client, server: resolver, ipv6: ipv6,
                                        clientPort: ephemeralPort(client, &g), serverPort: 53)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var label: [UInt8] = []
        for _ in 0..<g.uniform(in: 8...18) { label.append(alphabet[g.uniform(below: alphabet.count)]) }
        let tlds = ["example", "test", "invalid"]
        let name = String(decoding: label, as: UTF8.self) + "." + tlds[g.uniform(below: tlds.count)]
        let id = UInt16(truncatingIfNeeded: g.next())
        let type = g.chance(0.8) ? DNSMessageBuilder.typeA : DNSMessageBuilder.typeAAAA
        let edns = g.chance(0.6)
        script.append(ScriptPacket(time: time, order: 0, fromClient: true, kind: .udp,
                                   payload: SynthPayload(prefix: DNSMessageBuilder.query(id: id, name: name,
                                                                                         type: type, edns: edns))))
        let answer = DNSMessageBuilder.response(id: id, name: name, type: type, canonicalName: nil, addresses: [],
                                                ttl: 0, responseCode: DNSMessageBuilder.nameError, edns: edns)
        script.append(ScriptPacket(time: time + Int64(g.uniform(in: 5_000_000...90_000_000)), order: 0,
                                   fromClient: false, kind: .udp, payload: SynthPayload(prefix: answer)))
        script.finish()
        return script
    }

    // MARK: - Other UDP and ICMP

    private func ntp(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        var script = ConversationScript(client: client, server: network.server(.ntp), ipv6: false,
                                        clientPort: g.chance(0.5) ? 123 : ephemeralPort(client, &g), serverPort: 123)
        var t = time
        for _ in 0..<g.weightedIndex([0, 70, 0, 0, 30]) {
            let delay = Int64(g.uniform(in: 300_000...3_000_000))
            script.append(ScriptPacket(time: t, order: 0, fromClient: true, kind: .udp,
                                       payload: SynthPayload(prefix: ntpPacket(mode: 3, at: t, received: 0))))
            script.append(ScriptPacket(time: t + delay, order: 0, fromClient: false, kind: .udp,
                                       payload: SynthPayload(prefix: ntpPacket(mode: 4, at: t + delay,
                                                                               received: t + delay / 2))))
            t += 2_000_000_000
        }
        script.finish()
        return script
    }

    /// A 48-byte NTPv4 packet (RFC 5905): client (mode 3) or server (mode 4) with timestamps from packet time.
    private func ntpPacket(mode: UInt8, at time: Int64, received: Int64) -> [UInt8] {
        var out: [UInt8] = [0x20 | mode, mode == 4 ? 2 : 0, 6, mode == 4 ? 0xe9 : 0x20]
        append32(&out, mode == 4 ? 0x0000_0a3c : 0)   // root delay
        append32(&out, mode == 4 ? 0x0000_0b12 : 0)   // root dispersion
        append32(&out, mode == 4 ? 0xc000_0201 : 0)   // reference id
        func ntpTime(_ ns: Int64) -> UInt64 {
            guard ns > 0 else { return 0 }
            let seconds = UInt64(ns / 1_000_000_000) + 2_208_988_800
            let fraction = UInt64(ns % 1_000_000_000) << 32 / 1_000_000_000
            return seconds << 32 | fraction
        }
        for value in [mode == 4 ? ntpTime(time - 60_000_000_000) : 0, 0, ntpTime(received), ntpTime(time)] {
            append32(&out, UInt32(truncatingIfNeeded: value >> 32))
            append32(&out, UInt32(truncatingIfNeeded: value))
        }
        return out
    }

    private func ping(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let internalTarget = g.chance(0.4)
        let server = internalTarget ? network.randomInternalServer(&g) : network.randomExternalServer(&g)
        let ipv6 = server.ipv6 != nil && g.chance(0.3)
        let identifier = UInt16(truncatingIfNeeded: g.next())
        var script = ConversationScript(client: client, server: server, ipv6: ipv6, clientPort: identifier,
                                        serverPort: 0)
        let answered = g.chance(0.85)
        let rtt = internalTarget ? internalRTT(&g) : externalRTT(&g)
        let windows = client.hopLimit == 128
        var t = time
        for sequence in 1...g.uniform(in: 1...6) {
            var payload: [UInt8] = []
            if windows {
                payload = Array("abcdefghijklmnopqrstuvwabcdefghi".utf8)
            } else {
                // Linux ping: a 16-byte timeval, then 0x10, 0x11, … up to 56 bytes.
                let seconds = UInt64(t / 1_000_000_000)
                let micros = UInt64(t % 1_000_000_000 / 1_000)
                for word in [seconds, micros] {
                    for shift in stride(from: 0, to: 64, by: 8) {
                        payload.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
                    }
                }
                for byte in 0x10..<0x38 { payload.append(UInt8(byte)) }
            }
            script.append(ScriptPacket(time: t, order: 0, fromClient: true, kind: .icmpEchoRequest,
                                       sequence: UInt32(sequence), payload: SynthPayload(prefix: payload)))
            if answered {
                script.append(ScriptPacket(time: t + rtt + Int64(g.uniform(in: 0...200_000)), order: 0,
                                           fromClient: false, kind: .icmpEchoReply, sequence: UInt32(sequence),
                                           payload: SynthPayload(prefix: payload)))
            }
            t += 1_000_000_000 + Int64(g.uniform(in: 0...400_000))
        }
        script.finish()
        return script
    }

    /// A datagram to a closed port answered by ICMP port unreachable: a traceroute probe (Linux payload
    /// `@ABC…_`), or an SSDP M-SEARCH; a second try a second later, sometimes.
    private func closedUDPPort(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let server = network.randomInternalServer(&g)
        let traceroute = g.chance(0.6)
        var script = ConversationScript(client: client, server: server, ipv6: g.chance(0.1),
                                        clientPort: ephemeralPort(client, &g),
                                        serverPort: traceroute ? UInt16(33_434 + g.uniform(below: 90)) : 1_900)
        let payload: [UInt8] = traceroute
            ? Array(0x40..<0x60)
            : Array(("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                + "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n").utf8)
        var t = time
        let rtt = internalRTT(&g)
        for _ in 0..<g.weightedIndex([0, 75, 25]) {
            script.append(ScriptPacket(time: t, order: 0, fromClient: true, kind: .udp,
                                       payload: SynthPayload(prefix: payload)))
            script.append(ScriptPacket(time: t + rtt, order: 0, fromClient: false, kind: .icmpPortUnreachable))
            t += 1_000_000_000
        }
        script.finish()
        return script
    }

    private func syslog(at time: Int64, messages: Int, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        var script = ConversationScript(client: client, server: network.server(.syslog), ipv6: false,
                                        clientPort: ephemeralPort(client, &g), serverPort: 514)
        let apps = ["sshd", "sudo", "cron", "systemd", "kernel", "nginx"]
        let texts = ["session opened for user alice", "Accepted publickey for deploy",
                     "pam_unix(cron:session): session closed",
                     "Started Daily apt upgrade and clean activities.", "eth0: link up", "upstream timed out"]
        var t = time
        for _ in 0..<max(1, messages) {
            let host = client.ipv4.description.replacingDots()
            let pick = g.uniform(below: apps.count)
            let line = "<\(g.uniform(in: 80...190))>1 \(Timestamp(nanoseconds: t).rfc3339) host-\(host) \(apps[pick]) "
                + "\(g.uniform(in: 200...40_000)) - - \(texts[pick])"
            script.append(ScriptPacket(time: t, order: 0, fromClient: true, kind: .udp,
                                       payload: SynthPayload(prefix: Array(line.utf8))))
            t += Int64(g.uniform(in: 1_000_000...900_000_000))
        }
        script.finish()
        return script
    }

    // MARK: - Other TCP

    private func ssh(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let server = network.randomInternalServer(&g)
        var tcp = TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: g.chance(0.2),
                                       clientPort: ephemeralPort(client, &g), serverPort: 22),
            start: time, rtt: internalRTT(&g), clientDelay: clientDelay(&g), bitsPerSecond: 1_000_000_000,
            generator: &g)
        tcp.handshake()
        tcp.send(fromClient: false, [StreamMessage(prefix: Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8))],
                 think: 2_000_000)
        tcp.send(fromClient: true, [StreamMessage(prefix: Array("SSH-2.0-OpenSSH_9.6\r\n".utf8))], think: 300_000)
        // Key exchange: KEXINIT both ways, ECDH init and reply (with host key), NEWKEYS and the first
        // encrypted messages.
        tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 1_400...1_600))],
                 think: 100_000)
        tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 1_000...1_200))],
                 think: 500_000)
        tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: 1_224)], think: 2_000_000)
        tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 1_100...1_700))],
                 think: 3_000_000)
        for _ in 0..<g.uniform(in: 15...120) {
            tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: 36)],
                     think: Int64(g.uniform(in: 60_000_000...1_200_000_000)))
            let output = g.chance(0.85) ? 36 : g.uniform(in: 100...6_000)
            tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: output)],
                     think: Int64(g.uniform(in: 200_000...3_000_000)))
        }
        tcp.close(clientFirst: g.chance(0.7), think: Int64(g.uniform(in: 10_000_000...200_000_000)))
        return tcp.finish()
    }

    private func internalService(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let name = network.randomInternalName(&g)
        let server = network.servers[network.nameServer[name]]
        let ports: [UInt16] = [8080, 5432, 6379, 8000, 445]
        let port = ports[g.weightedIndex([35, 25, 15, 10, 15])]
        var tcp = TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: g.chance(0.15),
                                       clientPort: ephemeralPort(client, &g), serverPort: port),
            start: time, rtt: internalRTT(&g), clientDelay: clientDelay(&g), bitsPerSecond: 1_000_000_000,
            generator: &g)
        tcp.handshake()
        for i in 0..<(1 + g.weightedIndex([30, 20, 15, 10, 8, 6, 4, 3, 2, 2])) {
            let think = i == 0 ? 50_000 : Int64(g.uniform(in: 2_000_000...600_000_000))
            if port == 8080 || port == 8000 {
                httpExchange(&tcp, host: network.names[name], think: think, &g)
            } else {
                tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 60...700))],
                         think: think)
                let size = g.chance(0.8) ? g.uniform(in: 40...4_000) : g.uniform(in: 4_000...60_000)
                tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: size)],
                         think: Int64(g.uniform(in: 100_000...20_000_000)))
            }
        }
        tcp.close(clientFirst: g.chance(0.8), think: Int64(g.uniform(in: 1_000_000...2_000_000_000)))
        return tcp.finish()
    }

    private func rejectedConnection(at time: Int64, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let server = network.randomInternalServer(&g)
        let ports: [UInt16] = [23, 21, 25, 135, 139, 3389, 5900, 1433, 8443, UInt16(g.uniform(in: 1_024...49_151))]
        var tcp = TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: g.chance(0.1),
                                       clientPort: ephemeralPort(client, &g),
                                       serverPort: ports[g.uniform(below: ports.count)]),
            start: time, rtt: internalRTT(&g), clientDelay: clientDelay(&g), bitsPerSecond: 1_000_000_000,
            generator: &g)
        tcp.handshake(accepted: false)
        return tcp.finish()
    }

    private func unansweredConnection(at time: Int64, attempts: Int, _ g: inout SeededGenerator) -> ConversationScript {
        let client = network.randomClient(&g)
        let server = network.randomExternalServer(&g)
        let ports: [UInt16] = [443, 80, 22, 8080, 6667, 4444]
        var tcp = TCPConversationBuilder(
            script: ConversationScript(client: client, server: server, ipv6: g.chance(0.1),
                                       clientPort: ephemeralPort(client, &g),
                                       serverPort: ports[g.weightedIndex([50, 20, 10, 10, 5, 5])]),
            start: time, rtt: externalRTT(&g), clientDelay: clientDelay(&g), bitsPerSecond: 100_000_000,
            generator: &g)
        tcp.unansweredSYN(attempts: attempts)
        return tcp.finish()
    }

    private func portScan(at time: Int64, _ g: inout SeededGenerator) -> [ConversationScript] {
        let client = network.randomClient(&g)
        let server = network.randomInternalServer(&g)
        let open: Set<UInt16> = [22, 80, 443, 8080]
        let common: [UInt16] = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723, 3306,
                                3389, 5900, 8080]
        var scripts: [ConversationScript] = []
        var t = time
        let rtt = internalRTT(&g)
        for port in common.prefix(g.uniform(in: 10...common.count)) {
            var tcp = TCPConversationBuilder(
                script: ConversationScript(client: client, server: server, ipv6: false,
                                           clientPort: ephemeralPort(client, &g), serverPort: port),
                start: t, rtt: rtt, clientDelay: 20_000, bitsPerSecond: 1_000_000_000, generator: &g)
            if open.contains(port) {
                tcp.handshake()
                tcp.reset(fromClient: true, think: 0)
            } else {
                tcp.handshake(accepted: false)
            }
            scripts.append(tcp.finish())
            t += Int64(g.uniform(in: 1_000_000...15_000_000))
        }
        return scripts
    }

    // MARK: - Path properties

    private func ephemeralPort(_ client: SynthHost, _ g: inout SeededGenerator) -> UInt16 {
        UInt16(client.hopLimit == 128 ? g.uniform(in: 49_152...65_535) : g.uniform(in: 32_768...60_999))
    }

    private func externalRTT(_ g: inout SeededGenerator) -> Int64 {
        Int64([g.uniform(in: 6_000_000...20_000_000), g.uniform(in: 20_000_000...60_000_000),
               g.uniform(in: 60_000_000...250_000_000)][g.weightedIndex([45, 40, 15])])
    }

    private func internalRTT(_ g: inout SeededGenerator) -> Int64 {
        Int64(g.uniform(in: 150_000...1_500_000))
    }

    private func clientDelay(_ g: inout SeededGenerator) -> Int64 {
        Int64(g.uniform(in: 15_000...250_000))
    }

    private func bandwidth(_ g: inout SeededGenerator) -> Int64 {
        [10_000_000, 25_000_000, 50_000_000, 100_000_000, 200_000_000][g.weightedIndex([15, 25, 30, 25, 5])]
    }

    /// Pause of a user between requests on one connection.
    private func thinkTime(_ g: inout SeededGenerator) -> Int64 {
        [Int64(g.uniform(in: 5_000_000...100_000_000)), Int64(g.uniform(in: 100_000_000...1_500_000_000)),
         Int64(g.uniform(in: 1_500_000_000...8_000_000_000))][g.weightedIndex([45, 40, 15])]
    }

    /// Size of a web response body: mostly small, with a heavy tail.
    private func responseSize(_ g: inout SeededGenerator) -> Int {
        let buckets = [(150, 1_000), (1_000, 5_000), (5_000, 20_000), (20_000, 100_000), (100_000, 600_000)]
        let bucket = buckets[g.weightedIndex([300, 400, 250, 45, 5])]
        return g.uniform(in: bucket.0...bucket.1)
    }
}

private extension String {
    func replacingDots() -> String {
        String(map { $0 == "." ? "-" : $0 })
    }
}

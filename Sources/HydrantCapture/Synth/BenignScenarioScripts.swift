import HydrantRecords

/// The conversations of the benign scenarios: heavy but normal traffic that comes close to the shipped rules'
/// thresholds without crossing them.
extension ScenarioScripts {
    /// 12 clients, 5–8 web visits each over 90 s (a lookup, then HTTPS or HTTP).
    static func browsing(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts: [ConversationScript] = []
        for number in 0..<12 {
            let client = Kit.host(10, 10, 2, UInt8(20 + number), hopLimit: number % 3 == 0 ? 128 : 64)
            for _ in 0..<g.uniform(in: 5...8) {
                scripts += webVisit(client, at: start + Int64(g.uniform(in: 0...90_000)) * 1_000_000, &g)
            }
        }
        return scripts
    }

    /// Lookups of normal names over two minutes: 15 clients asking for A and AAAA records of the sites and of
    /// internal names (a few NXDOMAIN); a client that resolves 40 different names under example.com (under the
    /// tunnel rule's 50); and a mail server checking SPF and DMARC (TXT) and MX records of senders, 24 TXT
    /// lookups in a minute (under the TXT rule's 30).
    static func dnsLookups(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts: [ConversationScript] = []
        let internalNames = ["intranet.corp.example", "git.corp.example", "wiki.corp.example", "files.corp.example"]
        for number in 0..<15 {
            let client = Kit.host(10, 10, 3, UInt8(10 + number))
            for _ in 0..<g.uniform(in: 8...14) {
                let time = start + Int64(g.uniform(in: 0...120_000)) * 1_000_000
                if g.chance(0.25) {
                    let name = internalNames[g.uniform(below: internalNames.count)]
                    scripts.append(Kit.lookup(client, name: name, addresses: [Kit.host(10, 0, 1, 40).ipv4], at: time,
                                              &g))
                } else if g.chance(0.05) {
                    scripts.append(Kit.lookup(client, name: "wwww.example.com", addresses: [], at: time, &g))
                } else {
                    let site = sites[g.uniform(below: sites.count)]
                    let aaaa = g.chance(0.3)
                    scripts.append(Kit.lookup(client, name: site.name,
                                              type: aaaa ? DNSMessageBuilder.typeAAAA : DNSMessageBuilder.typeA,
                                              addresses: aaaa ? [] : [site.server.ipv4], at: time, &g))
                }
            }
        }
        // A client resolving many different hosts of one domain (a crawler, a monitoring probe).
        let prober = Kit.host(10, 10, 3, 99)
        for i in 0..<40 {
            scripts.append(Kit.lookup(prober, name: "host\(i + 1).example.com",
                                      addresses: [IPAddress(ipv4: 0x5102_45a0 | UInt32(i % 30))],
                                      at: start + 5 * second + Int64(i) * 2 * second, &g))
        }
        // The mail server: SPF and DMARC policies and MX records of the domains mail comes from.
        let mail = Kit.host(10, 0, 2, 25)
        let senders = ["example.com", "example.net", "example.org", "mail.example.com", "lists.example.org",
                       "news.example.net"]
        var t = start + 10 * second
        for i in 0..<24 {
            let domain = senders[i % senders.count]
            if i % 2 == 0 {
                scripts.append(Kit.textLookup(mail, name: domain, texts: ["v=spf1 ip4:192.0.2.0/24 -all"], at: t, &g))
            } else {
                scripts.append(Kit.textLookup(mail, name: "_dmarc.\(domain)", texts: ["v=DMARC1; p=reject"], at: t, &g))
            }
            t += Int64(g.uniform(in: 1_800_000_000...2_400_000_000))
        }
        return scripts
    }

    /// TLS from 10 clients: HTTPS to the sites, a mail client on 993, 995 and 465, a dashboard on 8443, and one
    /// client (a link checker) opening sessions to 25 different servers on 443 in a minute.
    static func tlsSessions(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts: [ConversationScript] = []
        for number in 0..<10 {
            let client = Kit.host(10, 10, 4, UInt8(30 + number), hopLimit: number % 2 == 0 ? 128 : 64)
            for _ in 0..<g.uniform(in: 3...5) {
                let site = sites[g.uniform(below: sites.count)]
                scripts.append(Kit.tlsSession(client, site.server, serverName: site.name,
                                              at: start + Int64(g.uniform(in: 0...80_000)) * 1_000_000,
                                              requests: g.uniform(in: 1...3), responseSize: 500...3_000, &g))
            }
        }
        let mailClient = Kit.host(10, 10, 4, 50)
        let mailServer = Kit.host(175, 16, 199, 10)
        for (i, port) in [993, 995, 465].enumerated() {
            scripts.append(Kit.tlsSession(mailClient, mailServer, port: UInt16(port), serverName: "mail.example.org",
                                          at: start + Int64(5 + 20 * i) * second, requests: 2,
                                          responseSize: 300...2_000, &g))
        }
        scripts.append(Kit.tlsSession(Kit.host(10, 10, 4, 51), Kit.host(10, 0, 1, 84), port: 8443,
                                      serverName: "grafana.corp.example", at: start + 12 * second, requests: 3,
                                      responseSize: 1_000...3_000, &g))
        let checker = Kit.host(10, 10, 4, 60)
        for i in 0..<25 {
            let server = Kit.host(198, 51, 100, UInt8(10 + i))
            scripts.append(Kit.tlsSession(checker, server, serverName: "site\(i + 1).example.net",
                                          at: start + 3 * second + Int64(i) * 2 * second, requests: 1,
                                          responseSize: 200...800, &g))
        }
        return scripts
    }

    /// A nightly backup: the backup server 10.0.9.10 pulls from 25 hosts over SSH (looking each up first; two
    /// hosts are down and do not answer), then three file servers push 40, 30 and 120 MB to 10.0.9.11 (rsync,
    /// port 873), each after looking up the backup server's name.
    static func backup(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts: [ConversationScript] = []
        let backupServer = Kit.host(10, 0, 9, 10)
        var t = start + 1 * second
        for last in 1...25 {
            let target = Kit.host(10, 0, 3, UInt8(10 + last))
            scripts.append(Kit.lookup(backupServer, name: "host\(10 + last).corp.example", addresses: [target.ipv4],
                                      at: t - 3_000_000, &g))
            if last == 7 || last == 19 {
                scripts.append(Kit.unanswered(backupServer, target, port: 22, at: t, attempts: 3, &g))
            } else {
                var tcp = Kit.tcp(backupServer, target, port: 22, at: t, inside: true, bitsPerSecond: 1_000_000_000, &g)
                tcp.handshake()
                let banner = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8)
                tcp.send(fromClient: false, [StreamMessage(prefix: banner)], think: 1_000_000)
                tcp.send(fromClient: true, [StreamMessage(prefix: Array("SSH-2.0-OpenSSH_9.2p1\r\n".utf8))],
                         think: 200_000)
                tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: 1_500)], think: 100_000)
                tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: 1_200)], think: 1_000_000)
                tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: 600)], think: 2_000_000)
                tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 20_000...90_000))],
                         think: 20_000_000)
                tcp.close(clientFirst: true, think: 5_000_000)
                scripts.append(tcp.finish())
            }
            t += Int64(g.uniform(in: 1_000_000_000...2_500_000_000))
        }
        let target = Kit.host(10, 0, 9, 11)
        for (i, size) in [40_000_000, 30_000_000, 120_000_000].enumerated() {
            let client = Kit.host(10, 0, 3, UInt8(100 + i))
            let time = start + Int64(5 + 15 * i) * second
            scripts.append(Kit.lookup(client, name: "backup2.corp.example", addresses: [target.ipv4], at: time, &g))
            let script = ConversationScript(client: client, server: target, ipv6: false,
                                            clientPort: Kit.ephemeralPort(client, &g), serverPort: 873)
            scripts.append(BulkTransferBuilder.upload(script, bytes: size, at: time + 5_000_000,
                                                      rtt: Kit.roundTrip(inside: true, &g),
                                                      bitsPerSecond: 2_000_000_000,
                                                      request: Array("@RSYNCD: 31.0\n".utf8),
                                                      reply: Array("@RSYNCD: 31.0\n".utf8), &g))
        }
        return scripts
    }
}

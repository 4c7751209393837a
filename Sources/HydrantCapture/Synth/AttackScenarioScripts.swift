import HydrantRecords

/// The conversations of the attack scenarios; each comes with background web traffic of other clients.
extension ScenarioScripts {
    /// A SYN scan: 70 ports of 10.0.1.20 in random order, 20–80 ms apart; 22, 80 and 443 are open (the scanner
    /// resets them after the SYN-ACK), the rest refuse.
    static func portScan(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 10, seconds: 40, &g)
        let attacker = Kit.host(10, 10, 66, 6)
        let target = Kit.host(10, 0, 1, 20)
        let wellKnown: [UInt16] = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723, 3306,
                                   3389, 5900, 8080]
        var ports = wellKnown + (1...60).map(UInt16.init).filter { !wellKnown.contains($0) }
        ports = Array(ports.prefix(70))
        for i in stride(from: ports.count - 1, to: 0, by: -1) { ports.swapAt(i, g.uniform(below: i + 1)) }
        var t = start + 5 * second
        for port in ports {
            if [22, 80, 443].contains(port) {
                scripts.append(Kit.probedOpen(attacker, target, port: port, at: t, &g))
            } else {
                scripts.append(Kit.refused(attacker, target, port: port, at: t, &g))
            }
            t += Int64(g.uniform(in: 20_000_000...80_000_000))
        }
        return scripts
    }

    /// A sweep of 10.0.5.1–64 on port 445, 30–60 ms apart: every tenth address (3, 13, …) accepts, every
    /// seventh refuses, the others do not answer.
    static func sweep(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 10, seconds: 40, &g)
        let attacker = Kit.host(10, 10, 66, 7)
        var t = start + 5 * second
        for last in 1...64 {
            let target = Kit.host(10, 0, 5, UInt8(last), hopLimit: 128)
            if last % 10 == 3 {
                scripts.append(Kit.probedOpen(attacker, target, port: 445, at: t, &g))
            } else if last % 7 == 0 {
                scripts.append(Kit.refused(attacker, target, port: 445, at: t, &g))
            } else {
                scripts.append(Kit.unanswered(attacker, target, port: 445, at: t, &g))
            }
            t += Int64(g.uniform(in: 30_000_000...60_000_000))
        }
        return scripts
    }

    /// `attempts` short sessions from `attacker` to `target:port`, 2–3 s apart, each a protocol greeting, a key
    /// exchange or security negotiation, three failed logins and the server closing. An administrator's long
    /// session to the same port runs alongside.
    static func bruteForce(port: UInt16, attacker: SynthHost, target: SynthHost, attempts: Int,
                           _ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 10, seconds: 80, &g)
        var t = start + 3 * second
        for _ in 0..<attempts {
            var tcp = Kit.tcp(attacker, target, port: port, at: t, inside: false, &g)
            tcp.handshake()
            if port == 22 {
                let banner = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n".utf8)
                tcp.send(fromClient: false, [StreamMessage(prefix: banner)], think: 2_000_000)
                tcp.send(fromClient: true, [StreamMessage(prefix: Array("SSH-2.0-libssh_0.9.6\r\n".utf8))],
                         think: 200_000)
            } else {
                // X.224 Connection Request with an RDP negotiation request, and the server's confirm (TLS chosen).
                let request: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00,
                                        0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]
                let confirm: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00,
                                        0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00]
                tcp.send(fromClient: true, [StreamMessage(prefix: request)], think: 100_000)
                tcp.send(fromClient: false, [StreamMessage(prefix: confirm)], think: 1_000_000)
            }
            tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 900...1_500))],
                     think: 100_000)
            tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 1_000...1_600))],
                     think: 2_000_000)
            for _ in 0..<3 {
                tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 80...160))],
                         think: Int64(g.uniform(in: 50_000_000...300_000_000)))
                tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 40...90))],
                         think: Int64(g.uniform(in: 100_000_000...400_000_000)))
            }
            tcp.close(clientFirst: false, think: 1_000_000)
            scripts.append(tcp.finish())
            t += Int64(g.uniform(in: 2_000_000_000...3_000_000_000))
        }
        // An administrator's interactive session: one long connection, not a burst of short ones.
        let admin = Kit.host(10, 10, 1, 5)
        var tcp = Kit.tcp(admin, target, port: port, at: start + 1 * second, inside: true, &g)
        tcp.handshake()
        for _ in 0..<40 {
            tcp.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: 36)],
                     think: Int64(g.uniform(in: 300_000_000...2_000_000_000)))
            tcp.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 36...900))],
                     think: Int64(g.uniform(in: 200_000...3_000_000)))
        }
        tcp.close(clientFirst: true, think: 100_000_000)
        scripts.append(tcp.finish())
        return scripts
    }

    /// 90 A queries, 0.3–0.7 s apart, each carrying 52 base32 characters and a sequence number under
    /// `up.cloud-sync.test`; the answers carry data back as addresses.
    static func dnsTunnel(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 12, seconds: 50, &g)
        let client = Kit.host(10, 10, 20, 5)
        var t = start + 2 * second
        for sequence in 0..<90 {
            let hex = String(sequence, radix: 16)
            let name = "\(base32(52, &g)).\(String(repeating: "0", count: 4 - hex.count))\(hex).up.cloud-sync.test"
            let answer = IPAddress(ipv4: 0xc633_6400 | UInt32(g.uniform(below: 256)))  // 198.51.100.x
            scripts.append(Kit.lookup(client, name: name, addresses: [answer], at: t, &g))
            t += Int64(g.uniform(in: 300_000_000...700_000_000))
        }
        return scripts
    }

    /// 60 TXT queries, one a second, for three command names under `svc.update-check.test`.
    static func dnsTXT(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 12, seconds: 60, &g)
        let client = Kit.host(10, 10, 30, 9, hopLimit: 128)
        let names = ["cmd.svc.update-check.test", "cfg.svc.update-check.test", "ping.svc.update-check.test"]
        var t = start + 2 * second
        for i in 0..<60 {
            let task = ["dGFzaz1pZGxl", "dGFzaz1zbGVlcDs2MA==", "dGFzaz11cGxvYWQ7L3RtcC94"][g.uniform(below: 3)]
            scripts.append(Kit.textLookup(client, name: names[i % names.count], texts: [task], at: t, &g))
            t += Int64(g.uniform(in: 900_000_000...1_100_000_000))
        }
        return scripts
    }

    /// One client's cleartext logins: telnet, FTP, POP3 and IMAP to internal servers, and an intranet page that
    /// answers 401 before the (Basic) credentials are sent.
    static func cleartext(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 10, seconds: 40, &g)
        let client = Kit.host(10, 10, 40, 12)
        scripts.append(Kit.dialogue(client, Kit.host(10, 0, 1, 23), port: 23, at: start + 2 * second, serverFirst: true,
                                    lines: ["Debian GNU/Linux 12\r\nlogin: ", "alice\r\n", "Password: ", "s3cret!\r\n",
                                            "Last login: Sun Dec 31 09:12:40 2023\r\nalice@files:~$ ", "exit\r\n"], &g))
        scripts.append(Kit.dialogue(client, Kit.host(10, 0, 1, 21), port: 21, at: start + 8 * second, serverFirst: true,
                                    lines: ["220 (vsFTPd 3.0.3)\r\n", "USER alice\r\n",
                                            "331 Please specify the password.\r\n", "PASS s3cret!\r\n",
                                            "230 Login successful.\r\n", "QUIT\r\n", "221 Goodbye.\r\n"], &g))
        scripts.append(Kit.dialogue(client, Kit.host(10, 0, 1, 110), port: 110, at: start + 14 * second,
                                    serverFirst: true,
                                    lines: ["+OK Dovecot ready.\r\n", "USER alice\r\n", "+OK\r\n", "PASS s3cret!\r\n",
                                            "+OK Logged in.\r\n", "STAT\r\n", "+OK 2 4820\r\n", "QUIT\r\n",
                                            "+OK Logging out.\r\n"], &g))
        scripts.append(Kit.dialogue(client, Kit.host(10, 0, 1, 143), port: 143, at: start + 20 * second,
                                    serverFirst: true,
                                    lines: ["* OK [CAPABILITY IMAP4rev1 LOGIN-REFERRALS AUTH=PLAIN] Dovecot ready.\r\n",
                                            "a1 LOGIN alice s3cret!\r\n", "a1 OK Logged in\r\n", "a2 LOGOUT\r\n",
                                            "* BYE Logging out\r\na2 OK Logout completed.\r\n"], &g))
        var tcp = Kit.tcp(client, Kit.host(10, 0, 1, 80), port: 80, at: start + 26 * second, inside: true, &g)
        tcp.handshake()
        Kit.httpExchange(&tcp, path: "/admin/", host: "intranet.corp.example", status: 401, reason: "Unauthorized",
                         responseBody: 172, think: 30_000, &g)
        Kit.httpExchange(&tcp, path: "/admin/", host: "intranet.corp.example", status: 200, reason: "OK",
                         responseBody: 2_400, think: 2_500_000_000, &g)
        tcp.close(clientFirst: true, think: 1_000_000_000)
        scripts.append(tcp.finish())
        return scripts
    }

    /// A lookup of `files.transfer-drop.test`, then 40 MB uploaded three times (at 0, ~20 and ~40 s) to its
    /// address on port 443.
    static func exfiltration(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 8, seconds: 50, &g)
        let client = Kit.host(10, 10, 50, 8, hopLimit: 128)
        let server = Kit.host(203, 0, 113, 99)
        scripts.append(Kit.lookup(client, name: "files.transfer-drop.test", addresses: [server.ipv4],
                                  at: start + 1 * second, &g))
        for i in 0..<3 {
            let script = ConversationScript(client: client, server: server, ipv6: false,
                                            clientPort: Kit.ephemeralPort(client, &g), serverPort: 443)
            let begin = start + Int64(2 + 20 * i) * second + Int64(g.uniform(in: 0...900)) * 1_000_000
            scripts.append(BulkTransferBuilder.upload(script, bytes: 40_000_000, at: begin,
                                                      rtt: Kit.roundTrip(inside: false, &g),
                                                      bitsPerSecond: 400_000_000, &g))
        }
        return scripts
    }

    /// Connections to 203.0.113.66:4444 (a reverse shell's handler), 198.51.100.23:6667 (IRC) and
    /// 192.0.2.90:9001 (a Tor relay's OR port).
    static func suspiciousPorts(_ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts = background(visits: 10, seconds: 40, &g)
        let client = Kit.host(10, 10, 60, 3, hopLimit: 128)
        var shell = Kit.tcp(client, Kit.host(203, 0, 113, 66), port: 4444, at: start + 3 * second, inside: false, &g)
        shell.handshake()
        for _ in 0..<6 {
            shell.send(fromClient: false, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 40...400))],
                       think: Int64(g.uniform(in: 200_000_000...2_000_000_000)))
            shell.send(fromClient: true, [StreamMessage(prefix: [], fillerLength: g.uniform(in: 100...3_000))],
                       think: Int64(g.uniform(in: 1_000_000...50_000_000)))
        }
        shell.reset(fromClient: true, think: 500_000_000)
        scripts.append(shell.finish())
        var irc = Kit.tcp(client, Kit.host(198, 51, 100, 23), port: 6667, at: start + 10 * second, inside: false, &g)
        irc.handshake()
        irc.send(fromClient: true, [StreamMessage(prefix: Array("NICK bot4711\r\nUSER bot4711 0 * :bot\r\n".utf8))],
                 think: 30_000)
        irc.send(fromClient: false, [StreamMessage(prefix: Array(":irc.example.net 001 bot4711 :Welcome\r\n".utf8))],
                 think: 20_000_000)
        irc.send(fromClient: true, [StreamMessage(prefix: Array("JOIN #ops\r\n".utf8))], think: 300_000_000)
        irc.send(fromClient: false, [StreamMessage(prefix: Array(":op!op@h PRIVMSG #ops :.scan 10.0.0.0/16\r\n".utf8))],
                 think: 2_000_000_000)
        irc.close(clientFirst: true, think: 3_000_000_000)
        scripts.append(irc.finish())
        scripts.append(Kit.tlsSession(client, Kit.host(192, 0, 2, 90), port: 9001, serverName: "www.q3bvt6ne2x.com",
                                      at: start + 18 * second, requests: 3, responseSize: 500...3_000, &g))
        return scripts
    }
}

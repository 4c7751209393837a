import HydrantRecords

/// The conversations of each `RuleScenario`, and the background traffic the attack scenarios share.
enum ScenarioScripts {
    typealias Kit = ScenarioToolkit

    /// One second, in nanoseconds.
    static let second: Int64 = 1_000_000_000
    /// Time of the first packet.
    static var start: Int64 { MixedScenario.epoch.nanoseconds }

    /// The conversations of `scenario`.
    static func make(_ scenario: RuleScenario, _ g: inout SeededGenerator) -> [ConversationScript] {
        switch scenario {
        case .portscan: return portScan(&g)
        case .sweep: return sweep(&g)
        case .sshBruteForce: return bruteForce(port: 22, attacker: Kit.host(203, 0, 113, 50),
                                               target: Kit.host(10, 0, 1, 22), attempts: 30, &g)
        case .rdpBruteForce: return bruteForce(port: 3389, attacker: Kit.host(198, 51, 100, 77, hopLimit: 113),
                                               target: Kit.host(10, 0, 1, 33, hopLimit: 128), attempts: 25, &g)
        case .dnsTunnel: return dnsTunnel(&g)
        case .dnsTXT: return dnsTXT(&g)
        case .cleartext: return cleartext(&g)
        case .exfiltration: return exfiltration(&g)
        case .suspiciousPort: return suspiciousPorts(&g)
        case .browsing: return browsing(&g)
        case .dns: return dnsLookups(&g)
        case .tls: return tlsSessions(&g)
        case .backup: return backup(&g)
        }
    }

    /// Web sites of the benign traffic: names under example.com/.net/.org and their servers.
    static let sites: [(name: String, server: SynthHost)] = [
        ("www.example.com", Kit.host(81, 2, 69, 162)), ("api.example.com", Kit.host(81, 2, 69, 170)),
        ("static.example.net", Kit.host(89, 160, 20, 130)), ("cdn.example.net", Kit.host(89, 160, 20, 140)),
        ("login.example.com", Kit.host(216, 160, 83, 58)), ("mail.example.org", Kit.host(175, 16, 199, 10)),
        ("news.example.org", Kit.host(175, 16, 199, 20)), ("shop.example.com", Kit.host(67, 43, 156, 12)),
        ("video.example.com", Kit.host(202, 196, 224, 30)), ("docs.example.org", Kit.host(192, 0, 2, 40)),
        ("maps.example.com", Kit.host(198, 51, 100, 140)), ("updates.example.net", Kit.host(203, 0, 113, 140)),
    ]

    /// A visit of `client` to a random site at `time`: a lookup, then an HTTPS session (or, one time in five, a
    /// plain HTTP one). Responses are a few kilobytes, so captures stay small.
    static func webVisit(_ client: SynthHost, at time: Int64, _ g: inout SeededGenerator) -> [ConversationScript] {
        let site = sites[g.uniform(below: sites.count)]
        let dns = Kit.lookup(client, name: site.name, addresses: [site.server.ipv4], at: time, &g)
        let begin = dns.endTime + Int64(g.uniform(in: 200_000...2_000_000))
        if g.chance(0.2) {
            var tcp = Kit.tcp(client, site.server, port: 80, at: begin, inside: false, &g)
            tcp.handshake()
            for i in 0..<g.uniform(in: 1...3) {
                let paths = ["/", "/index.html", "/static/app.js", "/news/2024/01/01/update", "/favicon.ico"]
                Kit.httpExchange(&tcp, path: paths[g.uniform(below: paths.count)], host: site.name, status: 200,
                                 reason: "OK", responseBody: g.uniform(in: 300...4_000),
                                 think: i == 0 ? 30_000 : Int64(g.uniform(in: 50_000_000...900_000_000)), &g)
            }
            tcp.close(clientFirst: true, think: Int64(g.uniform(in: 100_000_000...2_000_000_000)))
            return [dns, tcp.finish()]
        }
        return [dns, Kit.tlsSession(client, site.server, serverName: site.name, at: begin,
                                    requests: g.uniform(in: 1...3), responseSize: 500...4_000, &g)]
    }

    /// `visits` web visits by clients of 10.10.1.0/24 spread over `seconds` from the start.
    static func background(visits: Int, seconds: Int, _ g: inout SeededGenerator) -> [ConversationScript] {
        var scripts: [ConversationScript] = []
        for _ in 0..<visits {
            let client = Kit.host(10, 10, 1, UInt8(g.uniform(in: 10...60)), hopLimit: g.chance(0.5) ? 64 : 128)
            let time = start + Int64(g.uniform(in: 0...(seconds * 1_000))) * 1_000_000
            scripts += webVisit(client, at: time, &g)
        }
        return scripts
    }

    /// Lower-case base32 text of `count` characters, as DNS tunnels encode data.
    static func base32(_ count: Int, _ g: inout SeededGenerator) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)
        var bytes: [UInt8] = []
        for _ in 0..<count { bytes.append(alphabet[g.uniform(below: alphabet.count)]) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

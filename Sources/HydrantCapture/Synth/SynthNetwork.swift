import HydrantRecords

/// One host of the synthetic network, as seen from the capture point.
struct SynthHost {
    /// The host's own MAC (used for clients; servers are reached through the gateway).
    var mac: UInt64
    /// IPv4 address.
    var ipv4: IPAddress
    /// IPv6 address, when the host has one.
    var ipv6: IPAddress?
    /// TTL or hop limit of its packets as they reach the capture point.
    var hopLimit: UInt8
}

/// The synthetic network of the `mixed` scenario.
///
/// The capture point is the uplink of a client network, 10.10.0.0/16 (and 2001:db8:a0a::/64), toward its
/// gateway. Servers are internal (10.0.0.0/16: resolvers, NTP, syslog, intranet services) or external (a few
/// hundred addresses, many in ranges that MaxMind's GeoIP2/GeoLite2 test databases know, the rest in the
/// documentation ranges). Every server has a DNS name; a few dozen popular names get most of the traffic.
struct SynthNetwork {
    /// The MAC of the gateway: destination of every client frame, source of every frame toward a client.
    static let gatewayMAC: UInt64 = 0x0200_5e10_0001

    /// All servers: `Role` indices first, then internal services, then external servers.
    let servers: [SynthHost]
    /// The range of `servers` that are internal application servers.
    let internalServers: Range<Int>
    /// The range of `servers` that are on the Internet.
    let externalServers: Range<Int>
    /// DNS names; `nameServer[i]` is the server that `names[i]` resolves to.
    let names: [String]
    /// The server index of each name.
    let nameServer: [Int]
    /// Canonical names (CNAME targets) of the names that have one.
    let canonicalName: [String?]
    /// Names below this index are the popular external ones.
    let popularNames: Int
    /// The first internal name index; internal names run to `generatedNames`.
    let internalNames: Int
    /// The first generated external name.
    let generatedNames: Int
    /// The active clients: most conversations come from these host numbers.
    let activeClients: [Int]

    /// Fixed-role servers.
    enum Role: Int, CaseIterable {
        case resolver1, resolver2, ntp, syslog
    }

    init(generator g: inout SeededGenerator) {
        var servers: [SynthHost] = []
        func internalHost(_ text: String, _ v6: String?) -> SynthHost {
            let v4 = IPAddress(text) ?? IPAddress(ipv4: 0)
            return SynthHost(mac: SynthNetwork.gatewayMAC, ipv4: v4, ipv6: v6.flatMap { IPAddress($0) },
                             hopLimit: 63)
        }
        servers.append(internalHost("10.0.0.53", "2001:db8:a00::53"))
        servers.append(internalHost("10.0.0.54", "2001:db8:a00::54"))
        servers.append(internalHost("10.0.0.123", nil))
        servers.append(internalHost("10.0.2.14", nil))

        let internalStart = servers.count
        for i in 0..<40 {
            var host = internalHost("10.0.1.\(10 + i)", i % 4 == 0 ? "2001:db8:a00:1::\(10 + i)" : nil)
            host.hopLimit = i % 3 == 0 ? 127 : 63
            servers.append(host)
        }
        let externalStart = servers.count
        let ranges: [(base: String, size: UInt32, count: Int)] = [
            ("81.2.69.160", 32, 20), ("89.160.20.128", 128, 40), ("175.16.199.0", 256, 30),
            ("216.160.83.56", 8, 6), ("67.43.156.0", 256, 20), ("202.196.224.0", 4096, 30),
            ("192.0.2.0", 256, 40), ("198.51.100.0", 256, 40), ("203.0.113.0", 256, 40),
        ]
        let v6Prefixes: [UInt64] = [0x2001_0218_0000_0000, 0x2a02_d180_0000_0000, 0x2001_0db8_0f00_0000]
        var externalIndex: UInt64 = 0
        for range in ranges {
            let base = UInt32(truncatingIfNeeded: (IPAddress(range.base) ?? IPAddress(ipv4: 0)).low)
            let stride = max(1, (range.size - 2) / UInt32(range.count))
            for k in 0..<UInt32(range.count) {
                externalIndex += 1
                let v4 = IPAddress(ipv4: base + 1 + k * stride)
                var v6: IPAddress?
                if g.chance(0.4) {
                    let prefix = v6Prefixes[g.uniform(below: v6Prefixes.count)] | UInt64(g.uniform(below: 0xffff))
                    v6 = IPAddress(ipv6High: prefix, low: 0x10 + externalIndex)
                }
                let initial: Int = [64, 64, 64, 128, 128, 255][g.uniform(below: 6)]
                let hops = g.uniform(in: 6...22)
                servers.append(SynthHost(mac: SynthNetwork.gatewayMAC, ipv4: v4, ipv6: v6,
                                         hopLimit: UInt8(initial - hops)))
            }
        }
        self.servers = servers
        internalServers = internalStart..<externalStart
        externalServers = externalStart..<servers.count

        let popular = [
            "www.example.com", "api.example.com", "static.example.net", "cdn.example.net", "login.example.com",
            "mail.example.org", "updates.example.net", "telemetry.example.net", "news.example.org",
            "shop.example.com", "video.example.com", "img.example.net", "accounts.example.org", "docs.example.org",
            "chat.example.com", "maps.example.com", "ads.example.net", "metrics.example.org",
            "download.example.net", "status.example.org",
        ]
        let internalNameList = [
            "intranet.corp.example", "git.corp.example", "wiki.corp.example", "tickets.corp.example",
            "db1.corp.example", "db2.corp.example", "cache.corp.example", "api.corp.example",
            "files.corp.example", "build.corp.example",
        ]
        var names: [String] = []
        var nameServer: [Int] = []
        var canonical: [String?] = []
        for (i, name) in popular.enumerated() {
            names.append(name)
            nameServer.append(externalStart + i)
            let label = name.split(separator: ".").first.map(String.init) ?? "edge"
            canonical.append(i % 4 == 0 ? "\(label)-\(i).edge.example.net" : nil)
        }
        popularNames = names.count
        internalNames = names.count
        for (i, name) in internalNameList.enumerated() {
            names.append(name)
            nameServer.append(internalStart + i)
            canonical.append(nil)
        }
        generatedNames = names.count
        let domains = ["example.com", "example.net", "example.org", "cdn.example.net"]
        for server in (externalStart + popular.count)..<servers.count {
            names.append("s\(server - externalStart).\(domains[server % domains.count])")
            nameServer.append(server)
            canonical.append(nil)
        }
        self.names = names
        self.nameServer = nameServer
        self.canonicalName = canonical

        var active: [Int] = []
        for _ in 0..<2_500 { active.append(g.uniform(in: 1...65_534)) }
        activeClients = active
    }

    /// The server with a fixed role.
    func server(_ role: Role) -> SynthHost { servers[role.rawValue] }

    /// Client host number `number` (1…65,534) of 10.10.0.0/16.
    func client(_ number: Int) -> SynthHost {
        let n = UInt32(truncatingIfNeeded: number) & 0xffff
        return SynthHost(mac: 0x0200_0a0a_0000 | UInt64(n),
                         ipv4: IPAddress(ipv4: 0x0a0a_0000 | n),
                         ipv6: IPAddress(ipv6High: 0x2001_0db8_0a0a_0000, low: 0x0200_00ff_fe00_0000 | UInt64(n)),
                         hopLimit: n % 3 == 0 ? 128 : 64)
    }

    /// A client: mostly one of the active hosts, sometimes any host of the /16.
    func randomClient(_ g: inout SeededGenerator) -> SynthHost {
        let number = g.chance(0.85) ? activeClients[g.uniform(below: activeClients.count)] : g.uniform(in: 1...65_534)
        return client(number)
    }

    /// A name index for web traffic: popular names most of the time, else any generated external name.
    func randomWebName(_ g: inout SeededGenerator) -> Int {
        if g.chance(0.65) {
            // A skewed pick: low indices (the most popular names) come up more often.
            let a = g.uniform(below: popularNames)
            let b = g.uniform(below: popularNames)
            return min(a, b)
        }
        return generatedNames + g.uniform(below: names.count - generatedNames)
    }

    /// One of the internal application servers.
    func randomInternalServer(_ g: inout SeededGenerator) -> SynthHost {
        servers[internalServers.lowerBound + g.uniform(below: internalServers.count)]
    }

    /// One of the external servers.
    func randomExternalServer(_ g: inout SeededGenerator) -> SynthHost {
        servers[externalServers.lowerBound + g.uniform(below: externalServers.count)]
    }

    /// A name index of an internal service.
    func randomInternalName(_ g: inout SeededGenerator) -> Int {
        internalNames + g.uniform(below: generatedNames - internalNames)
    }
}

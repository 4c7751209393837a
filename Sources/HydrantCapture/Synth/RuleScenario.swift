import HydrantRecords

/// The captures behind the shipped rules (`rules/`): one scenario per attack a rule detects, and benign
/// scenarios (heavy but normal traffic) on which no shipped rule may alert. `captures/scenarios.json` lists the
/// alerts each must raise.
///
/// Every scenario is fully decided by its seed: the same scenario and seed give a byte-identical capture. Packet
/// times start at `MixedScenario.epoch` (2024-01-01T00:00:00Z); the client network is 10.10.0.0/16, internal
/// servers are in 10.0.0.0/16 (resolver 10.0.0.53), external hosts in the documentation ranges (192.0.2.0/24,
/// 198.51.100.0/24, 203.0.113.0/24) and ranges MaxMind's test databases know. Attack scenarios carry light
/// background traffic (web visits by other clients) so that a rule must pick the attack out of it.
public enum RuleScenario: String, CaseIterable, Sendable {
    /// A TCP SYN scan of 70 ports of one internal server.
    case portscan
    /// Port 445 probed on 64 addresses of one internal subnet, most not answering.
    case sweep
    /// 30 short SSH sessions from one external address to one server, each ending after failed logins.
    case sshBruteForce = "ssh-bruteforce"
    /// 25 short RDP sessions from one external address to one server.
    case rdpBruteForce = "rdp-bruteforce"
    /// Data sent in 90 unique, 52-character labels under one registered domain.
    case dnsTunnel = "dns-tunnel"
    /// One host asking for TXT records once a second (command-and-control polling).
    case dnsTXT = "dns-txt"
    /// Telnet, FTP, POP3 and IMAP logins and an HTTP 401 challenge, all in cleartext.
    case cleartext
    /// 120 MB uploaded to one external host in three connections.
    case exfiltration
    /// Connections to ports 4444, 6667 and 9001 on the Internet.
    case suspiciousPort = "suspicious-port"
    /// Benign: clients visiting web sites over HTTPS and HTTP.
    case browsing
    /// Benign: many lookups of normal names, including a mail server's TXT (SPF, DMARC) lookups.
    case dns
    /// Benign: TLS to many servers on 443, 8443, 993, 995 and 465.
    case tls
    /// Benign: nightly backups, pulled over SSH from 25 hosts and pushed (190 MB) to internal backup servers.
    case backup

    /// Whether no shipped rule may alert on the scenario.
    public var isBenign: Bool {
        switch self {
        case .browsing, .dns, .tls, .backup: return true
        default: return false
        }
    }

    /// The snapshot length of the capture: scenarios with bulk transfers keep only the first 128 bytes of each
    /// frame (IP-level byte counts come from the IP headers), so the files stay small.
    public var snapLength: UInt32 {
        switch self {
        case .exfiltration, .backup: return 128
        default: return 262_144
        }
    }

    /// One line on what the scenario holds.
    public var summary: String {
        switch self {
        case .portscan: return "TCP SYN scan of 70 ports of 10.0.1.20 by 10.10.66.6"
        case .sweep: return "port 445 on 10.0.5.1-64 from 10.10.66.7, mostly unanswered"
        case .sshBruteForce: return "30 short SSH sessions from 203.0.113.50 to 10.0.1.22"
        case .rdpBruteForce: return "25 short RDP sessions from 198.51.100.77 to 10.0.1.33"
        case .dnsTunnel: return "90 unique long-label queries under cloud-sync.test"
        case .dnsTXT: return "60 TXT queries in a minute from 10.10.30.9"
        case .cleartext: return "telnet, FTP, POP3, IMAP logins and an HTTP 401 challenge"
        case .exfiltration: return "120 MB uploaded from 10.10.50.8 to 203.0.113.99:443"
        case .suspiciousPort: return "connections from 10.10.60.3 to ports 4444, 6667 and 9001"
        case .browsing: return "benign: web visits (HTTPS, HTTP) of 12 clients"
        case .dns: return "benign: normal lookups, a mail server's TXT lookups"
        case .tls: return "benign: TLS on 443, 8443, 993, 995, 465 to many servers"
        case .backup: return "benign: SSH pulls from 25 hosts, 190 MB internal pushes"
        }
    }

    /// Writes the scenario chosen by `seed` to `writer` (whose snap length should be `snapLength`).
    @discardableResult
    public func write(to writer: inout PcapWriter, seed: UInt64) throws(PcapWriterError) -> MixedScenario.Summary {
        var g = SeededGenerator(seed: seed)
        let scripts = ScenarioScripts.make(self, &g)
        return try ScriptScheduler.write(scripts, to: &writer, &g)
    }
}

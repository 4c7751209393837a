/// The kinds of activity the `mixed` scenario starts, with their relative frequency (per 1,000 arrivals).
enum MixedTrafficProfile: CaseIterable {
    /// HTTPS (TLS 1.3 on 443), often after a DNS lookup.
    case https
    /// Plain HTTP/1.1 on 80, often after a DNS lookup.
    case http
    /// A large download over HTTPS.
    case bulkDownload
    /// A DNS lookup on its own (including NXDOMAIN for random names).
    case dns
    /// An NTP client exchange.
    case ntp
    /// ICMP or ICMPv6 echo requests, answered or not.
    case ping
    /// An interactive SSH session to an internal server.
    case ssh
    /// Requests to an internal API or database.
    case internalService
    /// A SYN to a closed port, answered with RST-ACK.
    case rejectedConnection
    /// A SYN (and its retransmissions) that nobody answers.
    case unansweredConnection
    /// A UDP datagram to a closed port, answered with ICMP port unreachable.
    case closedUDPPort
    /// One-way syslog messages to the collector.
    case syslog
    /// A SYN scan of one internal server by one client.
    case portScan

    /// Relative weight per 1,000 arrivals.
    var weight: Int {
        switch self {
        case .https: return 300
        case .http: return 90
        case .bulkDownload: return 1
        case .dns: return 250
        case .ntp: return 30
        case .ping: return 40
        case .ssh: return 8
        case .internalService: return 90
        case .rejectedConnection: return 60
        case .unansweredConnection: return 40
        case .closedUDPPort: return 30
        case .syslog: return 40
        case .portScan: return 2
        }
    }

    /// The weights of `allCases`, in order.
    static let weights: [Int] = allCases.map(\.weight)
}

import HydrantRecords

/// Which application datasets the capture makes, and the bounds of the state behind them (packet time).
public struct ApplicationConfiguration: Sendable {
    /// Make `network.dns` records.
    public var dns = true
    /// Make `network.http` records.
    public var http = true
    /// Make `network.tls` records.
    public var tls = true
    /// A query without a response is emitted alone after this long (default 10 s, Zeek's DNS timeout).
    public var dnsTimeout: Int64 = 10 * 1_000_000_000
    /// At most this many queries wait for their responses; past it the oldest is emitted unanswered.
    public var maxPendingQueries = 100_000
    /// A TCP connection with no packet for this long is no longer followed; what it held is emitted (default 2 min).
    public var sessionIdleTimeout: Int64 = 120 * 1_000_000_000
    /// At most this many TCP connections are followed at once; past it new ones are counted and not parsed.
    public var maxSessions = 100_000
    /// At most this many bytes are held across all followed connections (assembled, out-of-order and DNS framing
    /// bytes); a connection whose data would pass it is no longer followed (default 256 MiB).
    public var maxHeldBytes = 256 << 20
    /// At most this many requests of one connection wait for their responses (pipelining).
    public var maxPipelinedRequests = 64
    /// Bounds of each direction's segment assembler.
    public var assembler = TCPStreamAssembler.Limits()
    /// UDP ports whose datagrams are parsed as DNS: DNS, mDNS and LLMNR.
    public var dnsUDPPorts: Set<UInt16> = [53, 5353, 5355]
    /// TCP ports whose streams are parsed as DNS (length-prefixed messages).
    public var dnsTCPPorts: Set<UInt16> = [53]
    /// Written to `observer.name` of every record.
    public var observerName: String?

    /// Every application dataset on, with the default bounds.
    public init() {}

    /// Whether any application dataset is on.
    public var anyEnabled: Bool { dns || http || tls }
}

/// Counters of the application parsers, for the run summary.
public struct ApplicationStatistics: Sendable, Equatable {
    /// DNS messages parsed.
    public var dnsMessages = 0
    /// DNS messages that could not be parsed (malformed, truncated, name loops).
    public var dnsErrors = 0
    /// Queries emitted without a response (timed out, or the capture ended).
    public var dnsUnanswered = 0
    /// Responses whose query was not seen.
    public var dnsUnmatchedResponses = 0
    /// HTTP request heads parsed.
    public var httpRequests = 0
    /// HTTP heads that broke the grammar or exceeded 16 KiB; the connection was not followed further.
    public var httpErrors = 0
    /// ClientHellos parsed.
    public var tlsClientHellos = 0
    /// TLS handshakes that could not be parsed (malformed, truncated, over 64 KiB).
    public var tlsErrors = 0
    /// Connection directions the segment assembler gave up on because its buffer filled.
    public var assemblerBufferFull = 0
    /// Connection directions the segment assembler gave up on because a gap was never filled.
    public var assemblerGapNotFilled = 0
    /// Connections not followed because `maxSessions` were followed already.
    public var sessionsRefused = 0
    /// Connections no longer followed because the bytes held across connections reached `maxHeldBytes`.
    public var sessionsOverBudget = 0

    /// Creates empty counters.
    public init() {}
}

import HydrantRecords

/// Runs the DNS, HTTP and TLS parsers over decoded packets, on one thread at a time (`CaptureEngine` gives it a
/// thread of its own and copies the payloads it reads, see `wantsPayload`), and collects their `network.dns`,
/// `network.http` and `network.tls` records.
///
/// UDP datagrams on the DNS ports are parsed one by one and paired through `DNSTransactions`. TCP connections are
/// followed as `TCPSession`s keyed like flows: only packets that carry payload, SYN, FIN or RST are looked at, so a
/// connection costs a table entry from its SYN (or first data) to its end. Everything is bounded: sessions (`maxSessions`, idle timeout on
/// packet time), assembled bytes per direction, waiting queries and pipelined requests.
public final class ApplicationAnalyzer {
    /// The configuration in force.
    public let configuration: ApplicationConfiguration
    /// Counters so far.
    public private(set) var statistics = ApplicationStatistics()
    /// Records made since the last `takeRecords`.
    private var output = CaptureRecords()

    private var sessions = SessionTable()
    /// Recent segments' connections and sessions, so the next segment of one skips the table (see `segment`).
    private let recentSegments = LastSegmentSession()
    /// Whether segments use `recentSegments`; off, every segment looks its session up in the table (the reference
    /// path the tests hold the memo to).
    var remembersRecentSegments = true
    /// `configuration.dnsUDPPorts` and `dnsTCPPorts`, for lookups without hashing.
    private let dnsUDPPorts: PortSet
    private let dnsTCPPorts: PortSet
    /// Where DNS names are built while a message is parsed, and its arrays, kept from message to message.
    private let dnsScratch = DNSParseScratch()
    private var transactions: DNSTransactions
    private let communityID = CommunityID(seed: 0)
    /// IDs of recent DNS datagrams' flows, so a flow's second query does not hash its endpoints again.
    private var datagramCommunityIDs = CommunityIDMemo()
    /// Strings of recent Host, User-Agent and Referer values: the same clients send the same ones on every request.
    private let httpStrings = RecentStrings(slots: 512, longest: 512)
    /// Fingerprints of handshake shapes seen recently.
    private var fingerprints = TLSFingerprintCache()
    /// The latest packet time seen.
    private var now = Int64.min
    /// When unanswered queries are next looked for (cheap: the oldest first).
    private var nextSweep = Int64.min
    /// When idle sessions are next looked for (a walk over every session).
    private var nextSessionSweep = Int64.min
    /// When a full session table may next be swept early to make room.
    private var nextForcedSweep = Int64.min
    /// Early sweeps of a full session table so far.
    private(set) var forcedSweeps = 0
    /// How often (packet time) unanswered queries are expired.
    private static let sweepInterval: Int64 = 1_000_000_000
    /// How often (packet time) idle sessions are looked for.
    private static let sessionSweepInterval: Int64 = 10 * 1_000_000_000

    /// An analyzer for the datasets `configuration` turns on.
    public init(configuration: ApplicationConfiguration = ApplicationConfiguration()) {
        self.configuration = configuration
        transactions = DNSTransactions(configuration: configuration)
        dnsUDPPorts = PortSet(configuration.dnsUDPPorts)
        dnsTCPPorts = PortSet(configuration.dnsTCPPorts)
    }

    /// TCP connections followed now.
    public var sessionCount: Int { sessions.count }

    /// Bytes held across every followed connection.
    public private(set) var heldBytes = 0

    /// The Community ID made for the connection of the packet `analyze` last looked at (for a DNS query's record, or
    /// a TCP session's first record), until `takeCommunityID()`; the flow table reuses it for the packet's flow.
    private var madeCommunityID: String?

    /// The Community ID the last `analyze` call made for its packet's endpoints, protocol and ports, if it made one;
    /// taking it leaves none.
    @inline(__always)
    public func takeCommunityID() -> String? {
        guard let made = madeCommunityID else { return nil }
        madeCommunityID = nil
        return made
    }

    /// Entries kept to expire waiting queries (bounded by twice `maxPendingQueries`).
    var pendingQueryBookkeeping: Int { transactions.bookkeepingCount }

    /// Looks at one packet; returns the application protocol recognised on its connection, if any.
    public func analyze(_ packet: DecodedPacket) -> ApplicationProtocol {
        withUnsafePointer(to: packet) { analyze(at: $0) }
    }

    /// `analyze(_:)` of the packet at `packet`, read where it lies: the engine's loop passed each packet of a batch
    /// by value, which copied its 120 bytes for every packet, TCP, UDP or other.
    @inline(__always)
    func analyze(at packet: UnsafePointer<DecodedPacket>) -> ApplicationProtocol {
        let time = packet.pointee.timestamp.nanoseconds
        if time > now {
            now = time
            if now >= nextSweep { sweep() }
        }
        switch packet.pointee.ianaNumber {
        case 17 where configuration.dns && packet.pointee.hasPorts && !packet.pointee.payload.isEmpty:
            return datagram(packet)
        case 6 where packet.pointee.hasPorts:
            guard !packet.pointee.payload.isEmpty || packet.pointee.tcpFlags & (TCPFlags.syn | TCPFlags.fin | TCPFlags.rst) != 0 else { return .none }
            return segment(packet)
        default:
            return .none
        }
    }

    /// Whether `analyze` reads `packet`'s payload bytes: TCP segments, and UDP datagrams to or from a DNS port when
    /// DNS is on. For every other packet the analyzer looks at the headers only, so an engine that runs it on another
    /// thread copies just these payloads. A static function of the configuration, so the decoding thread asks
    /// without touching the analyzer.
    public static func wantsPayload(_ packet: DecodedPacket, configuration: ApplicationConfiguration) -> Bool {
        wantsPayload(packet, dnsUDPPorts: configuration.dns ? PortSet(configuration.dnsUDPPorts) : nil)
    }

    /// `wantsPayload(_:configuration:)` with the configuration's DNS ports made a `PortSet` once (nil when DNS is off).
    @inline(__always)
    static func wantsPayload(_ packet: DecodedPacket, dnsUDPPorts ports: PortSet?) -> Bool {
        guard packet.hasPorts, !packet.payload.isEmpty else { return false }
        switch packet.ianaNumber {
        case 6:
            return true
        case 17:
            guard let ports else { return false }
            return ports.contains(packet.sourcePort) || ports.contains(packet.destinationPort)
        default:
            return false
        }
    }

    /// Hands over the records made so far.
    public func takeRecords(into records: inout CaptureRecords) {
        records.takeApplicationRecords(from: &output)
    }

    /// Emits what timed out by `now` (a live capture calls this when no packets arrive).
    public func expire(upTo time: Timestamp) {
        if time.nanoseconds > now { now = time.nanoseconds }
        if now >= nextSweep { sweep() }
    }

    /// Emits everything still waiting (end of input) and forgets every connection.
    public func flush() {
        for session in sessions.sessions.sorted(by: { $0.lastSeen < $1.lastSeen }) { session.finish(into: &output) }
        recentSegments.forgetAll()
        sessions.removeAll()
        heldBytes = 0
        transactions.flush(statistics: &statistics, into: &output.dns)
    }

    // MARK: - DNS over UDP

    private func datagram(_ packet: UnsafePointer<DecodedPacket>) -> ApplicationProtocol {
        guard dnsUDPPorts.contains(packet.pointee.sourcePort) || dnsUDPPorts.contains(packet.pointee.destinationPort) else { return .none }
        var message: DNSMessage
        do {
            message = try DNSMessage(parsing: packet.pointee.payload, ownerNames: false, scratch: dnsScratch)
        } catch {
            statistics.dnsErrors += 1
            return .none
        }
        statistics.dnsMessages += 1
        let flow = FlowKey.make(packet.pointee).key
        transactions.handle(message, flow: flow,
                            connection: connection(packet, reversed: false, flow: flow),
                            reversed: connection(packet, reversed: true, flow: flow),
                            time: packet.pointee.timestamp.nanoseconds, statistics: &statistics, into: &output.dns)
        dnsScratch.recycle(&message)
        return .dns
    }

    /// The connection of a packet of the flow `flow` with its sender as the client (or its receiver, when
    /// `reversed`).
    private func connection(_ packet: UnsafePointer<DecodedPacket>, reversed: Bool, flow: FlowKey) -> Connection {
        var connection = endpoints(packet, reversed: reversed)
        let id = datagramCommunityIDs.id(of: flow, hash: flow.hash(seed: 0)) {
            communityID.string(
                source: connection.sourceIP, destination: connection.destinationIP, ianaNumber: packet.pointee.ianaNumber,
                sourcePort: connection.sourcePort ?? 0, destinationPort: connection.destinationPort ?? 0, hasPorts: true)
        }
        connection.communityID = id
        madeCommunityID = id
        return connection
    }

    /// `connection(_:reversed:)` without the community ID, which a TCP session adds when it makes its first record.
    private func endpoints(_ packet: UnsafePointer<DecodedPacket>, reversed: Bool) -> Connection {
        let (client, clientPort, server, serverPort) = reversed
            ? (packet.pointee.destination, packet.pointee.destinationPort, packet.pointee.source, packet.pointee.sourcePort)
            : (packet.pointee.source, packet.pointee.sourcePort, packet.pointee.destination, packet.pointee.destinationPort)
        return Connection(sourceIP: client, sourcePort: clientPort, destinationIP: server, destinationPort: serverPort,
                          ianaNumber: packet.pointee.ianaNumber, vlanID: packet.pointee.vlanID, innerVLANID: packet.pointee.innerVLANID,
                          observerName: configuration.observerName)
    }

    // MARK: - TCP

    private func segment(_ packet: UnsafePointer<DecodedPacket>) -> ApplicationProtocol {
        let time = packet.pointee.timestamp.nanoseconds
        let syn = packet.pointee.tcpFlags & TCPFlags.syn != 0
        if remembersRecentSegments, let (entry, sourceIsA) = recentSegments.match(packet),
           let found = recentSegments.session(entry) {
            let key = recentSegments.key(entry)
            let hash = recentSegments.hash(entry)
            let (recognised, ended) = found._withUnsafeGuaranteedRef {
                follow($0, packet: packet, sourceIsA: sourceIsA, time: time, syn: syn, key: key)
            }
            if ended { removeSession(key, hash: hash) }
            return recognised
        }
        let (key, sourceIsA) = FlowKey.make(packet.pointee)
        let hash = key.hash(seed: 0)
        if let found = sessions.unretainedSession(key, hash: hash) {
            recentSegments.remember(packet, key: key, hash: hash, sourceIsA: sourceIsA, session: found)
            // The table keeps the session alive throughout (a session that ends is removed only after), so the
            // segment costs no retain and release of it.
            let (recognised, ended) = found._withUnsafeGuaranteedRef {
                follow($0, packet: packet, sourceIsA: sourceIsA, time: time, syn: syn, key: key)
            }
            if ended { removeSession(key, hash: hash) }
            return recognised
        }
        guard !packet.pointee.payload.isEmpty || syn else { return .none }
        if sessions.count >= configuration.maxSessions {
            // At most once a second of packet time, so a flood of new connections into a full table does not
            // walk the table on every packet.
            if now >= nextForcedSweep {
                nextForcedSweep = now &+ ApplicationAnalyzer.sweepInterval
                forcedSweeps += 1
                sweepSessions(idleFor: 10 * 1_000_000_000)
            }
            guard sessions.count < configuration.maxSessions else {
                statistics.sessionsRefused += 1
                return .none
            }
        }
        let created = TCPSession(time: time, limits: configuration.assembler)
        sessions.insert(created, key: key, hash: hash)
        recentSegments.remember(packet, key: key, hash: hash, sourceIsA: sourceIsA,
                                session: Unmanaged.passUnretained(created))
        let (recognised, ended) = follow(created, packet: packet, sourceIsA: sourceIsA, time: time, syn: syn, key: key)
        if ended { removeSession(key, hash: hash) }
        return recognised
    }

    /// Removes a session from the table, and from the memo of recent segments' sessions first.
    private func removeSession(_ key: FlowKey, hash: UInt64) {
        recentSegments.forget(key, hash: hash)
        sessions.remove(key, hash: hash)
    }

    /// One segment of a followed connection: the protocol recognised on it, and whether the connection ended (the
    /// caller then removes it from the table, which until then keeps it alive).
    @inline(__always)
    private func follow(_ session: TCPSession, packet: UnsafePointer<DecodedPacket>, sourceIsA: Bool, time: Int64, syn: Bool,
                        key: FlowKey) -> (ApplicationProtocol, ended: Bool) {
        session.lastSeen = max(session.lastSeen, time)
        if syn { synchronize(session, packet: packet, sourceIsA: sourceIsA) }
        if !packet.pointee.payload.isEmpty, session.kind != .ignored {
            let before = session.heldBytes
            let hadCommunityID = session.hasCommunityID
            add(packet, to: session, key: key, sourceIsA: sourceIsA, time: time)
            // The session's first record made the ID of this packet's connection: the flow table can have it.
            if !hadCommunityID, session.hasCommunityID { madeCommunityID = session.connection?.communityID }
            heldBytes += session.heldBytes - before
            if heldBytes > configuration.maxHeldBytes {
                statistics.sessionsOverBudget += 1
                heldBytes -= session.heldBytes
                session.finish(into: &output)
                session.ignore()
            }
        }
        let recognised = session.recognised
        if packet.pointee.tcpFlags & TCPFlags.rst != 0 {
            close(session)
            return (recognised, true)
        } else if packet.pointee.tcpFlags & TCPFlags.fin != 0 {
            if sourceIsA { session.finA = true } else { session.finB = true }
            if session.finA && session.finB {
                close(session)
                return (recognised, true)
            }
        }
        return (recognised, false)
    }

    /// A SYN names the client (its sender; a SYN+ACK's receiver) and where each direction's bytes start, so segments
    /// that arrive out of order before the first one are put back in place.
    private func synchronize(_ session: TCPSession, packet: UnsafePointer<DecodedPacket>, sourceIsA: Bool) {
        let fromServer = packet.pointee.tcpFlags & TCPFlags.ack != 0
        if session.clientIsA == nil {
            session.clientIsA = fromServer ? !sourceIsA : sourceIsA
            session.connection = endpoints(packet, reversed: fromServer)
        }
        if sourceIsA == session.clientIsA {
            session.client.synchronize(initialSequence: packet.pointee.tcpSequence)
        } else {
            session.server.synchronize(initialSequence: packet.pointee.tcpSequence)
        }
    }

    private func add(_ packet: UnsafePointer<DecodedPacket>, to session: TCPSession, key: FlowKey, sourceIsA: Bool, time: Int64) {
        if session.clientIsA == nil {
            session.clientIsA = sourceIsA
            session.connection = endpoints(packet, reversed: false)
        }
        let fromClient = sourceIsA == session.clientIsA
        let payload = packet.pointee.payload.bindMemory(to: UInt8.self)
        // The segment is read in place where it continues an empty stream; what the parsers leave of it is copied
        // before the packet's memory goes away.
        defer {
            session.client.settle()
            session.server.settle()
        }
        if fromClient {
            let following = session.client.gaveUp == nil
            session.client.addBorrowing(sequence: packet.pointee.tcpSequence, payload: payload)
            if following { countGiveUp(session.client) }
        } else {
            let following = session.server.gaveUp == nil
            session.server.addBorrowing(sequence: packet.pointee.tcpSequence, payload: payload)
            if following { countGiveUp(session.server) }
        }
        if session.kind == .undetermined { classify(session, packet: packet, fromClient: fromClient) }
        switch session.kind {
        case .http:
            session.parseRequests(time: time, maxPipelined: configuration.maxPipelinedRequests,
                                  strings: httpStrings, statistics: &statistics, into: &output)
            session.parseResponses(time: time, statistics: &statistics, into: &output)
        case .tls:
            if !session.hasHello {
                session.parseClientHello(time: time, fingerprints: &fingerprints, statistics: &statistics, into: &output)
            } else {
                session.parseServerHello(fingerprints: &fingerprints, statistics: &statistics, into: &output)
            }
        case .dns:
            dnsStream(session, key: key, time: time)
        case .undetermined, .ignored:
            break
        }
        // The snap length cut the segment: the stream has a hole from here, so what can be read is read now.
        if packet.pointee.payload.count < packet.pointee.payloadLength {
            switch session.kind {
            case .http:
                session.truncated(client: fromClient, time: time, maxPipelined: configuration.maxPipelinedRequests,
                                  statistics: &statistics, into: &output)
            case .tls where fromClient && !session.hasHello:
                statistics.tlsErrors += 1
                session.ignore()
            case .undetermined, .tls, .dns:
                if fromClient { session.client.stop() } else { session.server.stop() }
            case .ignored:
                break
            }
        }
    }

    /// Recognises the protocol from the client's first bytes (or gives up on the connection).
    private func classify(_ session: TCPSession, packet: UnsafePointer<DecodedPacket>, fromClient: Bool) {
        guard fromClient else {
            // The server spoke before the client said enough: not a protocol followed here.
            session.ignore()
            return
        }
        if configuration.dns,
           dnsTCPPorts.contains(packet.pointee.sourcePort) || dnsTCPPorts.contains(packet.pointee.destinationPort) {
            session.recognise(.dns)
            return
        }
        session.client.withAssembled { bytes in
            if configuration.tls && TLSRecordReader.looksLikeHandshake(bytes) {
                session.recognise(.tls)
            } else if configuration.http && HTTPHeadParser.looksLikeRequest(bytes) {
                session.recognise(.http)
            } else if bytes.count >= 16 || session.client.gaveUp != nil {
                session.ignore()
            }
        }
    }

    /// DNS messages of a TCP connection, both directions.
    private func dnsStream(_ session: TCPSession, key: FlowKey, time: Int64) {
        guard let forward = session.recordConnection() else { return }
        let backward = Connection(sourceIP: forward.destinationIP, sourcePort: forward.destinationPort,
                                  destinationIP: forward.sourceIP, destinationPort: forward.sourcePort,
                                  ianaNumber: forward.ianaNumber, vlanID: forward.vlanID,
                                  innerVLANID: forward.innerVLANID, communityID: forward.communityID,
                                  observerName: forward.observerName)
        for fromClient in [true, false] {
            let count = fromClient ? session.client.assembledCount : session.server.assembledCount
            guard count > 0 else { continue }
            var framer = fromClient ? session.clientFramer : session.serverFramer
            func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
                _ = framer.feed(UnsafeRawBufferPointer(bytes)) { body in
                    do {
                        var message = try DNSMessage(parsing: body, ownerNames: false, scratch: dnsScratch)
                        statistics.dnsMessages += 1
                        transactions.handle(message, flow: key, connection: fromClient ? forward : backward,
                                            reversed: fromClient ? backward : forward, time: time,
                                            statistics: &statistics, into: &output.dns)
                        dnsScratch.recycle(&message)
                    } catch {
                        statistics.dnsErrors += 1
                    }
                }
            }
            if fromClient { session.client.withAssembled(feed) } else { session.server.withAssembled(feed) }
            if fromClient {
                session.clientFramer = framer
                session.client.consume(count)
            } else {
                session.serverFramer = framer
                session.server.consume(count)
            }
        }
    }

    /// Counts a direction the assembler has just given up on.
    private func countGiveUp(_ assembler: TCPStreamAssembler) {
        switch assembler.gaveUp {
        case .assembledBufferFull?: statistics.assemblerBufferFull += 1
        case .gapNotFilled?: statistics.assemblerGapNotFilled += 1
        case nil: break
        }
    }

    /// Emits what a finished connection held and forgets it.
    private func end(_ key: FlowKey, hash: UInt64, _ session: TCPSession) {
        close(session)
        removeSession(key, hash: hash)
    }

    /// Emits what a finished connection held; the caller removes it from the table.
    private func close(_ session: TCPSession) {
        heldBytes -= session.heldBytes
        session.finish(into: &output)
    }

    /// Emits unanswered queries whose time is up, and every `sessionSweepInterval` ends idle sessions.
    private func sweep() {
        nextSweep = now &+ ApplicationAnalyzer.sweepInterval
        transactions.expire(upTo: now, statistics: &statistics, into: &output.dns)
        if now >= nextSessionSweep {
            nextSessionSweep = now &+ ApplicationAnalyzer.sessionSweepInterval
            sweepSessions(idleFor: configuration.sessionIdleTimeout)
        }
    }

    /// Ends the sessions with no packet for longer than `idle`, oldest first.
    private func sweepSessions(idleFor idle: Int64) {
        guard !sessions.isEmpty else { return }
        let stale = sessions.entries.filter { now - $0.session.lastSeen > idle }
        for (key, session) in stale.sorted(by: { $0.session.lastSeen < $1.session.lastSeen }) {
            end(key, hash: key.hash(seed: 0), session)
        }
    }
}

/// One application-level write: literal bytes then filler, segmented by the TCP builder.
struct StreamMessage {
    /// Literal bytes (protocol headers) at the start of the message.
    var prefix: [UInt8]
    /// Filler bytes after the prefix.
    var fillerLength: Int = 0
    /// Look of the filler.
    var filler: SynthPayload.Filler = .binary

    /// Total length.
    var count: Int { prefix.count + fillerLength }
}

/// Scripts a TCP connection as seen from a capture point next to the client: handshake, data in either
/// direction with MSS segmentation, slow start and delayed ACKs, and FIN or RST teardown.
///
/// Time model: a client packet is seen when the client sends it; a server packet when it reaches the client.
/// So a server's answer to a client packet is seen one round trip (`rtt`) later, and the client's answer to a
/// server packet `clientDelay` later. Back-to-back segments are `gap` apart per full segment (the bottleneck).
struct TCPConversationBuilder {
    /// The script being built.
    private(set) var script: ConversationScript
    /// Time of the last data-bearing or control packet, the reference for the next step.
    private(set) var now: Int64
    private var lastFromClient = true
    private let rtt: Int64
    private let clientDelay: Int64
    private let gap: Int64
    private let mss: Int
    private var clientNext: UInt32
    private var serverNext: UInt32
    private let clientWindow: UInt16
    private let serverWindow: UInt16
    private var clientCongestionWindow = 10
    private var serverCongestionWindow = 10
    private var pendingAck: (fromClient: Bool, deadline: Int64)?
    /// Segments a Linux client still acknowledges one by one (quick-ACK mode at the start of a connection).
    private var clientQuickAcks: Int
    private static let delayedAckTimeout: Int64 = 40_000_000
    private static let maximumCongestionWindow = 128

    /// A connection that starts at `start` with the given path properties; ISNs come from the generator.
    init(script: ConversationScript, start: Int64, rtt: Int64, clientDelay: Int64, bitsPerSecond: Int64,
         generator g: inout SeededGenerator) {
        self.script = script
        self.now = start
        self.rtt = max(rtt, 20_000)
        self.clientDelay = max(clientDelay, 5_000)
        self.gap = max(1_000, 1_514 * 8 * 1_000_000_000 / max(bitsPerSecond, 1_000_000))
        self.mss = script.isIPv6 ? 1_440 : 1_460
        clientNext = UInt32(truncatingIfNeeded: g.next())
        serverNext = UInt32(truncatingIfNeeded: g.next())
        clientWindow = UInt16(g.uniform(in: 490...512))
        serverWindow = UInt16(g.uniform(in: 235...509))
        clientQuickAcks = script.client.hopLimit == 128 ? 0 : 16
    }

    /// The three-way handshake, or with `accepted == false` a SYN answered by RST-ACK (a closed port).
    mutating func handshake(accepted: Bool = true) {
        add(fromClient: true, time: now, flags: TCPFlags.syn, sequence: clientNext, acknowledgment: 0,
            window: 64_240, synOptions: true)
        clientNext &+= 1
        let answer = now + rtt
        if !accepted {
            add(fromClient: false, time: answer, flags: TCPFlags.rst | TCPFlags.ack, sequence: 0,
                acknowledgment: clientNext, window: 0)
            now = answer
            lastFromClient = false
            return
        }
        add(fromClient: false, time: answer, flags: TCPFlags.syn | TCPFlags.ack, sequence: serverNext,
            acknowledgment: clientNext, window: 65_160, synOptions: true)
        serverNext &+= 1
        now = answer + clientDelay
        add(fromClient: true, time: now, flags: TCPFlags.ack, sequence: clientNext, acknowledgment: serverNext,
            window: clientWindow)
        lastFromClient = true
    }

    /// A SYN sent `attempts` times (1, 2, 4 … seconds apart) that nobody answers.
    mutating func unansweredSYN(attempts: Int) {
        var time = now
        var backoff: Int64 = 1_000_000_000
        for _ in 0..<max(1, attempts) {
            add(fromClient: true, time: time, flags: TCPFlags.syn, sequence: clientNext, acknowledgment: 0,
                window: 64_240, synOptions: true)
            now = time
            time += backoff
            backoff *= 2
        }
        clientNext &+= 1
    }

    /// The sender writes `messages` back to back, `think` nanoseconds after it has seen the peer's last packet.
    mutating func send(fromClient: Bool, _ messages: [StreamMessage], think: Int64) {
        var start = startTime(fromClient: fromClient, think: think)
        settlePendingAck(before: &start, sender: fromClient)
        let ackDelay = fromClient ? rtt : clientDelay      // data seen → the receiver's ACK seen
        let resumeDelay = fromClient ? clientDelay : rtt   // ACK seen → the sender's next data seen
        var window = fromClient ? clientCongestionWindow : serverCongestionWindow

        // Flatten the messages into segments: (message, offset in it, length).
        var segments: [(message: Int, offset: Int, length: Int)] = []
        for (index, message) in messages.enumerated() {
            var offset = 0
            while offset < message.count {
                let length = min(mss, message.count - offset)
                segments.append((index, offset, length))
                offset += length
            }
        }
        guard !segments.isEmpty else { return }

        var roundStart = start
        var index = 0
        var unacknowledged = 0
        var last = start
        while index < segments.count {
            let count = min(window, segments.count - index)
            var firstAck: Int64?
            var time = roundStart
            for j in 0..<count {
                let segment = segments[index + j]
                let message = messages[segment.message]
                let isLastOfMessage = segment.offset + segment.length == message.count
                add(fromClient: fromClient, time: time,
                    flags: TCPFlags.ack | (isLastOfMessage ? TCPFlags.psh : 0),
                    sequence: fromClient ? clientNext : serverNext,
                    acknowledgment: fromClient ? serverNext : clientNext,
                    window: fromClient ? clientWindow : serverWindow,
                    payload: slice(message, offset: segment.offset, length: segment.length))
                if fromClient { clientNext &+= UInt32(segment.length) } else { serverNext &+= UInt32(segment.length) }
                last = time
                unacknowledged += 1
                let quick = !fromClient && clientQuickAcks > 0
                if quick { clientQuickAcks -= 1 }
                if unacknowledged == 2 || quick {
                    let ackTime = time + ackDelay
                    pureAck(fromClient: !fromClient, time: ackTime)
                    if firstAck == nil { firstAck = ackTime }
                    unacknowledged = 0
                }
                time += max(1_000, gap * Int64(segment.length) / Int64(mss))
            }
            index += count
            window = min(window * 2, TCPConversationBuilder.maximumCongestionWindow)
            if index < segments.count {
                roundStart = max(time, (firstAck ?? last + ackDelay) + resumeDelay)
            }
        }
        if fromClient { clientCongestionWindow = window } else { serverCongestionWindow = window }
        if unacknowledged > 0 {
            pendingAck = (!fromClient, last + ackDelay + TCPConversationBuilder.delayedAckTimeout)
        }
        now = last
        lastFromClient = fromClient
    }

    /// An orderly close: the closer's FIN, the peer's FIN, the closer's final ACK.
    mutating func close(clientFirst: Bool, think: Int64, separateAck: Bool = false) {
        var start = startTime(fromClient: clientFirst, think: think)
        settlePendingAck(before: &start, sender: clientFirst)
        fin(fromClient: clientFirst, time: start)
        // The peer answers once it sees the FIN.
        var answer = start + (clientFirst ? rtt : clientDelay)
        if separateAck {
            pureAck(fromClient: !clientFirst, time: answer)
            answer += clientFirst ? 200_000 : 1_000_000
        }
        fin(fromClient: !clientFirst, time: answer)
        let finalAck = answer + (clientFirst ? clientDelay : rtt)
        pureAck(fromClient: clientFirst, time: finalAck)
        now = finalAck
        lastFromClient = clientFirst
    }

    /// An abort: one RST-ACK from the given side.
    mutating func reset(fromClient: Bool, think: Int64) {
        let start = startTime(fromClient: fromClient, think: think)
        pendingAck = nil
        add(fromClient: fromClient, time: start, flags: TCPFlags.rst | TCPFlags.ack,
            sequence: fromClient ? clientNext : serverNext, acknowledgment: fromClient ? serverNext : clientNext,
            window: 0)
        now = start
        lastFromClient = fromClient
    }

    /// Flushes a pending delayed ACK and returns the finished script.
    mutating func finish() -> ConversationScript {
        if let pending = pendingAck {
            pureAck(fromClient: pending.fromClient, time: pending.deadline)
            pendingAck = nil
        }
        script.finish()
        return script
    }

    /// Roughly one round trip.
    var roundTripTime: Int64 { rtt }

    // MARK: - Internals

    private func startTime(fromClient: Bool, think: Int64) -> Int64 {
        if fromClient {
            return now + (lastFromClient ? 0 : clientDelay) + think
        }
        return now + (lastFromClient ? rtt : 0) + think
    }

    /// A data sender carries the ACK it owes; otherwise the owed ACK goes out when its timer fires.
    private mutating func settlePendingAck(before start: inout Int64, sender: Bool) {
        guard let pending = pendingAck else { return }
        pendingAck = nil
        if pending.fromClient == sender, start <= pending.deadline { return }
        pureAck(fromClient: pending.fromClient, time: min(pending.deadline, start))
        if start <= pending.deadline { start += 1_000 }
    }

    private mutating func fin(fromClient: Bool, time: Int64) {
        add(fromClient: fromClient, time: time, flags: TCPFlags.fin | TCPFlags.ack,
            sequence: fromClient ? clientNext : serverNext, acknowledgment: fromClient ? serverNext : clientNext,
            window: fromClient ? clientWindow : serverWindow)
        if fromClient { clientNext &+= 1 } else { serverNext &+= 1 }
    }

    private mutating func pureAck(fromClient: Bool, time: Int64) {
        add(fromClient: fromClient, time: time, flags: TCPFlags.ack,
            sequence: fromClient ? clientNext : serverNext, acknowledgment: fromClient ? serverNext : clientNext,
            window: fromClient ? clientWindow : serverWindow)
    }

    private mutating func add(fromClient: Bool, time: Int64, flags: UInt8, sequence: UInt32, acknowledgment: UInt32,
                              window: UInt16, synOptions: Bool = false, payload: SynthPayload = .empty) {
        script.append(ScriptPacket(time: time, order: 0, fromClient: fromClient, kind: .tcp, tcpFlags: flags,
                                   sequence: sequence, acknowledgment: acknowledgment, window: window,
                                   synOptions: synOptions, payload: payload))
    }

    private func slice(_ message: StreamMessage, offset: Int, length: Int) -> SynthPayload {
        let prefixEnd = min(message.prefix.count, offset + length)
        let literal = offset < prefixEnd ? Array(message.prefix[offset..<prefixEnd]) : []
        let fillerStart = max(0, offset - message.prefix.count)
        return SynthPayload(prefix: literal, fillerLength: length - literal.count, filler: message.filler,
                            fillerOffset: fillerStart + Int(truncatingIfNeeded: serverNext & 0xffff))
    }
}

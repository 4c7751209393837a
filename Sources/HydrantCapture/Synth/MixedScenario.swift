import HydrantRecords

/// The `mixed` synthetic capture: exactly `packets` Ethernet frames of realistic, interleaved traffic seen on
/// the uplink of a client network (10.10.0.0/16 and 2001:db8:a0a::/64) toward a few hundred servers.
///
/// Contents (by share of conversations started): HTTPS with a valid TLS 1.3 ClientHello carrying SNI, plain
/// HTTP/1.1 with real request and response heads, large downloads, DNS over UDP in RFC 1035 wire format (A and
/// AAAA answers, CNAMEs, NXDOMAIN for random names, EDNS), NTP, ICMP/ICMPv6 echo, SSH sessions, internal
/// services, SYNs to closed ports answered by RST-ACK, unanswered SYNs with retransmissions, UDP to closed ports
/// answered by ICMP port unreachable, one-way syslog and the occasional port scan. About a tenth of the traffic
/// is IPv6. TCP connections have a handshake, MSS-sized segments under slow start, delayed ACKs and a FIN or RST
/// teardown; frames from the servers are padded to Ethernet's 60-byte minimum, as a switch port delivers them.
///
/// Packet times start at `epoch` (2024-01-01T00:00:00Z) and strictly increase; conversations start as a Poisson
/// process (`conversationsPerSecond`), about 3,300 packets/s, so a 1,000,000-packet capture spans five minutes.
/// Every conversation in the file is complete: activities that would overrun the packet budget, or end long
/// after the budget is expected to run out, are not started, and the end is filled with short DNS lookups or
/// single syslog messages to reach the exact packet count. In a small capture no single activity takes more than
/// a twenty-fifth of the packets, so a few seconds of traffic still show the whole mix. The same `packets` and
/// `seed` always give byte-identical output, in debug and release builds alike.
///
/// ```swift
/// var writer = try PcapWriter(path: "mixed.pcap")
/// try MixedScenario(packets: 2_000, seed: 1).write(to: &writer)
/// try writer.close()
/// ```
public struct MixedScenario: Sendable {
    /// Time of the first packet: 2024-01-01T00:00:00Z.
    public static let epoch = Timestamp(seconds: 1_704_067_200, nanoseconds: 0)
    /// Mean rate at which new activities (a web visit, a lookup, a ping, …) start.
    public static let conversationsPerSecond = 130.0

    /// The exact number of packets the capture holds.
    public let packets: Int
    /// The seed of the pseudo-random choices.
    public let seed: UInt64

    /// A scenario of exactly `packets` packets (negative counts are treated as 0) chosen by `seed`.
    public init(packets: Int, seed: UInt64) {
        self.packets = max(0, packets)
        self.seed = seed
    }

    /// Counts of what `write(to:)` produced.
    public struct Summary: Sendable, Equatable {
        /// Frames written.
        public var packets = 0
        /// Captured bytes of all frames (record headers excluded).
        public var bytes = 0
        /// Conversations (socket pairs, or ICMP echo identifiers) that the frames belong to.
        public var conversations = 0
        /// Time of the first frame, if any.
        public var firstTime: Timestamp?
        /// Time of the last frame, if any.
        public var lastTime: Timestamp?
    }

    /// Writes the capture's frames to `writer`, and returns what was written.
    @discardableResult
    public func write(to writer: inout PcapWriter) throws(PcapWriterError) -> Summary {
        var g = SeededGenerator(seed: seed)
        let network = SynthNetwork(generator: &g)
        let factory = MixedConversationFactory(network: network)
        var emitter = FrameEmitter()
        var queue = EventQueue()
        var active: [ActiveConversation?] = []
        var freeSlots: [Int] = []
        var summary = Summary()

        let start = MixedScenario.epoch.nanoseconds
        let meanGap = 1.0e9 / MixedScenario.conversationsPerSecond
        var nextArrival = start
        var planned = 0
        // No single activity may take more than a twenty-fifth of a small capture, so that one download does
        // not crowd out the variety.
        let largestActivity = max(60, packets / 25)
        var lastTime = start - 1

        while summary.packets < packets {
            while planned < packets, queue.minimumTime.map({ nextArrival <= $0 }) ?? true {
                // When, at the rate packets have been committed so far, the budget will be used up: activities
                // must end by then (or be short), so the capture does not end in a long trickle of a few
                // sessions. The rate starts from a one-second prior of the long-run average.
                let elapsed = Double(nextArrival - start) / 1e9
                let committedRate = (Double(planned) + Self.packetsPerSecond) / (elapsed + 1)
                let horizon = nextArrival + Int64(Double(packets - planned) / committedRate * 1e9)
                let deadline = max(horizon, nextArrival + 1_500_000_000)
                var scripts: [ConversationScript] = []
                for _ in 0..<4 {
                    let profile = MixedTrafficProfile.allCases[g.weightedIndex(MixedTrafficProfile.weights)]
                    let candidate = factory.make(profile, at: nextArrival, &g)
                    let count = candidate.reduce(0) { $0 + $1.packets.count }
                    let end = candidate.reduce(nextArrival) { max($0, $1.endTime) }
                    if planned + count <= packets, count <= largestActivity, end <= deadline {
                        scripts = candidate
                        break
                    }
                }
                if scripts.isEmpty {
                    scripts = [factory.filler(packets: min(2, packets - planned), at: nextArrival, &g)]
                }
                for script in scripts where !script.packets.isEmpty {
                    let conversation = ActiveConversation(script: script, generator: &g)
                    let slot: Int
                    if let free = freeSlots.popLast() {
                        slot = free
                        active[slot] = conversation
                    } else {
                        slot = active.count
                        active.append(conversation)
                    }
                    queue.push(time: script.packets[0].time, slot: slot)
                    planned += script.packets.count
                    summary.conversations += 1
                }
                nextArrival += max(1_000, Int64(g.exponential(mean: meanGap)))
            }
            guard let event = queue.popMinimum(), var conversation = active[event.slot] else { break }
            let time = max(event.time, lastTime + 1)
            lastTime = time
            try emitter.emit(&conversation, at: Timestamp(nanoseconds: time), to: &writer)
            summary.packets += 1
            summary.bytes += emitter.lastFrameLength
            if summary.firstTime == nil { summary.firstTime = Timestamp(nanoseconds: time) }
            summary.lastTime = Timestamp(nanoseconds: time)
            if conversation.cursor < conversation.script.packets.count {
                queue.push(time: conversation.script.packets[conversation.cursor].time, slot: event.slot)
                active[event.slot] = conversation
            } else {
                active[event.slot] = nil
                freeSlots.append(event.slot)
            }
        }
        return summary
    }

    /// The long-run rate of packets committed by new activities (measured on large captures), the prior of the
    /// budget estimate.
    static let packetsPerSecond = 3_200.0
}

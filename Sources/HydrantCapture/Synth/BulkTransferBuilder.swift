/// Scripts a large one-way transfer over TCP as a capture on the sending host sees it with segmentation offload:
/// segments of up to 64,000 bytes (one IP packet each, IP length below 65,535), the receiver's stretch ACKs
/// every fourth segment, and a FIN handshake.
///
/// `TCPConversationBuilder` segments at the MSS, which makes a 100 MB transfer 70,000 frames; offloaded segments
/// make it 1,600, so with a short snap length a capture of it stays small while its IP-level byte counts (which
/// flows report) are those of the full transfer.
struct BulkTransferBuilder {
    /// The largest segment payload: an IPv4 total length of 64,000 + 40 stays below 65,535.
    static let segmentSize = 64_000

    /// A connection from the script's client that sends `bytes` (in `segmentSize` pieces, after `request` and
    /// the server's `reply` when given) at `bitsPerSecond`, then closes.
    static func upload(_ script: ConversationScript, bytes: Int, at start: Int64, rtt: Int64, bitsPerSecond: Int64,
                       request: [UInt8] = [], reply: [UInt8] = [], _ g: inout SeededGenerator) -> ConversationScript {
        var script = script
        var client = UInt32(truncatingIfNeeded: g.next())
        var server = UInt32(truncatingIfNeeded: g.next())
        var t = start
        func add(_ fromClient: Bool, _ time: Int64, _ flags: UInt8, _ payload: SynthPayload = .empty,
                 syn: Bool = false) {
            script.append(ScriptPacket(time: time, order: 0, fromClient: fromClient, kind: .tcp, tcpFlags: flags,
                                       sequence: fromClient ? client : server,
                                       acknowledgment: flags & TCPFlags.ack == 0 ? 0 : (fromClient ? server : client),
                                       window: fromClient ? 502 : 1_024, synOptions: syn, payload: payload))
        }
        add(true, t, TCPFlags.syn, syn: true)
        client &+= 1
        t += rtt
        add(false, t, TCPFlags.syn | TCPFlags.ack, syn: true)
        server &+= 1
        t += 60_000
        add(true, t, TCPFlags.ack)
        if !request.isEmpty {
            t += 40_000
            add(true, t, TCPFlags.psh | TCPFlags.ack, SynthPayload(prefix: request))
            client &+= UInt32(request.count)
        }
        if !reply.isEmpty {
            t += rtt
            add(false, t, TCPFlags.psh | TCPFlags.ack, SynthPayload(prefix: reply))
            server &+= UInt32(reply.count)
        }
        t += 100_000
        let gap = Int64(segmentSize) * 8 * 1_000_000_000 / max(bitsPerSecond, 1_000_000)
        var sent = 0
        var segments = 0
        while sent < bytes {
            let length = min(segmentSize, bytes - sent)
            add(true, t, TCPFlags.ack | (sent + length == bytes ? TCPFlags.psh : 0),
                SynthPayload(fillerLength: length, fillerOffset: sent))
            client &+= UInt32(length)
            sent += length
            segments += 1
            if segments % 4 == 0 || sent == bytes {
                // The ACK reaches the sender one round trip after the segment left it.
                let sequence = client
                script.append(ScriptPacket(time: t + rtt, order: 0, fromClient: false, kind: .tcp,
                                           tcpFlags: TCPFlags.ack, sequence: server, acknowledgment: sequence,
                                           window: 1_024))
            }
            t += gap
        }
        t += rtt + Int64(g.uniform(in: 1_000_000...50_000_000))
        add(true, t, TCPFlags.fin | TCPFlags.ack)
        client &+= 1
        t += rtt
        add(false, t, TCPFlags.fin | TCPFlags.ack)
        server &+= 1
        t += 60_000
        add(true, t, TCPFlags.ack)
        script.finish()
        return script
    }
}

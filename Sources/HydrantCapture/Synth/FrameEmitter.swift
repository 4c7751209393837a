import HydrantRecords

/// A conversation being written: its script, how far it got, and per-side IP header state.
struct ActiveConversation {
    /// The packets to write.
    var script: ConversationScript
    /// Index of the next packet to write.
    var cursor = 0
    /// Next IPv4 identification of each side.
    var clientIdentification: UInt16
    var serverIdentification: UInt16
    /// IPv6 flow label of each side.
    let clientFlowLabel: UInt32
    let serverFlowLabel: UInt32
    /// The client's last UDP datagram as an IP packet, for an ICMP error to quote.
    var lastClientDatagram: [UInt8] = []

    init(script: ConversationScript, generator g: inout SeededGenerator) {
        self.script = script
        clientIdentification = UInt16(truncatingIfNeeded: g.next())
        serverIdentification = UInt16(truncatingIfNeeded: g.next())
        clientFlowLabel = UInt32(truncatingIfNeeded: g.next()) & 0xfffff
        serverFlowLabel = UInt32(truncatingIfNeeded: g.next()) & 0xfffff
    }
}

/// Turns scripted packets into frames and writes them.
struct FrameEmitter {
    private var builder = PacketBuilder()
    /// Length of the frame written last.
    private(set) var lastFrameLength = 0

    private static let synOptionsIPv4: [UInt8] = [2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7]
    private static let synOptionsIPv6: [UInt8] = [2, 4, 0x05, 0xa0, 4, 2, 1, 3, 3, 7]

    /// Builds the conversation's next packet, writes it with `timestamp`, and advances the conversation.
    mutating func emit(_ conversation: inout ActiveConversation, at timestamp: Timestamp,
                       to writer: inout PcapWriter) throws(PcapWriterError) {
        let packet = conversation.script.packets[conversation.cursor]
        conversation.cursor += 1
        let script = conversation.script
        let identification: UInt16
        if packet.fromClient {
            identification = conversation.clientIdentification
            conversation.clientIdentification &+= 1
        } else {
            identification = conversation.serverIdentification
            conversation.serverIdentification &+= 1
        }
        let addressing = FrameAddressing(
            sourceMAC: packet.fromClient ? script.client.mac : SynthNetwork.gatewayMAC,
            destinationMAC: packet.fromClient ? SynthNetwork.gatewayMAC : script.client.mac,
            source: packet.fromClient ? script.clientAddress : script.serverAddress,
            destination: packet.fromClient ? script.serverAddress : script.clientAddress,
            hopLimit: packet.fromClient ? script.client.hopLimit : script.server.hopLimit,
            identification: identification,
            flowLabel: packet.fromClient ? conversation.clientFlowLabel : conversation.serverFlowLabel,
            padToMinimumFrame: !packet.fromClient)
        let clientPort = script.clientPort
        let serverPort = script.serverPort
        switch packet.kind {
        case .tcp:
            builder.tcp(addressing,
                        sourcePort: packet.fromClient ? clientPort : serverPort,
                        destinationPort: packet.fromClient ? serverPort : clientPort,
                        sequence: packet.sequence, acknowledgment: packet.acknowledgment, flags: packet.tcpFlags,
                        window: packet.window,
                        options: packet.synOptions ? (script.isIPv6 ? Self.synOptionsIPv6 : Self.synOptionsIPv4) : [],
                        payload: packet.payload)
        case .udp:
            builder.udp(addressing,
                        sourcePort: packet.fromClient ? clientPort : serverPort,
                        destinationPort: packet.fromClient ? serverPort : clientPort,
                        payload: packet.payload)
            if packet.fromClient, script.packets.contains(where: { $0.kind == .icmpPortUnreachable }) {
                conversation.lastClientDatagram = builder.ipPacket
            }
        case .icmpEchoRequest, .icmpEchoReply:
            builder.icmpEcho(addressing, reply: packet.kind == .icmpEchoReply, identifier: clientPort,
                             sequence: UInt16(truncatingIfNeeded: packet.sequence), payload: packet.payload)
        case .icmpPortUnreachable:
            builder.icmpPortUnreachable(addressing, quoting: conversation.lastClientDatagram)
        }
        lastFrameLength = builder.length
        var failure: PcapWriterError?
        builder.withFrame { frame in
            do throws(PcapWriterError) {
                try writer.write(frame, timestamp: timestamp)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

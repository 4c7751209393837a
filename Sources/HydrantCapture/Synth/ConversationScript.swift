import HydrantRecords

/// What one scripted packet is, beyond its direction.
enum ScriptPacketKind: UInt8 {
    case tcp
    case udp
    case icmpEchoRequest
    case icmpEchoReply
    /// An ICMP(v6) port unreachable from the server, quoting the client's last UDP datagram.
    case icmpPortUnreachable
}

/// One packet of a conversation, fully decided except for its bytes.
struct ScriptPacket {
    /// Capture time, nanoseconds since the Unix epoch.
    var time: Int64
    /// Insertion order, the tie-breaker when two packets share a time.
    var order: Int32
    /// Client to server (true) or server to client.
    var fromClient: Bool
    /// Transport and message kind.
    var kind: ScriptPacketKind
    /// TCP flags.
    var tcpFlags: UInt8 = 0
    /// TCP sequence number, or the ICMP echo sequence number.
    var sequence: UInt32 = 0
    /// TCP acknowledgment number.
    var acknowledgment: UInt32 = 0
    /// TCP window.
    var window: UInt16 = 0
    /// Whether to add the SYN options (MSS, SACK permitted, window scale).
    var synOptions = false
    /// Payload.
    var payload: SynthPayload = .empty
}

/// A conversation between one client socket and one server socket, as the list of its packets in time order.
struct ConversationScript {
    /// The client host.
    var client: SynthHost
    /// The server host.
    var server: SynthHost
    /// Client IP address (of the chosen family).
    var clientAddress: IPAddress
    /// Server IP address (same family).
    var serverAddress: IPAddress
    /// Client port (or ICMP echo identifier).
    var clientPort: UInt16
    /// Server port.
    var serverPort: UInt16
    /// The packets, sorted by `finish()`.
    var packets: [ScriptPacket] = []

    /// A conversation over IPv6 when `ipv6` is true and both hosts have an IPv6 address, else over IPv4.
    init(client: SynthHost, server: SynthHost, ipv6: Bool, clientPort: UInt16, serverPort: UInt16) {
        self.client = client
        self.server = server
        if ipv6, let c6 = client.ipv6, let s6 = server.ipv6 {
            clientAddress = c6
            serverAddress = s6
        } else {
            clientAddress = client.ipv4
            serverAddress = server.ipv4
        }
        self.clientPort = clientPort
        self.serverPort = serverPort
    }

    /// Whether the conversation runs over IPv6.
    var isIPv6: Bool { clientAddress.isIPv6 }

    /// Adds a packet; its `order` is set here.
    mutating func append(_ packet: ScriptPacket) {
        var packet = packet
        packet.order = Int32(truncatingIfNeeded: packets.count)
        packets.append(packet)
    }

    /// Sorts the packets by time (insertion order on ties).
    mutating func finish() {
        packets.sort { $0.time != $1.time ? $0.time < $1.time : $0.order < $1.order }
    }

    /// Time of the first packet.
    var startTime: Int64 { packets.first?.time ?? 0 }

    /// Time of the last packet (after `finish()`).
    var endTime: Int64 { packets.last?.time ?? 0 }
}

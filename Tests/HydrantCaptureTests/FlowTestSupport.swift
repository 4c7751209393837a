import HydrantRecords
@testable import HydrantCapture

/// Packet time for tests: seconds from an arbitrary base.
enum FlowTestClock {
    /// Seconds as packet-time nanoseconds from the base.
    static func at(_ seconds: Double) -> Timestamp {
        Timestamp(nanoseconds: 1_700_000_000_000_000_000 + Int64((seconds * 1_000_000_000).rounded()))
    }
}

/// One endpoint, `"10.0.0.1:1234"` or `"[2001:db8::1]:443"` or a bare address (ICMP, port-less protocols).
struct FlowTestEndpoint {
    var address: IPAddress
    var port: UInt16

    init(_ text: String) {
        if text.hasPrefix("[") {
            let close = text.firstIndex(of: "]")!
            address = IPAddress(String(text[text.index(after: text.startIndex)..<close]))!
            let rest = text[text.index(after: close)...]
            port = rest.hasPrefix(":") ? UInt16(rest.dropFirst())! : 0
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            address = IPAddress(String(text[..<colon]))!
            port = UInt16(text[text.index(after: colon)...])!
        } else {
            address = IPAddress(text)!
            port = 0
        }
    }
}

/// Packet builders for flow tests; suites adopt it to call them unqualified without global names that could
/// clash with other test files of the target.
protocol FlowTestSupport {}

extension FlowTestSupport {
    var fin: UInt8 { TCPFlags.fin }
    var syn: UInt8 { TCPFlags.syn }
    var rst: UInt8 { TCPFlags.rst }
    var psh: UInt8 { TCPFlags.psh }
    var ack: UInt8 { TCPFlags.ack }

    /// Seconds as packet time.
    func at(_ seconds: Double) -> Timestamp { FlowTestClock.at(seconds) }

    /// A TCP segment; `ipLength` is 40 header bytes plus the payload.
    func tcp(_ time: Double, _ from: String, _ to: String, _ flags: UInt8, seq: UInt32 = 0, len: Int = 0,
             vlan: UInt16? = nil, inner: UInt16? = nil) -> DecodedPacket {
        let s = FlowTestEndpoint(from)
        let d = FlowTestEndpoint(to)
        var p = DecodedPacket()
        p.timestamp = FlowTestClock.at(time)
        p.source = s.address
        p.destination = d.address
        p.sourcePort = s.port
        p.destinationPort = d.port
        p.ianaNumber = 6
        p.hasPorts = true
        p.tcpFlags = flags
        p.tcpSequence = seq
        p.payloadLength = len
        p.ipLength = (s.address.isIPv6 ? 60 : 40) + len
        p.vlanID = vlan
        p.innerVLANID = inner
        return p
    }

    /// A UDP datagram; `ipLength` is 28 header bytes plus the payload.
    func udp(_ time: Double, _ from: String, _ to: String, len: Int = 0, vlan: UInt16? = nil) -> DecodedPacket {
        let s = FlowTestEndpoint(from)
        let d = FlowTestEndpoint(to)
        var p = DecodedPacket()
        p.timestamp = FlowTestClock.at(time)
        p.source = s.address
        p.destination = d.address
        p.sourcePort = s.port
        p.destinationPort = d.port
        p.ianaNumber = 17
        p.hasPorts = true
        p.payloadLength = len
        p.ipLength = (s.address.isIPv6 ? 48 : 28) + len
        p.vlanID = vlan
        return p
    }

    /// An ICMP (IPv4) or ICMPv6 message.
    func icmp(_ time: Double, _ from: String, _ to: String, type: UInt16, code: UInt16 = 0, len: Int = 56) -> DecodedPacket {
        let s = FlowTestEndpoint(from)
        let d = FlowTestEndpoint(to)
        var p = DecodedPacket()
        p.timestamp = FlowTestClock.at(time)
        p.source = s.address
        p.destination = d.address
        p.sourcePort = type
        p.destinationPort = code
        p.ianaNumber = s.address.isIPv6 ? 58 : 1
        p.hasPorts = true
        p.payloadLength = len
        p.ipLength = (s.address.isIPv6 ? 48 : 28) + len
        return p
    }

    /// A packet of a port-less protocol.
    func ipOnly(_ time: Double, _ from: String, _ to: String, protocol number: UInt8, len: Int = 100) -> DecodedPacket {
        var p = DecodedPacket()
        p.timestamp = FlowTestClock.at(time)
        p.source = FlowTestEndpoint(from).address
        p.destination = FlowTestEndpoint(to).address
        p.ianaNumber = number
        p.hasPorts = false
        p.payloadLength = len
        p.ipLength = 20 + len
        return p
    }
}

extension FlowTable {
    /// Adds packets in order and returns what they emitted.
    @discardableResult
    func feed(_ packets: [DecodedPacket]) -> [FlowRecord] {
        var out: [FlowRecord] = []
        for p in packets { add(p, into: &out) }
        return out
    }

    /// Flushes and returns the records.
    func flushed() -> [FlowRecord] {
        var out: [FlowRecord] = []
        flush(into: &out)
        return out
    }

    /// Expires up to `seconds` and returns the records.
    func expired(at seconds: Double) -> [FlowRecord] {
        var out: [FlowRecord] = []
        expire(upTo: FlowTestClock.at(seconds), into: &out)
        return out
    }
}

extension FlowTestSupport {
    /// Runs packets through a fresh table and flushes it: every record, in emission order.
    func records(_ packets: [DecodedPacket], configuration: FlowTableConfiguration = FlowTableConfiguration()) -> [FlowRecord] {
        let table = FlowTable(configuration: configuration)
        return table.feed(packets) + table.flushed()
    }

    /// The single record a conversation produces (after a flush).
    func onlyRecord(_ packets: [DecodedPacket]) -> FlowRecord? {
        let all = records(packets)
        return all.count == 1 ? all[0] : nil
    }
}

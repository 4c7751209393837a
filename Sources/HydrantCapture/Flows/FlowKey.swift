import HydrantRecords

/// The direction-free identity of a flow: both endpoints in canonical order, the IP protocol and the VLAN ids.
///
/// Endpoint A is the smaller (address, port) pair, so both directions of a conversation build the same key. Ports are
/// the transport ports for TCP, UDP and SCTP; for ICMP and ICMPv6 they are Community ID's port equivalents
/// (type and counterpart type, or type and code), so that an echo request and its reply share a key; port-less
/// protocols use zero. The key is 42 bytes of plain integers, compared and hashed without allocation.
struct FlowKey: Equatable {
    /// Endpoint A's address, first 64 bits (zero for IPv4).
    var aHigh: UInt64
    /// Endpoint A's address, last 64 bits (the IPv4 address in its low 32 bits).
    var aLow: UInt64
    /// Endpoint B's address, first 64 bits.
    var bHigh: UInt64
    /// Endpoint B's address, last 64 bits.
    var bLow: UInt64
    /// A's port (bits 48–63), B's port (32–47), outer VLAN id (16–31), inner VLAN id (0–15).
    var portsAndVLANs: UInt64
    /// IP protocol (bits 0–7) and the flags below (bits 8–15).
    var protocolAndFlags: UInt16

    static let ipv6Flag: UInt16 = 0x100
    static let vlanFlag: UInt16 = 0x200
    static let innerVLANFlag: UInt16 = 0x400
    static let hasPortsFlag: UInt16 = 0x800

    /// The key of a packet, and whether the packet's source is endpoint A.
    @inline(__always)
    static func make(_ packet: DecodedPacket) -> (key: FlowKey, sourceIsA: Bool) {
        var sport: UInt16 = 0
        var dport: UInt16 = 0
        if packet.hasPorts {
            if packet.ianaNumber == 1 || packet.ianaNumber == 58 {
                let mapped = CommunityID.portEquivalents(ianaNumber: packet.ianaNumber,
                                                         type: packet.sourcePort, code: packet.destinationPort)
                sport = mapped.sourcePort
                dport = mapped.destinationPort
            } else {
                sport = packet.sourcePort
                dport = packet.destinationPort
            }
        }
        let s = packet.source
        let d = packet.destination
        let sourceIsA: Bool
        if s.high != d.high {
            sourceIsA = s.high < d.high
        } else if s.low != d.low {
            sourceIsA = s.low < d.low
        } else {
            sourceIsA = sport <= dport
        }
        var flags = UInt16(packet.ianaNumber)
        if s.isIPv6 { flags |= ipv6Flag }
        if packet.hasPorts { flags |= hasPortsFlag }
        var vlans: UInt64 = 0
        if let vlan = packet.vlanID {
            flags |= vlanFlag
            vlans |= UInt64(vlan) << 16
        }
        if let inner = packet.innerVLANID {
            flags |= innerVLANFlag
            vlans |= UInt64(inner)
        }
        let key: FlowKey
        if sourceIsA {
            key = FlowKey(aHigh: s.high, aLow: s.low, bHigh: d.high, bLow: d.low,
                          portsAndVLANs: UInt64(sport) << 48 | UInt64(dport) << 32 | vlans, protocolAndFlags: flags)
        } else {
            key = FlowKey(aHigh: d.high, aLow: d.low, bHigh: s.high, bLow: s.low,
                          portsAndVLANs: UInt64(dport) << 48 | UInt64(sport) << 32 | vlans, protocolAndFlags: flags)
        }
        return (key, sourceIsA)
    }

    /// The IP protocol number.
    var ianaNumber: UInt8 { UInt8(truncatingIfNeeded: protocolAndFlags) }
    /// Whether the addresses are IPv6.
    var isIPv6: Bool { protocolAndFlags & FlowKey.ipv6Flag != 0 }
    /// Whether the transport has ports (or ICMP type and code).
    var hasPorts: Bool { protocolAndFlags & FlowKey.hasPortsFlag != 0 }
    /// Whether the protocol is ICMP or ICMPv6 (with a type and code).
    var isICMP: Bool { hasPorts && (ianaNumber == 1 || ianaNumber == 58) }
    /// Endpoint A's address.
    var addressA: IPAddress { isIPv6 ? IPAddress(ipv6High: aHigh, low: aLow) : IPAddress(ipv4: UInt32(truncatingIfNeeded: aLow)) }
    /// Endpoint B's address.
    var addressB: IPAddress { isIPv6 ? IPAddress(ipv6High: bHigh, low: bLow) : IPAddress(ipv4: UInt32(truncatingIfNeeded: bLow)) }
    /// Endpoint A's port (or port equivalent).
    var portA: UInt16 { UInt16(truncatingIfNeeded: portsAndVLANs >> 48) }
    /// Endpoint B's port (or port equivalent).
    var portB: UInt16 { UInt16(truncatingIfNeeded: portsAndVLANs >> 32) }
    /// The outer VLAN id, when tagged.
    var vlanID: UInt16? { protocolAndFlags & FlowKey.vlanFlag != 0 ? UInt16(truncatingIfNeeded: portsAndVLANs >> 16) : nil }
    /// The inner VLAN id, when QinQ-tagged.
    var innerVLANID: UInt16? {
        protocolAndFlags & FlowKey.innerVLANFlag != 0 ? UInt16(truncatingIfNeeded: portsAndVLANs) : nil
    }

    /// A seeded 64-bit hash (multiply-fold mixing, as in wyhash), so that crafted tuples cannot aim at one bucket
    /// without knowing the table's random seed.
    @inline(__always)
    func hash(seed: UInt64) -> UInt64 {
        var h = FlowKey.fold(aHigh ^ seed ^ 0xa076_1d64_78bd_642f, aLow ^ 0xe703_7ed1_a0b4_28db)
        h = FlowKey.fold(h ^ bHigh ^ 0x8ebc_6af0_9c88_c6e3, bLow ^ seed ^ 0x5899_65cc_7537_4cc3)
        h = FlowKey.fold(h ^ portsAndVLANs ^ 0x1d8e_4e27_c47d_124f, UInt64(protocolAndFlags) ^ seed ^ 0xa076_1d64_78bd_642f)
        return FlowKey.fold(h, 0xe703_7ed1_a0b4_28db)
    }

    @inline(__always)
    private static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }
}

import HydrantCapture
import HydrantRecords

/// Builds frames byte by byte for decoder tests; checksums are left zero because the decoder never checks them.
enum FrameFixture {
    static let sourceV4: [UInt8] = [192, 0, 2, 1]
    static let destinationV4: [UInt8] = [198, 51, 100, 7]
    static let sourceV6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    static let destinationV6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0b]

    static func be16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    // MARK: Link layers

    /// Ethernet II; each entry of `tags` is (TPID, VLAN id).
    static func ethernet(_ etherType: UInt16, tags: [(UInt16, UInt16)] = [], _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02]
        for (tpid, id) in tags {
            out += be16(Int(tpid))
            out += be16(Int(0x2000 | id)) // priority 1, to check it is masked off
        }
        out += be16(Int(etherType))
        return out + payload
    }

    static func bsdLoopback(family: UInt32, littleEndian: Bool, _ payload: [UInt8]) -> [UInt8] {
        let big = be32(family)
        return (littleEndian ? big.reversed() : big) + payload
    }

    static func linuxSLL(_ proto: UInt16, _ payload: [UInt8]) -> [UInt8] {
        // packet type 0 (to us), ARPHRD_ETHER, address length 6, address padded to 8, protocol.
        [0, 0, 0, 1, 0, 6, 0x02, 0, 0, 0, 0, 0x01, 0, 0] + be16(Int(proto)) + payload
    }

    static func linuxSLL2(_ proto: UInt16, _ payload: [UInt8]) -> [UInt8] {
        // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address padded to 8.
        be16(Int(proto)) + [0, 0] + be32(3) + [0, 1, 0, 6] + [0x02, 0, 0, 0, 0, 0x01, 0, 0] + payload
    }

    // MARK: IP

    static func ipv4(proto: UInt8, _ payload: [UInt8], options: [UInt8] = [], identification: UInt16 = 0x1234,
                     flagsAndOffset: UInt16 = 0x4000, totalLength: Int? = nil,
                     source: [UInt8] = sourceV4, destination: [UInt8] = destinationV4) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let headerLength = 20 + options.count
        var out: [UInt8] = [0x40 | UInt8(headerLength / 4), 0]
        out += be16(totalLength ?? headerLength + payload.count)
        out += be16(Int(identification))
        out += be16(Int(flagsAndOffset))
        out += [64, proto, 0, 0]
        out += source + destination + options
        return out + payload
    }

    static func ipv6(nextHeader: UInt8, _ payload: [UInt8], payloadLength: Int? = nil,
                     source: [UInt8] = sourceV6, destination: [UInt8] = destinationV6) -> [UInt8] {
        var out: [UInt8] = [0x60, 0, 0, 0]
        out += be16(payloadLength ?? payload.count)
        out += [nextHeader, 64]
        out += source + destination
        return out + payload
    }

    /// A hop-by-hop, routing or destination options header of `units` 8-byte units after the first.
    static func extensionHeader(next: UInt8, units: UInt8 = 0) -> [UInt8] {
        [next, units] + [UInt8](repeating: 0x01, count: Int(units) * 8 + 6)
    }

    /// An authentication header whose length field is `units` (length is `(units + 2) * 4`).
    static func authenticationHeader(next: UInt8, units: UInt8 = 4) -> [UInt8] {
        [next, units] + [UInt8](repeating: 0xAA, count: (Int(units) + 2) * 4 - 2)
    }

    static func fragmentHeader(next: UInt8, offset: Int, more: Bool, identification: UInt32) -> [UInt8] {
        [next, 0] + be16(offset | (more ? 1 : 0)) + be32(identification)
    }

    // MARK: Transports

    static func tcp(sourcePort: Int = 49152, destinationPort: Int = 443, sequence: UInt32 = 0x0102_0304,
                    acknowledgment: UInt32 = 0x0A0B_0C0D, flags: UInt8 = 0x18, options: [UInt8] = [],
                    dataOffset: Int? = nil, _ payload: [UInt8] = []) -> [UInt8] {
        precondition(options.count % 4 == 0)
        let offset = dataOffset ?? (20 + options.count) / 4
        var out = be16(sourcePort) + be16(destinationPort) + be32(sequence) + be32(acknowledgment)
        out += [UInt8(offset << 4), flags]
        out += be16(65535) + [0, 0, 0, 0]
        return out + options + payload
    }

    static func udp(sourcePort: Int = 53000, destinationPort: Int = 53, length: Int? = nil, _ payload: [UInt8] = []) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be16(length ?? 8 + payload.count) + [0, 0] + payload
    }

    static func icmp(type: UInt8 = 8, code: UInt8 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        [type, code, 0, 0, 0x12, 0x34, 0, 1] + payload
    }

    static func sctp(sourcePort: Int = 2905, destinationPort: Int = 2906, _ payload: [UInt8] = []) -> [UInt8] {
        be16(sourcePort) + be16(destinationPort) + be32(0xDEAD_BEEF) + [0, 0, 0, 0] + payload
    }

    /// `count` bytes of a recognisable pattern.
    static func pattern(_ count: Int, seed: UInt8 = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    }
}

/// What one decode call produced, with the payload copied out while the frame was still alive.
struct Decoded {
    var result: DecodeResult
    var packet: DecodedPacket
    var payload: [UInt8]
}

extension PacketDecoder {
    /// Decodes `frame` from a Swift array, copying the payload out while the bytes are still alive.
    ///
    /// The frame is copied into an allocation of exactly its size first, so that a read past the end leaves the
    /// allocation instead of landing in an array's spare capacity.
    mutating func decode(_ frame: [UInt8], _ linkType: LinkType = .ethernet,
                         at time: Timestamp = Timestamp(nanoseconds: 1_000_000_000), wireLength: Int? = nil) -> Decoded {
        let exact = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 1)
        defer { exact.deallocate() }
        exact.copyBytes(from: frame)
        var packet = DecodedPacket()
        let result = decode(UnsafeRawBufferPointer(exact), linkType: linkType, timestamp: time, wireLength: wireLength,
                            into: &packet)
        let payload = result == .packet ? [UInt8](packet.payload) : []
        packet.payload = UnsafeRawBufferPointer(start: nil, count: 0)
        return Decoded(result: result, packet: packet, payload: payload)
    }
}

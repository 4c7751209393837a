import HydrantRecords

/// Ethernet and IP addressing of one synthetic frame.
public struct FrameAddressing: Sendable {
    /// Source MAC address in the low 48 bits.
    public var sourceMAC: UInt64
    /// Destination MAC address in the low 48 bits.
    public var destinationMAC: UInt64
    /// IP source; its family (IPv4 or IPv6) selects the IP header and ICMP or ICMPv6.
    public var source: IPAddress
    /// IP destination, of the same family as `source`.
    public var destination: IPAddress
    /// IPv4 TTL or IPv6 hop limit.
    public var hopLimit: UInt8
    /// IPv4 identification field (ignored for IPv6).
    public var identification: UInt16
    /// IPv6 flow label, 20 bits (ignored for IPv4).
    public var flowLabel: UInt32
    /// Pad frames shorter than 60 bytes with zeros, as a switch port delivers them (the IP length is unchanged).
    public var padToMinimumFrame: Bool

    /// Addressing for one frame.
    public init(sourceMAC: UInt64, destinationMAC: UInt64, source: IPAddress, destination: IPAddress,
                hopLimit: UInt8 = 64, identification: UInt16 = 0, flowLabel: UInt32 = 0,
                padToMinimumFrame: Bool = false) {
        self.sourceMAC = sourceMAC
        self.destinationMAC = destinationMAC
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.identification = identification
        self.flowLabel = flowLabel
        self.padToMinimumFrame = padToMinimumFrame
    }
}

/// Builds Ethernet frames carrying IPv4 or IPv6 with TCP, UDP, ICMP or ICMPv6, with correct lengths and
/// correct IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums.
///
/// The builder owns one scratch buffer that every call overwrites; read the result with `frame` or
/// `withFrame` before the next call. Nothing is allocated per frame.
public struct PacketBuilder {
    /// The largest frame the builder makes: Ethernet header plus a 65,535-byte IPv6 payload and its header.
    public static let maximumFrameLength = 14 + 40 + 65_535

    private var scratch: [UInt8]
    /// Length of the current frame in bytes (padding included).
    public private(set) var length = 0
    /// Length of the current IP packet (header and payload, without Ethernet header or padding).
    public private(set) var ipLength = 0

    /// Creates a builder with an empty frame.
    public init() {
        scratch = [UInt8](repeating: 0, count: PacketBuilder.maximumFrameLength + 64)
    }

    /// A copy of the current frame.
    public var frame: [UInt8] { Array(scratch[0..<length]) }

    /// A copy of the current IP packet (no Ethernet header, no padding), e.g. to quote in an ICMP error.
    public var ipPacket: [UInt8] { Array(scratch[14..<(14 + ipLength)]) }

    /// Calls `body` with the current frame's bytes, without copying them.
    public func withFrame<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Builds a TCP segment. `options` (padded with NOPs to a multiple of 4) go after the fixed header.
    public mutating func tcp(_ addressing: FrameAddressing, sourcePort: UInt16, destinationPort: UInt16,
                             sequence: UInt32, acknowledgment: UInt32, flags: UInt8, window: UInt16,
                             options: [UInt8] = [], payload: SynthPayload = .empty) {
        let optionLength = (options.count + 3) & ~3
        let headerLength = 20 + optionLength
        build(addressing, protocolNumber: 6, transportHeaderLength: headerLength, payload: payload,
              checksumOffset: 16) { t in
            store16(t, 0, sourcePort)
            store16(t, 2, destinationPort)
            store32(t, 4, sequence)
            store32(t, 8, acknowledgment)
            t[12] = UInt8(headerLength / 4) << 4
            t[13] = flags
            store16(t, 14, window)
            store16(t, 16, 0)
            store16(t, 18, 0)
            for i in 0..<optionLength { t[20 + i] = i < options.count ? options[i] : 1 }
        }
    }

    /// Builds a UDP datagram.
    public mutating func udp(_ addressing: FrameAddressing, sourcePort: UInt16, destinationPort: UInt16,
                             payload: SynthPayload) {
        let udpLength = UInt16(truncatingIfNeeded: 8 + payload.count)
        build(addressing, protocolNumber: 17, transportHeaderLength: 8, payload: payload, checksumOffset: 6) { t in
            store16(t, 0, sourcePort)
            store16(t, 2, destinationPort)
            store16(t, 4, udpLength)
            store16(t, 6, 0)
        }
    }

    /// Builds an ICMP (IPv4) or ICMPv6 (IPv6) echo request or reply.
    public mutating func icmpEcho(_ addressing: FrameAddressing, reply: Bool, identifier: UInt16, sequence: UInt16,
                                  payload: SynthPayload) {
        let v6 = addressing.source.isIPv6
        let type: UInt8 = v6 ? (reply ? 129 : 128) : (reply ? 0 : 8)
        icmp(addressing, type: type, code: 0, rest: UInt32(identifier) << 16 | UInt32(sequence), payload: payload)
    }

    /// Builds an ICMP "port unreachable" (type 3 code 3) or ICMPv6 "port unreachable" (type 1 code 4) that
    /// quotes `original`, the offending IP packet (as much as the minimum MTU allows).
    public mutating func icmpPortUnreachable(_ addressing: FrameAddressing, quoting original: [UInt8]) {
        let v6 = addressing.source.isIPv6
        let quoted = Array(original.prefix(v6 ? 1280 - 48 : 576 - 28))
        icmp(addressing, type: v6 ? 1 : 3, code: v6 ? 4 : 3, rest: 0, payload: SynthPayload(prefix: quoted))
    }

    /// Builds any ICMP or ICMPv6 message: type, code, the 4-byte "rest of header", then the payload.
    public mutating func icmp(_ addressing: FrameAddressing, type: UInt8, code: UInt8, rest: UInt32,
                              payload: SynthPayload) {
        let protocolNumber: UInt8 = addressing.source.isIPv6 ? 58 : 1
        build(addressing, protocolNumber: protocolNumber, transportHeaderLength: 8, payload: payload,
              checksumOffset: 2) { t in
            t[0] = type
            t[1] = code
            store16(t, 2, 0)
            store32(t, 4, rest)
        }
    }

    private mutating func build(_ a: FrameAddressing, protocolNumber: UInt8, transportHeaderLength: Int,
                                payload: SynthPayload, checksumOffset: Int,
                                transportHeader: (UnsafeMutableRawBufferPointer) -> Void) {
        let v6 = a.source.isIPv6
        let ipHeaderLength = v6 ? 40 : 20
        let transportLength = min(transportHeaderLength + payload.count, 65_535 - (v6 ? 0 : ipHeaderLength))
        let payloadLength = transportLength - transportHeaderLength
        let ipTotal = ipHeaderLength + transportLength
        var frameLength = 14 + ipTotal
        if a.padToMinimumFrame, frameLength < 60 { frameLength = 60 }

        scratch.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            // Ethernet II
            store48(buffer, 0, a.destinationMAC)
            store48(buffer, 6, a.sourceMAC)
            store16(buffer, 12, v6 ? 0x86dd : 0x0800)
            let ip = UnsafeMutableRawBufferPointer(rebasing: buffer[14..<(14 + ipTotal)])
            if v6 {
                store32(ip, 0, 6 << 28 | (a.flowLabel & 0xfffff))
                store16(ip, 4, UInt16(transportLength))
                ip[6] = protocolNumber
                ip[7] = a.hopLimit
                store64(ip, 8, a.source.high)
                store64(ip, 16, a.source.low)
                store64(ip, 24, a.destination.high)
                store64(ip, 32, a.destination.low)
            } else {
                ip[0] = 0x45
                ip[1] = 0
                store16(ip, 2, UInt16(ipTotal))
                store16(ip, 4, a.identification)
                store16(ip, 6, protocolNumber == 6 ? 0x4000 : 0)  // DF on TCP
                ip[8] = a.hopLimit
                ip[9] = protocolNumber
                store16(ip, 10, 0)
                store32(ip, 12, UInt32(truncatingIfNeeded: a.source.low))
                store32(ip, 16, UInt32(truncatingIfNeeded: a.destination.low))
                var headerSum = InternetChecksum()
                headerSum.add(UnsafeRawBufferPointer(rebasing: ip[0..<20]))
                store16(ip, 10, headerSum.value)
            }
            let transport = UnsafeMutableRawBufferPointer(rebasing: ip[ipHeaderLength..<ipTotal])
            transportHeader(transport)
            if payloadLength > 0 {
                var clipped = payload
                if clipped.count > payloadLength {
                    clipped.prefix = Array(clipped.prefix.prefix(payloadLength))
                    clipped.fillerLength = payloadLength - clipped.prefix.count
                }
                clipped.copy(to: base + 14 + ipHeaderLength + transportHeaderLength)
            }
            // Transport checksum, over the pseudo-header except for ICMPv4.
            var sum = InternetChecksum()
            if v6 {
                sum.add(UnsafeRawBufferPointer(rebasing: ip[8..<40]))
                sum.add(UInt16(truncatingIfNeeded: transportLength >> 16))
                sum.add(UInt16(truncatingIfNeeded: transportLength))
                sum.add(UInt16(protocolNumber))
            } else if protocolNumber != 1 {
                sum.add(UnsafeRawBufferPointer(rebasing: ip[12..<20]))
                sum.add(UInt16(transportLength))
                sum.add(UInt16(protocolNumber))
            }
            sum.add(UnsafeRawBufferPointer(transport))
            var checksum = sum.value
            if protocolNumber == 17, checksum == 0 { checksum = 0xffff }  // UDP: 0 means "no checksum"
            store16(transport, checksumOffset, checksum)
            if frameLength > 14 + ipTotal {
                (base + 14 + ipTotal).initializeMemory(as: UInt8.self, repeating: 0, count: frameLength - 14 - ipTotal)
            }
        }
        length = frameLength
        ipLength = ipTotal
    }
}

@inline(__always)
private func store16(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt16) {
    buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
}

@inline(__always)
private func store32(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt32) {
    buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
}

@inline(__always)
private func store64(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt64) {
    buffer.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
}

@inline(__always)
private func store48(_ buffer: UnsafeMutableRawBufferPointer, _ offset: Int, _ value: UInt64) {
    store16(buffer, offset, UInt16(truncatingIfNeeded: value >> 32))
    store32(buffer, offset + 2, UInt32(truncatingIfNeeded: value))
}

/// Where the network layer starts in a frame, and the VLAN tags found on the way.
struct LinkHeader {
    /// Which IP version follows the link header.
    enum Network {
        case ipv4
        case ipv6
    }

    /// The network protocol that follows.
    var network: Network = .ipv4
    /// Offset of the IP header in the frame.
    var offset: Int = 0
    /// Outer VLAN id.
    var vlanID: UInt16?
    /// Second VLAN id (QinQ).
    var innerVLANID: UInt16?
}

/// What the link layer decoder made of a frame.
enum LinkOutcome {
    /// An IP packet follows; see the `LinkHeader`.
    case ip
    /// Not IP, or an undecoded link type.
    case notIP
    /// Malformed or truncated.
    case error(DecodeError)
}

/// Link-layer decoding for every `LinkType`, down to the start of the IP header.
enum LinkLayer {
    /// EtherType values that matter here.
    enum EtherType {
        static let ipv4: UInt16 = 0x0800
        static let ipv6: UInt16 = 0x86DD
        static let vlan: UInt16 = 0x8100
        static let providerBridging: UInt16 = 0x88A8
        /// The pre-standard QinQ TPID some switches still emit.
        static let legacyQinQ: UInt16 = 0x9100
    }

    /// More stacked tags than this is treated as malformed; real networks use one or two, and the bound keeps a
    /// frame of nothing but tags from being walked tag by tag.
    static let maximumVLANTags = 4

    /// Decodes the link header of `reader` as `linkType`, filling `header` when an IP packet follows.
    @inline(__always)
    static func decode(_ reader: ByteReader, linkType: LinkType, into header: inout LinkHeader) -> LinkOutcome {
        switch linkType {
        case .ethernet:
            guard let etherType = reader.u16(12) else { return .error(.truncatedLink) }
            return dispatch(etherType: etherType, at: 14, in: reader, into: &header)
        case .bsdLoopback:
            // The family is in the capturing host's byte order, which the file does not record: try both.
            guard let little = reader.u32LittleEndian(0), let big = reader.u32(0) else { return .error(.truncatedLink) }
            return family(little, orElse: big, at: 4, into: &header)
        case .openBSDLoopback:
            guard let big = reader.u32(0) else { return .error(.truncatedLink) }
            return family(big, orElse: big, at: 4, into: &header)
        case .rawIP:
            guard let first = reader.u8(0) else { return .error(.truncatedLink) }
            return version(first >> 4, at: 0, into: &header)
        case .linuxSLL:
            guard let proto = reader.u16(14) else { return .error(.truncatedLink) }
            return dispatch(etherType: proto, at: 16, in: reader, into: &header)
        case .linuxSLL2:
            guard reader.contains(0, 20), let proto = reader.u16(0) else { return .error(.truncatedLink) }
            return dispatch(etherType: proto, at: 20, in: reader, into: &header)
        case .ppp:
            return ppp(reader, into: &header)
        case .unsupported:
            return .notIP
        }
    }

    /// Follows VLAN tags from an EtherType at `offset - 2` to the IP header.
    @inline(__always)
    static func dispatch(etherType first: UInt16, at start: Int, in reader: ByteReader,
                         into header: inout LinkHeader) -> LinkOutcome {
        var etherType = first
        var offset = start
        var tags = 0
        while etherType == EtherType.vlan || etherType == EtherType.providerBridging || etherType == EtherType.legacyQinQ {
            guard tags < maximumVLANTags else { return .error(.truncatedVLAN) }
            guard let tci = reader.u16(offset), let next = reader.u16(offset + 2) else { return .error(.truncatedVLAN) }
            if tags == 0 {
                header.vlanID = tci & 0x0FFF
            } else if tags == 1 {
                header.innerVLANID = tci & 0x0FFF
            }
            tags += 1
            etherType = next
            offset += 4
        }
        switch etherType {
        case EtherType.ipv4:
            header.network = .ipv4
        case EtherType.ipv6:
            header.network = .ipv6
        default:
            return .notIP
        }
        header.offset = offset
        return .ip
    }

    /// Maps a loopback address family to IPv4 or IPv6. IPv6's value differs by BSD flavour: 24 (NetBSD, OpenBSD),
    /// 28 (FreeBSD), 30 (macOS).
    @inline(__always)
    static func family(_ value: UInt32, orElse other: UInt32, at offset: Int, into header: inout LinkHeader) -> LinkOutcome {
        if value == 2 || other == 2 {
            header.network = .ipv4
        } else if isIPv6Family(value) || isIPv6Family(other) {
            header.network = .ipv6
        } else {
            return .notIP
        }
        header.offset = offset
        return .ip
    }

    @inline(__always)
    static func isIPv6Family(_ value: UInt32) -> Bool {
        value == 24 || value == 28 || value == 30
    }

    /// Chooses IPv4 or IPv6 from an IP version nibble, for link types that carry no protocol field.
    @inline(__always)
    static func version(_ nibble: UInt8, at offset: Int, into header: inout LinkHeader) -> LinkOutcome {
        switch nibble {
        case 4: header.network = .ipv4
        case 6: header.network = .ipv6
        default: return .notIP
        }
        header.offset = offset
        return .ip
    }

    /// PPP in HDLC-like framing (RFC 1662): the 0xFF 0x03 address and control bytes may be omitted, and the
    /// protocol field may be compressed to one byte (odd first byte, RFC 1661 section 6.5).
    @inline(__always)
    static func ppp(_ reader: ByteReader, into header: inout LinkHeader) -> LinkOutcome {
        guard let first = reader.u8(0) else { return .error(.truncatedLink) }
        var offset = 0
        if first == 0xFF {
            guard let control = reader.u8(1) else { return .error(.truncatedLink) }
            guard control == 0x03 else { return .notIP }
            offset = 2
        }
        guard let high = reader.u8(offset) else { return .error(.truncatedLink) }
        let proto: UInt16
        if high & 1 == 1 {
            proto = UInt16(high)
            offset += 1
        } else {
            guard let full = reader.u16(offset) else { return .error(.truncatedLink) }
            proto = full
            offset += 2
        }
        switch proto {
        case 0x0021: header.network = .ipv4
        case 0x0057: header.network = .ipv6
        default: return .notIP
        }
        header.offset = offset
        return .ip
    }
}

/// What the decoder does with one template field, worked out once when the template arrives so that decoding a
/// record is a switch over small integers.
enum FieldRole: UInt8, Sendable {
    case ignore
    case octets, packets, reverseOctets, reversePackets, initiatorOctets, responderOctets, initiatorPackets, responderPackets
    case protocolNumber, tos, tcpFlags, sourcePort, destinationPort
    case sourceIPv4, destinationIPv4, sourceIPv6, destinationIPv6
    case inputInterface, outputInterface, nextHopIPv4, nextHopIPv6, bgpNextHopIPv4, bgpNextHopIPv6, sourceAS, destinationAS
    case firstUptime, lastUptime, startSeconds, endSeconds, startMilliseconds, endMilliseconds
    case startMicroseconds, endMicroseconds, startNanoseconds, endNanoseconds, startDeltaMicroseconds, endDeltaMicroseconds
    case durationMilliseconds, durationMicroseconds, systemInitMilliseconds
    case icmpTypeCode, icmpType, icmpCode, vlan, innerVLAN, direction
    case samplingInterval, samplerRandomInterval, samplingPacketInterval, samplingPacketSpace
    /// An enterprise-specific element without a mapping, kept by number (when configured).
    case enterprise

    /// The role of information element `id` of enterprise `enterprise` (0 for IANA; 29305 marks RFC 5103 reverse
    /// elements).
    static func of(id: UInt16, enterprise: UInt32) -> FieldRole {
        if enterprise == 29305 {
            switch id {
            case 1, 85: return .reverseOctets
            case 2, 86: return .reversePackets
            default: return .ignore
            }
        }
        guard enterprise == 0 else { return .ignore }
        switch id {
        case 1, 85: return .octets
        case 2, 86: return .packets
        case 4: return .protocolNumber
        case 5: return .tos
        case 6: return .tcpFlags
        case 7: return .sourcePort
        case 8: return .sourceIPv4
        case 10: return .inputInterface
        case 11: return .destinationPort
        case 12: return .destinationIPv4
        case 14: return .outputInterface
        case 15: return .nextHopIPv4
        case 16: return .sourceAS
        case 17: return .destinationAS
        case 18: return .bgpNextHopIPv4
        case 21: return .lastUptime
        case 22: return .firstUptime
        case 27: return .sourceIPv6
        case 28: return .destinationIPv6
        case 32, 139: return .icmpTypeCode
        case 34: return .samplingInterval
        case 50: return .samplerRandomInterval
        case 58, 243: return .vlan
        case 245: return .innerVLAN
        case 61: return .direction
        case 62: return .nextHopIPv6
        case 63: return .bgpNextHopIPv6
        case 150: return .startSeconds
        case 151: return .endSeconds
        case 152: return .startMilliseconds
        case 153: return .endMilliseconds
        case 154: return .startMicroseconds
        case 155: return .endMicroseconds
        case 156: return .startNanoseconds
        case 157: return .endNanoseconds
        case 158: return .startDeltaMicroseconds
        case 159: return .endDeltaMicroseconds
        case 160: return .systemInitMilliseconds
        case 161: return .durationMilliseconds
        case 162: return .durationMicroseconds
        case 176, 178: return .icmpType
        case 177, 179: return .icmpCode
        case 231: return .initiatorOctets
        case 232: return .responderOctets
        case 298: return .initiatorPackets
        case 299: return .responderPackets
        case 305: return .samplingPacketInterval
        case 306: return .samplingPacketSpace
        default: return .ignore
        }
    }
}

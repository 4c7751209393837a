import Crypto
import HydrantRecords

/// Community ID v1 flow hashing (corelight/community-id-spec).
///
/// The hash is SHA-1 over, in network byte order: the seed (2 bytes), the smaller endpoint's address, the other
/// address, the IP protocol (1 byte), one zero byte, and — for protocols with ports — the two ports in the same
/// endpoint order. The result is `1:` followed by the base64 (or lower-case hex) of the 20-byte digest.
///
/// ICMP and ICMPv6 map type and code to port equivalents the way Zeek does (``portEquivalents(ianaNumber:type:code:)``):
/// a request and its reply (echo, timestamp, neighbour solicitation, …) get the same ID; other messages are one-way
/// and keep their direction.
public struct CommunityID: Sendable {
    /// The seed mixed into the hash (default 0).
    public let seed: UInt16

    /// Creates a hasher with a seed.
    public init(seed: UInt16 = 0) { self.seed = seed }

    /// The `1:`-prefixed Community ID of a flow, base64 (default) or hex.
    /// For ICMP/ICMPv6, `sourcePort` is the type and `destinationPort` the code.
    public func string(source: IPAddress, destination: IPAddress, ianaNumber: UInt8,
                       sourcePort: UInt16, destinationPort: UInt16, hasPorts: Bool, base64: Bool = true) -> String {
        var digest = digestBytes(source: source, destination: destination, ianaNumber: ianaNumber,
                                 sourcePort: sourcePort, destinationPort: destinationPort, hasPorts: hasPorts)
        return withUnsafeBytes(of: &digest) { bytes in
            base64 ? CommunityID.renderBase64(bytes) : CommunityID.renderHex(bytes)
        }
    }

    /// The 20-byte SHA-1 digest behind ``string(source:destination:ianaNumber:sourcePort:destinationPort:hasPorts:base64:)``.
    public func digest(source: IPAddress, destination: IPAddress, ianaNumber: UInt8,
                       sourcePort: UInt16, destinationPort: UInt16, hasPorts: Bool) -> [UInt8] {
        var digest = digestBytes(source: source, destination: destination, ianaNumber: ianaNumber,
                                 sourcePort: sourcePort, destinationPort: destinationPort, hasPorts: hasPorts)
        return withUnsafeBytes(of: &digest) { Array($0) }
    }

    /// The port equivalents of an ICMP (`ianaNumber` 1) or ICMPv6 (58) message, as Zeek and the Community ID spec
    /// define them: a message with a counterpart (echo request ↔ reply, …) maps to (type, counterpart type) and is
    /// two-way; any other message maps to (type, code) and is one-way. Other protocols return the input unchanged
    /// as two-way.
    public static func portEquivalents(ianaNumber: UInt8, type: UInt16, code: UInt16)
        -> (sourcePort: UInt16, destinationPort: UInt16, isOneWay: Bool) {
        let counterpart: UInt16?
        switch ianaNumber {
        case 1: counterpart = icmpCounterpart(type)
        case 58: counterpart = icmp6Counterpart(type)
        default: return (type, code, false)
        }
        if let counterpart { return (type, counterpart, false) }
        return (type, code, true)
    }

    /// ICMPv4 request/reply pairs (RFC 792, RFC 950, RFC 1256): echo, router, timestamp, information, address mask.
    @inline(__always)
    static func icmpCounterpart(_ type: UInt16) -> UInt16? {
        switch type {
        case 8: return 0
        case 0: return 8
        case 10: return 9
        case 9: return 10
        case 13: return 14
        case 14: return 13
        case 15: return 16
        case 16: return 15
        case 17: return 18
        case 18: return 17
        default: return nil
        }
    }

    /// ICMPv6 request/reply pairs: echo, MLD query/report, router and neighbour discovery, who-are-you, home agent
    /// address discovery.
    @inline(__always)
    static func icmp6Counterpart(_ type: UInt16) -> UInt16? {
        switch type {
        case 128: return 129
        case 129: return 128
        case 130: return 131
        case 131: return 130
        case 133: return 134
        case 134: return 133
        case 135: return 136
        case 136: return 135
        case 139: return 140
        case 140: return 139
        case 144: return 145
        case 145: return 144
        default: return nil
        }
    }

    private typealias Digest20 = (UInt64, UInt64, UInt32)

    private func digestBytes(source: IPAddress, destination: IPAddress, ianaNumber: UInt8,
                             sourcePort: UInt16, destinationPort: UInt16, hasPorts: Bool) -> Digest20 {
        var sport = sourcePort
        var dport = destinationPort
        var oneWay = false
        if hasPorts, ianaNumber == 1 || ianaNumber == 58 {
            (sport, dport, oneWay) = CommunityID.portEquivalents(ianaNumber: ianaNumber, type: sport, code: dport)
        }
        let ordered = oneWay || source < destination || (source == destination && hasPorts && sport < dport)
        let (first, second) = ordered ? (source, destination) : (destination, source)
        let (firstPort, secondPort) = ordered ? (sport, dport) : (dport, sport)

        // At most 2 + 16 + 16 + 1 + 1 + 2 + 2 = 40 bytes.
        var input: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var digest: Digest20 = (0, 0, 0)
        withUnsafeMutableBytes(of: &input) { buffer in
            var n = 0
            func put(_ byte: UInt8) {
                buffer[n] = byte
                n += 1
            }
            func put16(_ value: UInt16) {
                put(UInt8(truncatingIfNeeded: value >> 8))
                put(UInt8(truncatingIfNeeded: value))
            }
            func put(_ address: IPAddress) {
                if address.isIPv6 {
                    for shift in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.high >> UInt64(shift))) }
                    for shift in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.low >> UInt64(shift))) }
                } else {
                    for shift in stride(from: 24, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: address.low >> UInt64(shift))) }
                }
            }
            put16(seed)
            put(first)
            put(second)
            put(ianaNumber)
            put(0)
            if hasPorts {
                put16(firstPort)
                put16(secondPort)
            }
            var hasher = Insecure.SHA1()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            let hash = hasher.finalize()
            withUnsafeMutableBytes(of: &digest) { out in
                hash.withUnsafeBytes { out.copyMemory(from: $0) }
            }
        }
        return digest
    }

    private static func renderBase64(_ bytes: UnsafeRawBufferPointer) -> String {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let length = 2 + (bytes.count + 2) / 3 * 4
        return String(unsafeUninitializedCapacity: length) { out in
            alphabet.withUTF8Buffer { table in
                out[0] = UInt8(ascii: "1")
                out[1] = UInt8(ascii: ":")
                var o = 2
                var i = 0
                while i < bytes.count {
                    let b0 = UInt32(bytes[i])
                    let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
                    let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
                    let triple = b0 << 16 | b1 << 8 | b2
                    out[o] = table[Int(triple >> 18 & 0x3f)]
                    out[o + 1] = table[Int(triple >> 12 & 0x3f)]
                    out[o + 2] = i + 1 < bytes.count ? table[Int(triple >> 6 & 0x3f)] : UInt8(ascii: "=")
                    out[o + 3] = i + 2 < bytes.count ? table[Int(triple & 0x3f)] : UInt8(ascii: "=")
                    o += 4
                    i += 3
                }
            }
            return length
        }
    }

    private static func renderHex(_ bytes: UnsafeRawBufferPointer) -> String {
        let digits: StaticString = "0123456789abcdef"
        let length = 2 + bytes.count * 2
        return String(unsafeUninitializedCapacity: length) { out in
            digits.withUTF8Buffer { table in
                out[0] = UInt8(ascii: "1")
                out[1] = UInt8(ascii: ":")
                for (i, byte) in bytes.enumerated() {
                    out[2 + 2 * i] = table[Int(byte >> 4)]
                    out[3 + 2 * i] = table[Int(byte & 0xf)]
                }
            }
            return length
        }
    }
}

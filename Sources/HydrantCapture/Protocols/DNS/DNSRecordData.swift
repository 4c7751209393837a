import HydrantRecords

/// The data of an answer record, decoded for the types threat rules look at; any other type keeps only its type
/// number and rdata length.
public enum DNSRecordData: Equatable, Sendable {
    /// An IPv4 address (type A).
    case a(IPAddress)
    /// An IPv6 address (type AAAA).
    case aaaa(IPAddress)
    /// The canonical name (type CNAME), decompressed.
    case cname(String)
    /// An authoritative name server (type NS).
    case ns(String)
    /// The name an address maps back to (type PTR).
    case ptr(String)
    /// A mail exchange and its preference (type MX).
    case mx(preference: UInt16, exchange: String)
    /// The character strings of a TXT record, raw bytes, in order (one record may hold several).
    case txt([[UInt8]])
    /// A zone's start of authority (type SOA).
    case soa(mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)
    /// A service location (type SRV, RFC 2782).
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    /// Any other type: its number and the length of its rdata.
    case other(type: UInt16, length: Int)

    /// The record type these data belong to.
    public var type: UInt16 {
        switch self {
        case .a: return 1
        case .aaaa: return 28
        case .cname: return 5
        case .ns: return 2
        case .ptr: return 12
        case .mx: return 15
        case .txt: return 16
        case .soa: return 6
        case .srv: return 33
        case .other(let type, _): return type
        }
    }

    /// The strings of a TXT record as text (bytes that are not UTF-8 become U+FFFD); nil for other types.
    public var textStrings: [String]? {
        guard case .txt(let strings) = self else { return nil }
        return strings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The data in presentation form, as `dig` prints it: addresses, names, `preference exchange` for MX,
    /// `mname rname serial refresh retry expire minimum` for SOA, `priority weight port target` for SRV, each TXT
    /// string quoted (`"a" "b"`, with `\"`, `\\` and `\DDD` escapes), and `\# <length>` (RFC 3597 without the
    /// bytes, which are not kept) for other types.
    public var presentation: String {
        switch self {
        case .a(let address), .aaaa(let address):
            return address.description
        case .cname(let name), .ns(let name), .ptr(let name):
            return name
        case .mx(let preference, let exchange):
            return "\(preference) \(exchange)"
        case .txt(let strings):
            var out: [UInt8] = []
            for string in strings {
                if !out.isEmpty { out.append(UInt8(ascii: " ")) }
                out.append(UInt8(ascii: "\""))
                for byte in string {
                    switch byte {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                        out.append(UInt8(ascii: "\\"))
                        out.append(byte)
                    case 0x20...0x7e:
                        out.append(byte)
                    default:
                        DNSName.appendDecimalEscape(byte, to: &out)
                    }
                }
                out.append(UInt8(ascii: "\""))
            }
            return String(decoding: out, as: UTF8.self)
        case .soa(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            return "\(mname) \(rname) \(serial) \(refresh) \(retry) \(expire) \(minimum)"
        case .srv(let priority, let weight, let port, let target):
            return "\(priority) \(weight) \(port) \(target)"
        case .other(_, let length):
            return "\\# \(length)"
        }
    }

    /// Decodes the `length` bytes of rdata at `start` of `message` for a record of `type`. Names may point
    /// anywhere earlier in the message but must end inside the rdata, and the decoded fields must use all of it.
    static func decode(type: UInt16, message: UnsafeRawBufferPointer, start: Int, length: Int,
                       scratch: DNSParseScratch) throws(DNSParseError) -> DNSRecordData {
        let end = start + length
        let mismatch = DNSParseError.rdataLengthMismatch(type: type, offset: start, declared: length)
        func name(at offset: Int) throws(DNSParseError) -> (String, Int) {
            var textLength = 0
            let after = try DNSName.read(message, at: offset, part: .rdata, into: scratch.name, length: &textLength)
            guard after <= end else { throw mismatch }
            return (scratch.nameString(length: textLength), after)
        }
        func onlyName() throws(DNSParseError) -> String {
            let (text, after) = try name(at: start)
            guard after == end else { throw mismatch }
            return text
        }
        switch type {
        case 1:
            guard length == 4 else { throw mismatch }
            return .a(IPAddress(ipv4: message.dnsUInt32(at: start)))
        case 28:
            guard length == 16 else { throw mismatch }
            let high = UInt64(message.dnsUInt32(at: start)) << 32 | UInt64(message.dnsUInt32(at: start + 4))
            let low = UInt64(message.dnsUInt32(at: start + 8)) << 32 | UInt64(message.dnsUInt32(at: start + 12))
            return .aaaa(IPAddress(ipv6High: high, low: low))
        case 5: return .cname(try onlyName())
        case 2: return .ns(try onlyName())
        case 12: return .ptr(try onlyName())
        case 15:
            guard length >= 3 else { throw mismatch }
            let (exchange, after) = try name(at: start + 2)
            guard after == end else { throw mismatch }
            return .mx(preference: message.dnsUInt16(at: start), exchange: exchange)
        case 16:
            var strings: [[UInt8]] = []
            var position = start
            while position < end {
                let stringLength = Int(message[position])
                guard position + 1 + stringLength <= end else { throw mismatch }
                strings.append(Array(message[(position + 1)..<(position + 1 + stringLength)]))
                position += 1 + stringLength
            }
            return .txt(strings)
        case 6:
            let (mname, afterM) = try name(at: start)
            let (rname, afterR) = try name(at: afterM)
            guard afterR + 20 == end else { throw mismatch }
            return .soa(mname: mname, rname: rname, serial: message.dnsUInt32(at: afterR), refresh: message.dnsUInt32(at: afterR + 4),
                        retry: message.dnsUInt32(at: afterR + 8), expire: message.dnsUInt32(at: afterR + 12),
                        minimum: message.dnsUInt32(at: afterR + 16))
        case 33:
            guard length >= 7 else { throw mismatch }
            let (target, after) = try name(at: start + 6)
            guard after == end else { throw mismatch }
            return .srv(priority: message.dnsUInt16(at: start), weight: message.dnsUInt16(at: start + 2),
                        port: message.dnsUInt16(at: start + 4), target: target)
        default:
            return .other(type: type, length: length)
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The big-endian 16-bit value at `offset`; the caller has checked the bounds.
    @inline(__always) func dnsUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    /// The big-endian 32-bit value at `offset`; the caller has checked the bounds.
    @inline(__always) func dnsUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }
}

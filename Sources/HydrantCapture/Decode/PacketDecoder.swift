import HydrantRecords

/// Decodes captured frames (link, IPv4/IPv6 with fragment reassembly, transport) without copying them.
///
/// One decoder serves one stream of frames in packet-time order; it is plain synchronous code and allocates
/// nothing for unfragmented packets. Fragments are held in a bounded table (see `PacketDecoderConfiguration`)
/// and a datagram is decoded when its last missing fragment arrives.
public struct PacketDecoder {
    /// The decoder's counters so far.
    public private(set) var statistics = DecodeStatistics()
    /// The fragment bounds in force, after clamping to their meaningful ranges.
    public let configuration: PacketDecoderConfiguration

    private var fragments: FragmentTable
    /// Shared only between copies of a decoder until one of them reassembles (copy on write).
    private var reassemblyBuffer: ReassemblyBuffer

    /// Creates a decoder with default fragment-table bounds.
    public init() {
        self.init(configuration: PacketDecoderConfiguration())
    }

    /// Creates a decoder with the given fragment-table bounds.
    public init(configuration: PacketDecoderConfiguration) {
        let clamped = configuration.clamped
        self.configuration = clamped
        fragments = FragmentTable(configuration: clamped)
        reassemblyBuffer = ReassemblyBuffer(capacity: clamped.maximumDatagramLength)
    }

    /// Datagrams waiting for more fragments.
    public var fragmentsInFlight: Int { fragments.pending.count }

    /// Decodes one frame captured on `linkType` at `timestamp` into `packet`.
    ///
    /// `wireLength` is the frame's length on the wire, when known: a frame captured whole (not cut by the snapshot
    /// length) whose IP header states more bytes than it carries is refused as `ipLengthExceedsFrame`.
    /// On `.packet` every field of `packet` is set; `packet.payload` points into `frame` (or into the decoder's
    /// reassembly buffer) and is valid until the next call. On other results `packet` holds no meaning.
    public mutating func decode(_ frame: UnsafeRawBufferPointer, linkType: LinkType, timestamp: Timestamp,
                                wireLength: Int? = nil, into packet: inout DecodedPacket) -> DecodeResult {
        if timestamp.nanoseconds >= fragments.nextDeadline {
            let expired = fragments.expire(upTo: timestamp.nanoseconds)
            if expired > 0 { statistics.errors[.fragmentTimeout, default: 0] += expired }
        }

        let reader = ByteReader(frame)
        var link = LinkHeader()
        switch LinkLayer.decode(reader, linkType: linkType, into: &link) {
        case .ip:
            break
        case .notIP:
            statistics.notIP += 1
            return .notIP
        case .error(let error):
            return fail(error)
        }

        var ip = IPHeader()
        let networkError: DecodeError?
        switch link.network {
        case .ipv4: networkError = IPv4.decode(reader, at: link.offset, into: &ip)
        case .ipv6: networkError = IPv6.decode(reader, at: link.offset, into: &ip)
        }
        if let networkError { return fail(networkError) }
        if let wireLength, frame.count >= wireLength, link.offset + ip.ipLength > frame.count {
            return fail(.ipLengthExceedsFrame)
        }

        packet.timestamp = timestamp
        packet.vlanID = link.vlanID
        packet.innerVLANID = link.innerVLANID
        packet.source = ip.source
        packet.destination = ip.destination
        packet.ipLength = ip.ipLength

        if ip.isFragment {
            return reassemble(reader, ip: ip, link: link, timestamp: timestamp, into: &packet)
        }
        // The IP decoders guarantee this range; the check only keeps a future mistake from reading out of bounds.
        guard let transport = reader.slice(ip.transportOffset, ip.transportEnd) else {
            return fail(link.network == .ipv4 ? .truncatedIPv4 : .truncatedIPv6)
        }
        return finish(transport, protocol: ip.transportProtocol, statedLength: ip.transportLength, into: &packet)
    }

    /// Hands a fragment to the table; decodes the datagram from the reassembly buffer when it completes.
    private mutating func reassemble(_ reader: ByteReader, ip: IPHeader, link: LinkHeader, timestamp: Timestamp,
                                     into packet: inout DecodedPacket) -> DecodeResult {
        guard ip.transportEnd - ip.transportOffset == ip.transportLength,
              let data = reader.slice(ip.transportOffset, ip.transportEnd)
        else { return fail(.truncatedFragment) }
        let isIPv6 = link.network == .ipv6
        let key = FragmentKey(source: ip.source, destination: ip.destination, identification: ip.identification,
                              transportProtocol: isIPv6 ? 0 : ip.transportProtocol,
                              vlanID: link.vlanID, innerVLANID: link.innerVLANID)
        let fragment = Fragment(offset: ip.fragmentOffset, moreFragments: ip.moreFragments, data: data.bytes,
                                headerLength: ip.headerLength, transportProtocol: ip.transportProtocol)
        if !isKnownUniquelyReferenced(&reassemblyBuffer) {
            reassemblyBuffer = ReassemblyBuffer(capacity: configuration.maximumDatagramLength)
        }
        let output = reassemblyBuffer.bytes
        var overlapped = false
        let outcome = fragments.insert(fragment, key: key, now: timestamp.nanoseconds, output: output,
                                       overlapped: &overlapped)
        if overlapped { statistics.fragmentOverlaps += 1 }

        switch outcome {
        case .held:
            return .fragmentHeld
        case .error(let error):
            return fail(error)
        case .complete(let datagram):
            statistics.reassembled += 1
            let payload = ByteReader(UnsafeRawBufferPointer(rebasing: output[0..<datagram.length]))
            packet.ipLength = datagram.headerLength + datagram.length
            var transportProtocol = datagram.transportProtocol
            var transportOffset = 0
            if isIPv6 {
                // Extension headers after the fragment header belong to the fragmentable part.
                var chain = IPv6.Chain(nextHeader: transportProtocol, offset: 0)
                if let error = IPv6.walk(payload, statedEnd: payload.count, chain: &chain, allowFragment: false) {
                    return fail(error)
                }
                transportProtocol = chain.nextHeader
                transportOffset = chain.offset
            }
            guard let transport = payload.slice(transportOffset, payload.count) else { return fail(.badFragment) }
            return finish(transport, protocol: transportProtocol, statedLength: transport.count, into: &packet)
        }
    }

    /// Decodes the transport and counts the outcome.
    @inline(__always)
    private mutating func finish(_ transport: ByteReader, protocol number: UInt8, statedLength: Int,
                                 into packet: inout DecodedPacket) -> DecodeResult {
        if let error = Transport.decode(transport, protocol: number, statedLength: statedLength, into: &packet) {
            return fail(error)
        }
        if !packet.hasPorts { statistics.otherTransport += 1 }
        statistics.packets += 1
        return .packet
    }

    /// Counts an error; the dictionary is touched only here, off the fast path.
    private mutating func fail(_ error: DecodeError) -> DecodeResult {
        statistics.errors[error, default: 0] += 1
        return .error(error)
    }
}

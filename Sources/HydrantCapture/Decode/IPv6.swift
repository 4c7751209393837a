import HydrantRecords

/// IPv6 header and extension header decoding (RFC 8200, RFC 4302 for AH).
enum IPv6 {
    /// The fixed header.
    static let headerLength = 40
    /// A longer chain is treated as malformed: real traffic carries two or three, and the bound caps the work a
    /// crafted packet can cause.
    static let maximumExtensionHeaders = 8

    /// Extension header numbers the walk steps over.
    enum NextHeader {
        static let hopByHop: UInt8 = 0
        static let routing: UInt8 = 43
        static let fragment: UInt8 = 44
        static let authentication: UInt8 = 51
        static let destinationOptions: UInt8 = 60
    }

    /// Position in an extension header chain.
    struct Chain {
        /// The Next Header value at `offset`.
        var nextHeader: UInt8
        /// Offset of the header that `nextHeader` names.
        var offset: Int
        /// Whether the walk stopped at a fragment header that starts or continues a fragmented datagram.
        var isFragment = false
        /// Offset of that fragment header.
        var fragmentHeaderOffset = 0
        /// Its fragment offset in bytes.
        var fragmentOffset = 0
        /// Its M flag.
        var moreFragments = false
        /// Its identification.
        var identification: UInt32 = 0
    }

    /// Decodes the IPv6 header at `start` and its extension headers, filling `header`; nil on success.
    @inline(__always)
    static func decode(_ reader: ByteReader, at start: Int, into header: inout IPHeader) -> DecodeError? {
        guard reader.contains(start, headerLength),
              let first = reader.u8(start),
              let payloadLength = reader.u16(start + 4),
              let nextHeader = reader.u8(start + 6),
              let sourceHigh = reader.u64(start + 8),
              let sourceLow = reader.u64(start + 16),
              let destinationHigh = reader.u64(start + 24),
              let destinationLow = reader.u64(start + 32)
        else { return .truncatedIPv6 }
        guard first >> 4 == 6 else { return .badIPv6Header }
        let ipLength = headerLength + Int(payloadLength)
        let statedEnd = start + ipLength
        // Link padding past the stated end is not part of the packet.
        let captured = reader.count > statedEnd ? reader.slice(0, statedEnd) ?? reader : reader

        var chain = Chain(nextHeader: nextHeader, offset: start + headerLength)
        if let error = walk(captured, statedEnd: statedEnd, chain: &chain, allowFragment: true) { return error }

        header.source = IPAddress(ipv6High: sourceHigh, low: sourceLow)
        header.destination = IPAddress(ipv6High: destinationHigh, low: destinationLow)
        header.ipLength = ipLength
        header.transportProtocol = chain.nextHeader
        header.transportOffset = chain.offset
        header.transportEnd = captured.count
        header.transportLength = statedEnd - chain.offset
        header.isFragment = chain.isFragment
        // The unfragmentable part ends where the fragment header starts; that header is not part of the datagram.
        header.headerLength = (chain.isFragment ? chain.fragmentHeaderOffset : chain.offset) - start
        header.fragmentOffset = chain.fragmentOffset
        header.moreFragments = chain.moreFragments
        header.identification = chain.identification
        return nil
    }

    /// Steps over extension headers from `chain` until a transport (or a fragment header of a real fragment);
    /// nil on success. Every header must lie within the captured bytes and the stated length.
    ///
    /// `allowFragment` is false inside a reassembled datagram, where another fragment header is malformed.
    static func walk(_ reader: ByteReader, statedEnd: Int, chain: inout Chain, allowFragment: Bool) -> DecodeError? {
        var seen = 0
        while true {
            let length: Int
            switch chain.nextHeader {
            case NextHeader.hopByHop, NextHeader.routing, NextHeader.destinationOptions:
                guard let units = reader.u8(chain.offset + 1) else { return .badIPv6ExtensionHeader }
                length = (Int(units) + 1) * 8
            case NextHeader.authentication:
                guard let units = reader.u8(chain.offset + 1) else { return .badIPv6ExtensionHeader }
                length = (Int(units) + 2) * 4
            case NextHeader.fragment:
                guard allowFragment else { return .badFragment }
                length = 8
            default:
                // A transport, No Next Header (59), ESP (50) or an unknown number: all end the walk.
                return nil
            }
            seen += 1
            guard seen <= maximumExtensionHeaders,
                  chain.offset + length <= statedEnd,
                  reader.contains(chain.offset, length),
                  let next = reader.u8(chain.offset)
            else { return .badIPv6ExtensionHeader }

            if chain.nextHeader == NextHeader.fragment {
                guard let offsetAndFlags = reader.u16(chain.offset + 2),
                      let identification = reader.u32(chain.offset + 4)
                else { return .badIPv6ExtensionHeader }
                let fragmentOffset = Int(offsetAndFlags >> 3) * 8
                let more = offsetAndFlags & 1 != 0
                // An atomic fragment (offset 0, no more) is a whole datagram (RFC 6946): keep walking.
                if fragmentOffset != 0 || more {
                    chain.isFragment = true
                    chain.fragmentHeaderOffset = chain.offset
                    chain.fragmentOffset = fragmentOffset
                    chain.moreFragments = more
                    chain.identification = identification
                    chain.nextHeader = next
                    chain.offset += length
                    return nil
                }
            }
            chain.nextHeader = next
            chain.offset += length
        }
    }
}

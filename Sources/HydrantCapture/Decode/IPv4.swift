import HydrantRecords

/// IPv4 header decoding (RFC 791).
enum IPv4 {
    /// The fixed part of the header; options follow up to IHL * 4 bytes.
    static let minimumHeaderLength = 20

    /// Decodes the IPv4 header at `start`, filling `header`; nil on success.
    ///
    /// A frame shorter than the total length was cut by the capture's snapshot length: what is there is decoded and
    /// `ipLength` keeps the header's value. Bytes past the total length are link padding (Ethernet pads to 60 bytes)
    /// and are ignored. A zero total length (segmentation offload) takes the captured length instead.
    @inline(__always)
    static func decode(_ reader: ByteReader, at start: Int, into header: inout IPHeader) -> DecodeError? {
        guard reader.contains(start, minimumHeaderLength),
              let versionAndIHL = reader.u8(start),
              let totalLength = reader.u16(start + 2),
              let flagsAndOffset = reader.u16(start + 6),
              let identification = reader.u16(start + 4),
              let proto = reader.u8(start + 9),
              let source = reader.u32(start + 12),
              let destination = reader.u32(start + 16)
        else { return .truncatedIPv4 }
        guard versionAndIHL >> 4 == 4 else { return .badIPv4Header }
        let headerLength = Int(versionAndIHL & 0x0F) * 4
        guard headerLength >= minimumHeaderLength else { return .badIPv4Header }
        guard reader.contains(start, headerLength) else { return .truncatedIPv4 }
        // A total length of 0 is what TCP segmentation offload leaves in packets captured on the sending host
        // (the NIC fills it in later); the captured bytes then stand for the datagram, as Wireshark and Zeek do.
        let offloaded = totalLength == 0 && flagsAndOffset & 0x3FFF == 0
        let ipLength = offloaded ? reader.count - start : Int(totalLength)
        guard ipLength >= headerLength else { return .badIPv4Length }

        header.source = IPAddress(ipv4: source)
        header.destination = IPAddress(ipv4: destination)
        header.ipLength = ipLength
        header.transportProtocol = proto
        header.headerLength = headerLength
        header.transportOffset = start + headerLength
        header.transportEnd = min(reader.count, start + ipLength)
        header.transportLength = ipLength - headerLength
        let fragmentOffset = Int(flagsAndOffset & 0x1FFF) * 8
        let moreFragments = flagsAndOffset & 0x2000 != 0
        header.isFragment = moreFragments || fragmentOffset != 0
        header.fragmentOffset = fragmentOffset
        header.moreFragments = moreFragments
        header.identification = UInt32(identification)
        return nil
    }
}

/// Builds DNS messages that `DNSMessageBuilder` does not: a response with TXT answers (RFC 1035 §3.3.14), as
/// C2 polling and SPF/DMARC lookups receive them.
enum DNSTextResponseBuilder {
    /// Record type TXT.
    static let typeTXT: UInt16 = 16
    /// Record type MX.
    static let typeMX: UInt16 = 15

    /// The response to a TXT query for `name`: one TXT record per string (each cut to 255 bytes), no EDNS.
    static func response(id: UInt16, name: String, texts: [String], ttl: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96)
        for value in [id, 0x8180, 1, UInt16(texts.count), 0, 0] as [UInt16] { append16(&out, value) }
        DNSMessageBuilder.encodeName(name, to: &out)
        append16(&out, typeTXT)
        append16(&out, 1)
        for text in texts {
            let bytes = Array(text.utf8.prefix(255))
            append16(&out, 0xc00c)  // the question name
            append16(&out, typeTXT)
            append16(&out, 1)
            append32(&out, ttl)
            append16(&out, UInt16(bytes.count + 1))
            out.append(UInt8(bytes.count))
            out.append(contentsOf: bytes)
        }
        return out
    }
}

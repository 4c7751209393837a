import HydrantRecords

/// Builds DNS messages in RFC 1035 wire format: a query with one question, and its answer with optional CNAME,
/// A or AAAA records using name compression, and an optional EDNS(0) OPT record (RFC 6891).
enum DNSMessageBuilder {
    /// Record type A.
    static let typeA: UInt16 = 1
    /// Record type CNAME.
    static let typeCNAME: UInt16 = 5
    /// Record type AAAA.
    static let typeAAAA: UInt16 = 28
    /// Response code NXDOMAIN.
    static let nameError: UInt8 = 3

    /// A recursive query for `name` of `type`.
    static func query(id: UInt16, name: String, type: UInt16, edns: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        header(&out, id: id, flags: 0x0100, questions: 1, answers: 0, additional: edns ? 1 : 0)
        question(&out, name: name, type: type)
        if edns { optRecord(&out) }
        return out
    }

    /// The response to `query(id:name:type:edns:)`: a CNAME to `canonicalName` when given, then one record per
    /// address (those whose family matches `type`), or no answers with `responseCode` (e.g. NXDOMAIN).
    static func response(id: UInt16, name: String, type: UInt16, canonicalName: String?, addresses: [IPAddress],
                         ttl: UInt32, responseCode: UInt8 = 0, edns: Bool) -> [UInt8] {
        let matching = responseCode == 0
            ? addresses.filter { $0.isIPv6 == (type == typeAAAA) }
            : []
        let cname = responseCode == 0 ? canonicalName : nil
        var out: [UInt8] = []
        out.reserveCapacity(160)
        header(&out, id: id, flags: 0x8180 | UInt16(responseCode & 0x0f), questions: 1,
               answers: UInt16(matching.count + (cname == nil ? 0 : 1)), additional: edns ? 1 : 0)
        question(&out, name: name, type: type)
        var ownerPointer: UInt16 = 0xc00c  // the question name, right after the 12-byte header
        if let cname {
            append16(&out, 0xc00c)
            append16(&out, typeCNAME)
            append16(&out, 1)
            append32(&out, ttl)
            let lengthAt = out.count
            append16(&out, 0)
            ownerPointer = 0xc000 | UInt16(out.count)
            encodeName(cname, to: &out)
            let rdLength = out.count - lengthAt - 2
            out[lengthAt] = UInt8(rdLength >> 8)
            out[lengthAt + 1] = UInt8(truncatingIfNeeded: rdLength)
        }
        for address in matching {
            append16(&out, ownerPointer)
            append16(&out, address.isIPv6 ? typeAAAA : typeA)
            append16(&out, 1)
            append32(&out, ttl)
            append16(&out, address.isIPv6 ? 16 : 4)
            address.appendBytes(to: &out)
        }
        if edns { optRecord(&out) }
        return out
    }

    /// Appends `name` as a sequence of length-prefixed labels ending in the root label. Labels longer than 63
    /// bytes are cut to 63 (the synthetic names never are).
    static func encodeName(_ name: String, to out: inout [UInt8]) {
        for label in name.split(separator: ".", omittingEmptySubsequences: true) {
            let bytes = Array(label.utf8.prefix(63))
            out.append(UInt8(bytes.count))
            out.append(contentsOf: bytes)
        }
        out.append(0)
    }

    private static func header(_ out: inout [UInt8], id: UInt16, flags: UInt16, questions: UInt16,
                               answers: UInt16, additional: UInt16) {
        append16(&out, id)
        append16(&out, flags)
        append16(&out, questions)
        append16(&out, answers)
        append16(&out, 0)
        append16(&out, additional)
    }

    private static func question(_ out: inout [UInt8], name: String, type: UInt16) {
        encodeName(name, to: &out)
        append16(&out, type)
        append16(&out, 1)  // class IN
    }

    /// EDNS(0): root owner, type OPT (41), UDP payload size 1232, no extended flags, no options.
    private static func optRecord(_ out: inout [UInt8]) {
        out.append(0)
        append16(&out, 41)
        append16(&out, 1232)
        append32(&out, 0)
        append16(&out, 0)
    }
}

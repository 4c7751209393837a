/// A DNS message (RFC 1035 section 4) decoded from its wire form: the header, every question and every answer
/// record. Authority and additional records are walked over (so a message that ends early there is noticed) and
/// counted, not kept.
public struct DNSMessage: Equatable, Sendable {
    /// Transaction id.
    public var id: UInt16
    /// The raw second header word: QR, opcode, AA, TC, RD, RA, Z, AD, CD and the response code.
    public var flags: UInt16
    /// Questions, in order.
    public var questions: [DNSQuestion]
    /// Answer records, in order.
    public var answers: [DNSResourceRecord]
    /// Authority records the header announces (NSCOUNT).
    public var authorityCount: Int
    /// Additional records the header announces (ARCOUNT), the EDNS OPT record included.
    public var additionalCount: Int
    /// Why walking the authority and additional sections stopped early, when it did. The questions and answers
    /// are complete either way, as a resolver that ignores those sections would see them.
    public var trailingSectionError: DNSParseError?

    /// Whether this is a response (QR).
    public var isResponse: Bool { flags & 0x8000 != 0 }
    /// The operation (0 = QUERY; see `DNSNames.opcodeName`).
    public var opcode: UInt8 { UInt8(truncatingIfNeeded: flags >> 11) & 0x0f }
    /// Authoritative answer (AA).
    public var isAuthoritative: Bool { flags & 0x0400 != 0 }
    /// Truncated by the sender (TC).
    public var isTruncated: Bool { flags & 0x0200 != 0 }
    /// Recursion desired (RD).
    public var recursionDesired: Bool { flags & 0x0100 != 0 }
    /// Recursion available (RA).
    public var recursionAvailable: Bool { flags & 0x0080 != 0 }
    /// Authentic data (AD, RFC 4035).
    public var authenticData: Bool { flags & 0x0020 != 0 }
    /// Checking disabled (CD, RFC 4035).
    public var checkingDisabled: Bool { flags & 0x0010 != 0 }
    /// The four-bit response code of the header (EDNS extended bits are not applied).
    public var responseCode: UInt16 { flags & 0x000f }
    /// The response code's mnemonic (`NOERROR`, `NXDOMAIN`, …).
    public var responseCodeName: String { DNSNames.responseCodeName(responseCode) }

    /// The set header flags in the order of `dns.header_flags`: `AA`, `TC`, `RD`, `RA`, `AD`, `CD`.
    public var headerFlagNames: [String] {
        // Every record carries this list: one shared array per combination of the six flags, not one per message.
        DNSMessage.flagNameLists[DNSMessage.flagIndex(flags)]
    }

    /// AA, TC, RD and RA (header bits 10 to 7) above AD and CD (bits 5 and 4; Z, bit 6, left out): 0 to 63.
    @inline(__always)
    private static func flagIndex(_ flags: UInt16) -> Int {
        Int((flags >> 7) & 0x0F) << 2 | Int((flags >> 4) & 0x03)
    }

    /// The flag names of every combination of the six flags, by `flagIndex`.
    private static let flagNameLists: [[String]] = (0..<64).map { index in
        let flags = UInt16(index >> 2) << 7 | UInt16(index & 0x03) << 4
        var names: [String] = []
        if flags & 0x0400 != 0 { names.append("AA") }
        if flags & 0x0200 != 0 { names.append("TC") }
        if flags & 0x0100 != 0 { names.append("RD") }
        if flags & 0x0080 != 0 { names.append("RA") }
        if flags & 0x0020 != 0 { names.append("AD") }
        if flags & 0x0010 != 0 { names.append("CD") }
        return names
    }

    /// Length of the fixed header.
    public static let headerLength = 12

    /// Decodes the message that fills `bytes` (a UDP payload, or one message of a TCP stream without its length
    /// prefix). Bytes after the last section are ignored, as resolvers do.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(DNSParseError) {
        try self.init(parsing: bytes, ownerNames: true)
    }

    /// Decodes the message that fills `bytes`; without `ownerNames` every answer's `name` is left empty (it is still
    /// read and checked), for callers that never look at it and should not pay for its String.
    init(parsing bytes: UnsafeRawBufferPointer, ownerNames: Bool) throws(DNSParseError) {
        try self.init(parsing: bytes, ownerNames: ownerNames, scratch: DNSParseScratch())
    }

    /// `init(parsing:ownerNames:)` building names in `scratch`, and filling the arrays it kept from the last message
    /// (`DNSParseScratch.recycle`), so that a parser of many messages allocates neither for each.
    init(parsing bytes: UnsafeRawBufferPointer, ownerNames: Bool, scratch: DNSParseScratch) throws(DNSParseError) {
        guard bytes.count >= DNSMessage.headerLength else { throw .truncated(.header, offset: 0) }
        id = bytes.dnsUInt16(at: 0)
        flags = bytes.dnsUInt16(at: 2)
        let questionCount = Int(bytes.dnsUInt16(at: 4))
        let answerCount = Int(bytes.dnsUInt16(at: 6))
        authorityCount = Int(bytes.dnsUInt16(at: 8))
        additionalCount = Int(bytes.dnsUInt16(at: 10))
        trailingSectionError = nil
        var position = DNSMessage.headerLength

        // A question takes at least 5 bytes and a record 11, so the message length bounds what the counts can
        // make us allocate.
        let text = scratch.name
        var length = 0
        questions = scratch.takeQuestions()
        questions.reserveCapacity(min(questionCount, (bytes.count - position) / 5))
        for _ in 0..<questionCount {
            position = try DNSName.read(bytes, at: position, part: .question, into: text, length: &length)
            guard position + 4 <= bytes.count else { throw .truncated(.question, offset: position) }
            questions.append(DNSQuestion(name: scratch.nameString(length: length),
                                         type: bytes.dnsUInt16(at: position), dnsClass: bytes.dnsUInt16(at: position + 2)))
            position += 4
        }

        answers = scratch.takeAnswers()
        answers.reserveCapacity(min(answerCount, (bytes.count - position) / 11))
        for _ in 0..<answerCount {
            position = try DNSName.read(bytes, at: position, part: .answer, into: ownerNames ? text : nil, length: &length)
            let owner = ownerNames ? scratch.nameString(length: length) : ""
            guard position + 10 <= bytes.count else { throw .truncated(.answer, offset: position) }
            let type = bytes.dnsUInt16(at: position)
            let rdataLength = Int(bytes.dnsUInt16(at: position + 8))
            let rdataStart = position + 10
            guard rdataStart + rdataLength <= bytes.count else { throw .truncated(.rdata, offset: rdataStart) }
            let data = try DNSRecordData.decode(type: type, message: bytes, start: rdataStart, length: rdataLength,
                                                scratch: scratch)
            answers.append(DNSResourceRecord(name: owner, type: type, dnsClass: bytes.dnsUInt16(at: position + 2),
                                             ttl: bytes.dnsUInt32(at: position + 4), data: data))
            position = rdataStart + rdataLength
        }

        do throws(DNSParseError) {
            for _ in 0..<(authorityCount + additionalCount) {
                position = try DNSName.read(bytes, at: position, part: .trailingRecord, into: nil, length: &length)
                guard position + 10 <= bytes.count else { throw .truncated(.trailingRecord, offset: position) }
                let rdataEnd = position + 10 + Int(bytes.dnsUInt16(at: position + 8))
                guard rdataEnd <= bytes.count else { throw .truncated(.rdata, offset: position + 10) }
                position = rdataEnd
            }
        } catch {
            trailingSectionError = error
        }
    }

    /// Decodes the message held in `bytes`.
    public init(parsing bytes: some Collection<UInt8>) throws(DNSParseError) {
        let copy = ContiguousArray(bytes)
        let result: Result<DNSMessage, DNSParseError> = copy.withUnsafeBytes { raw in
            do throws(DNSParseError) { return .success(try DNSMessage(parsing: raw)) } catch { return .failure(error) }
        }
        self = try result.get()
    }
}

/// Why a DNS message could not be decoded. Offsets are byte positions from the start of the message, so a
/// malformed capture can be located with a hex dump.
public enum DNSParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The part of a message being read when it ended too early.
    public enum Part: String, Sendable {
        /// The fixed 12-byte header.
        case header
        /// A question (name, type and class).
        case question
        /// An answer record's fixed fields (owner name, type, class, TTL, rdata length).
        case answer
        /// An authority or additional record being skipped.
        case trailingRecord = "authority or additional record"
        /// The record data an answer's rdata length promises.
        case rdata
    }

    /// The message ended inside `part`: reading at `offset` needed bytes past the end.
    case truncated(Part, offset: Int)
    /// A compression pointer at `offset` points at or after itself (`target >= offset`), which could only loop.
    case pointerForward(offset: Int, target: Int)
    /// A compression pointer at `offset` points back into the name being read, which would loop forever.
    case pointerLoop(offset: Int, target: Int)
    /// The name starting at `offset` follows more compression pointers than `DNSName.maximumPointerJumps`.
    case tooManyPointers(offset: Int)
    /// The name starting at `offset` has more labels than `DNSName.maximumLabels`.
    case tooManyLabels(offset: Int)
    /// The length byte at `offset` announces more than 63 bytes (including the extended label types 01 and the
    /// reserved 10 of RFC 6891 section 5, which no resolver sends).
    case labelTooLong(offset: Int, length: Int)
    /// The name starting at `offset` is longer than 255 bytes in wire form.
    case nameTooLong(offset: Int)
    /// The record data at `offset` of a record of `type` does not fit its declared length `declared` (a name that
    /// runs past it, bytes left over, or a fixed-size type with the wrong size).
    case rdataLengthMismatch(type: UInt16, offset: Int, declared: Int)

    /// A one-line explanation for logs and error records.
    public var description: String {
        switch self {
        case .truncated(let part, let offset):
            return "DNS message truncated in \(part.rawValue) at byte \(offset)"
        case .pointerForward(let offset, let target):
            return "DNS compression pointer at byte \(offset) points forward or at itself (to \(target))"
        case .pointerLoop(let offset, let target):
            return "DNS compression pointer at byte \(offset) loops back into its own name (to \(target))"
        case .tooManyPointers(let offset):
            return "DNS name at byte \(offset) follows more than \(DNSName.maximumPointerJumps) compression pointers"
        case .tooManyLabels(let offset):
            return "DNS name at byte \(offset) has more than \(DNSName.maximumLabels) labels"
        case .labelTooLong(let offset, let length):
            return "DNS label at byte \(offset) announces \(length) bytes (at most 63)"
        case .nameTooLong(let offset):
            return "DNS name at byte \(offset) is longer than \(DNSName.maximumWireLength) bytes"
        case .rdataLengthMismatch(let type, let offset, let declared):
            return "DNS \(DNSNames.typeName(type)) record data at byte \(offset) does not fit its declared length \(declared)"
        }
    }
}

/// Why (part of) an export datagram was rejected; counted per exporter, the last one kept for diagnosis.
public enum FlowExportMalformation: Hashable, Sendable, CustomStringConvertible {
    /// Shorter than the version's header.
    case truncatedHeader(version: UInt16, length: Int)
    /// A version this decoder does not speak.
    case unknownVersion(UInt16)
    /// A v5 record count of zero, above 30, or more than the datagram holds.
    case badRecordCount(Int, available: Int)
    /// The IPFIX message length disagrees with the datagram.
    case badMessageLength(declared: Int, actual: Int)
    /// A set or flowset length below 4 or past the end of the message.
    case badSetLength(setID: UInt16, length: Int)
    /// A template or options template record that runs past its set, has no fields, or an id below 256.
    case badTemplate(id: UInt16)
    /// A data record whose variable-length field runs past its set.
    case badDataRecord(templateID: UInt16)
    /// A set id reserved by the protocol (v9 2...255 other than 0/1; IPFIX 0, 1, 4...255).
    case reservedSetID(UInt16)

    /// One line for logs and the run summary.
    public var description: String {
        switch self {
        case .truncatedHeader(let version, let length): return "version \(version) header truncated (\(length) bytes)"
        case .unknownVersion(let version): return "unknown export version \(version)"
        case .badRecordCount(let count, let available): return "record count \(count), room for \(available)"
        case .badMessageLength(let declared, let actual): return "message length \(declared), datagram \(actual) bytes"
        case .badSetLength(let id, let length): return "set \(id) has length \(length)"
        case .badTemplate(let id): return "template \(id) is malformed"
        case .badDataRecord(let id): return "a data record of template \(id) runs past its set"
        case .reservedSetID(let id): return "reserved set id \(id)"
        }
    }
}

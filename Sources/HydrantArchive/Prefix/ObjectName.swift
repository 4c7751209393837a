import HydrantRecords

/// The name of an archive object after its prefix, as Firehose writes it:
/// `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`, e.g.
/// `hydrant-1-2024-05-01-12-00-00-0f8fad5b-d9cb-469f-a165-70867728950e.json.gz`.
public struct ObjectName: Hashable, Sendable, CustomStringConvertible {
    /// The delivery stream version of a stream that was never reconfigured.
    public static let defaultVersion = 1
    /// The longest stream name Firehose accepts.
    public static let maximumStreamNameLength = 64
    /// The longest file extension Firehose accepts, including its dot.
    public static let maximumExtensionLength = 128
    /// The time in the name: `yyyy-MM-dd-HH-mm-ss`, UTC.
    public static let timePattern = JavaDatePattern(
        source: "yyyy-MM-dd-HH-mm-ss",
        elements: [.field(.year), .literal("-"), .field(.month), .literal("-"), .field(.day), .literal("-"),
                   .field(.hour), .literal("-"), .field(.minute), .literal("-"), .field(.second)])

    /// The delivery stream's name.
    public let stream: String
    /// The delivery stream's version: 1, plus one per configuration change.
    public let version: Int
    /// The time written in the name (the arrival time of the object's oldest record, as Firehose).
    public let time: Timestamp
    /// A UUID in its lower-case 8-4-4-4-12 form, unique per object.
    public let uuid: String
    /// The extension with its leading dot (e.g. `.json.gz`), or empty.
    public let fileExtension: String

    /// Names an object with a given UUID; `fileExtension` may be given with or without its leading dot.
    public init(stream: String, version: Int = ObjectName.defaultVersion, time: Timestamp, uuid: String,
                fileExtension: String) throws(ObjectNameError) {
        guard !stream.isEmpty, stream.utf8.count <= Self.maximumStreamNameLength,
              stream.utf8.allSatisfy(Self.isStreamNameByte) else { throw .invalidStreamName(stream) }
        guard version >= 1 else { throw .invalidVersion(version) }
        guard Self.isUUID(uuid) else { throw .invalidUUID(uuid) }
        let normalised = fileExtension.isEmpty || fileExtension.hasPrefix(".") ? fileExtension : "." + fileExtension
        guard normalised.utf8.count != 1, normalised.utf8.count <= Self.maximumExtensionLength,
              normalised.utf8.dropFirst().allSatisfy(Self.isExtensionByte) else {
            throw .invalidExtension(fileExtension)
        }
        self.stream = stream
        self.version = version
        self.time = time
        self.uuid = uuid
        self.fileExtension = normalised
    }

    /// Names an object with a fresh random (version 4) UUID drawn from `random`.
    public init(stream: String, version: Int = ObjectName.defaultVersion, time: Timestamp, fileExtension: String,
                random: inout some RandomNumberGenerator) throws(ObjectNameError) {
        try self.init(stream: stream, version: version, time: time, uuid: Self.randomUUID(using: &random),
                      fileExtension: fileExtension)
    }

    /// The object name.
    public var description: String {
        var out = stream
        out.reserveCapacity(stream.utf8.count + 70 + fileExtension.utf8.count)
        out.append("-")
        out.append(String(version))
        out.append("-")
        Self.timePattern.append(time, to: &out)
        out.append("-")
        out.append(uuid)
        out.append(fileExtension)
        return out
    }

    /// A random version 4 UUID in lower-case 8-4-4-4-12 form.
    public static func randomUUID(using random: inout some RandomNumberGenerator) -> String {
        var high = random.next() as UInt64
        var low = random.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4
        low = (low & ~(0xC000 << 48)) | (0x8000 << 48)  // RFC 4122 variant
        let hex: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)
        var out = String.UnicodeScalarView()
        for index in 0..<32 {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append("-") }
            let word = index < 16 ? high : low
            let shift = UInt64(60 - (index % 16) * 4)
            out.append(hex[Int((word >> shift) & 0xF)])
        }
        return String(out)
    }

    private static func isStreamNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// Firehose's `FileExtension` pattern after the dot: `[0-9a-z!\-_.*'()]+`.
    private static func isExtensionByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "!"), UInt8(ascii: "-"),
             UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"):
            return true
        default:
            return false
        }
    }

    private static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) else {
                    return false
                }
            }
        }
        return true
    }
}

/// Why an object name could not be formed.
public enum ObjectNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The stream name is empty, longer than 64 bytes or has characters outside `[a-zA-Z0-9_.-]`.
    case invalidStreamName(String)
    /// The version is below 1.
    case invalidVersion(Int)
    /// The UUID is not in lower-case 8-4-4-4-12 form.
    case invalidUUID(String)
    /// The extension does not match Firehose's `FileExtension` pattern (`.` then `[0-9a-z!-_.*'()]`, ≤ 128).
    case invalidExtension(String)

    /// A sentence saying what is wrong.
    public var description: String {
        switch self {
        case .invalidStreamName(let name):
            return "stream name '\(name)' must be 1–64 characters of a–z, A–Z, 0–9, '_', '.', '-'"
        case .invalidVersion(let version):
            return "stream version \(version) must be at least 1"
        case .invalidUUID(let uuid):
            return "'\(uuid)' is not a lower-case UUID (8-4-4-4-12 hexadecimal digits)"
        case .invalidExtension(let fileExtension):
            return "file extension '\(fileExtension)' must be '.' followed by 0-9, a-z, ! - _ . * ' ( ), at most 128 characters"
        }
    }
}

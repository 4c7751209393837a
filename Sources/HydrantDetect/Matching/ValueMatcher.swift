import HydrantRecords

/// A test on one field value, independent of which field: what a detection item's value compiles to.
///
/// Text tests run on the value's text (JSON strings unescaped, numbers as written, booleans as `true`/`false`).
/// Case-insensitive tests compare lower-cased text; the literals are stored lower-cased.
public enum ValueMatcher: Hashable, Sendable {
    /// The whole value equals the literal.
    case exact([UInt8], cased: Bool)
    /// The value starts with the literal.
    case prefix([UInt8], cased: Bool)
    /// The value ends with the literal.
    case suffix([UInt8], cased: Bool)
    /// The value contains the literal.
    case contains([UInt8], cased: Bool)
    /// The value matches a pattern with inner wildcards.
    case glob([SigmaPattern.Piece], cased: Bool)
    /// A PCRE2 regular expression found anywhere in the value (`re`, flags `i`/`m`/`s`).
    case regex(pattern: String, flags: RegexFlags)
    /// The value is an IP address inside the network (`cidr`).
    case cidr(IPNetwork)
    /// The value is a number that compares with the bound (`gt`, `gte`, `lt`, `lte`).
    case numeric(NumericComparison, Double)
    /// The field is present (`exists: true`) or absent (`exists: false`).
    case exists(Bool)
    /// The field is absent or JSON `null` (`field: null`).
    case null
    /// The value equals (or starts with, ends with, contains) the value of another field (`fieldref`).
    case fieldReference(field: String, mode: ReferenceMode, cased: Bool)

    /// The matcher for a pattern: the cheapest of exact, prefix, suffix, contains or glob.
    static func text(_ pattern: SigmaPattern, cased: Bool) -> ValueMatcher {
        let folded = cased ? pattern : pattern.lowercased()
        let pieces = folded.pieces
        if let bytes = folded.literalBytes { return .exact(bytes, cased: cased) }
        if pieces.count == 2, case .literal(let bytes) = pieces[0], case .anyRun = pieces[1] { return .prefix(bytes, cased: cased) }
        if pieces.count == 2, case .anyRun = pieces[0], case .literal(let bytes) = pieces[1] { return .suffix(bytes, cased: cased) }
        if pieces.count == 3, case .anyRun = pieces[0], case .literal(let bytes) = pieces[1], case .anyRun = pieces[2] {
            return .contains(bytes, cased: cased)
        }
        return .glob(pieces, cased: cased)
    }
}

/// How `fieldref` compares two fields.
public enum ReferenceMode: String, Hashable, Sendable {
    /// Equal values.
    case equal
    /// The value starts with the other field's value.
    case prefix
    /// The value ends with the other field's value.
    case suffix
    /// The value contains the other field's value.
    case contains
}

/// A numeric comparison operator.
public enum NumericComparison: String, Hashable, Sendable {
    /// Greater than.
    case gt
    /// Greater than or equal.
    case gte
    /// Less than.
    case lt
    /// Less than or equal.
    case lte

    /// Applies the operator.
    func holds(_ value: Double, _ bound: Double) -> Bool {
        switch self {
        case .gt: return value > bound
        case .gte: return value >= bound
        case .lt: return value < bound
        case .lte: return value <= bound
        }
    }
}

/// Flags of an `re` value.
public struct RegexFlags: OptionSet, Hashable, Sendable {
    /// The raw bits.
    public let rawValue: UInt8
    /// Creates flags from bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `i`: case-insensitive.
    public static let caseInsensitive = RegexFlags(rawValue: 1)
    /// `m`: `^` and `$` match at line breaks.
    public static let multiline = RegexFlags(rawValue: 2)
    /// `s`: `.` matches a line break.
    public static let dotAll = RegexFlags(rawValue: 4)
}

/// An IPv4 or IPv6 network for `cidr`.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let address: IPAddress
    /// The prefix length.
    public let prefixLength: Int

    /// Parses `a.b.c.d/n` or `x::/n` (a bare address is a host route); nil when malformed or host bits are set,
    /// as pySigma refuses them.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(String(parts[0])) else { return nil }
        let width = address.isIPv6 ? 128 : 32
        var length = width
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...width).contains(parsed) else { return nil }
            length = parsed
        }
        let network = IPNetwork.masked(address, length)
        guard network == address else { return nil }
        self.address = address
        self.prefixLength = length
    }

    /// Whether `candidate` is inside the network (an IPv4 address never is inside an IPv6 network, and back).
    public func contains(_ candidate: IPAddress) -> Bool {
        candidate.isIPv6 == address.isIPv6 && IPNetwork.masked(candidate, prefixLength) == address
    }

    /// `address/length`.
    public var description: String { "\(address)/\(prefixLength)" }

    private static func masked(_ address: IPAddress, _ length: Int) -> IPAddress {
        if !address.isIPv6 {
            let value = UInt32(truncatingIfNeeded: address.low)
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return IPAddress(ipv4: value & mask)
        }
        let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
        return IPAddress(ipv6High: address.high & highMask, low: address.low & lowMask)
    }
}

import Yams

/// A scalar after YAML 1.1 implicit resolution, as PyYAML (and so pySigma) types it.
public enum SigmaScalar: Hashable, Sendable {
    /// A string (every quoted scalar, and plain scalars that are not one of the other kinds).
    case string(String)
    /// An integer (decimal, `0x` hex, `0o`/leading-zero octal, `0b` binary, with `_` separators).
    case int(Int64)
    /// A floating-point number.
    case float(Double)
    /// `true`/`false` and YAML 1.1's `yes`/`no`/`on`/`off`.
    case bool(Bool)
    /// `null`, `~` or an empty plain scalar.
    case null

    /// The value as Sigma compares it against event text: numbers in decimal, booleans as `true`/`false`.
    var text: String? {
        switch self {
        case .string(let s): return s
        case .int(let n): return String(n)
        case .float(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        }
    }

    /// Resolves a plain (unquoted) scalar the way PyYAML's YAML 1.1 resolver does.
    static func resolvePlain(_ text: String) -> SigmaScalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let n = resolveInt(text) { return .int(n) }
        if let d = resolveFloat(text) { return .float(d) }
        return .string(text)
    }

    private static func resolveInt(_ text: String) -> Int64? {
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "-" || first == "+" {
            negative = first == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        let radix: Int
        var digits: Substring
        if body.hasPrefix("0x") { radix = 16; digits = body.dropFirst(2) }
        else if body.hasPrefix("0b") { radix = 2; digits = body.dropFirst(2) }
        else if body.hasPrefix("0o") { radix = 8; digits = body.dropFirst(2) }
        else if body.count > 1, body.hasPrefix("0") { radix = 8; digits = body.dropFirst() }
        else if body.contains(":") { return sexagesimal(body, negative: negative) }
        else { radix = 10; digits = body }
        let cleaned = digits.filter { $0 != "_" }
        guard !cleaned.isEmpty, !digits.hasPrefix("_"), let value = Int64(cleaned, radix: radix) else { return nil }
        return negative ? -value : value
    }

    /// YAML 1.1's base-60 integers (`1:30` is 90), which PyYAML still resolves.
    private static func sexagesimal(_ body: Substring, negative: Bool) -> Int64? {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard let head = parts.first, let lead = head.first, lead != "0" else { return nil }
        var total: Int64 = 0
        for (index, part) in parts.enumerated() {
            let cleaned = part.filter { $0 != "_" }
            guard !cleaned.isEmpty, cleaned.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(cleaned) else { return nil }
            if index > 0 && (cleaned.count > 2 || value > 59) { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: 60)
            guard !overflow else { return nil }
            total = product + value
        }
        return negative ? -total : total
    }

    private static func resolveFloat(_ text: String) -> Double? {
        // PyYAML's float pattern: digits with an obligatory '.', optional exponent with a sign.
        let bytes = Array(text.utf8)
        var i = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        var sawDot = false
        var sawDigit = false
        while i < bytes.count {
            let b = bytes[i]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "_") { sawDigit = sawDigit || b != UInt8(ascii: "_") }
            else if b == UInt8(ascii: ".") { sawDot = true }
            else { break }
            i += 1
        }
        guard sawDot, sawDigit else { return nil }
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E"), i + 2 < bytes.count,
                  bytes[i + 1] == UInt8(ascii: "-") || bytes[i + 1] == UInt8(ascii: "+") else { return nil }
            var j = i + 2
            while j < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[j]) { j += 1 }
            guard j == bytes.count, j > i + 2 else { return nil }
        }
        return Double(String(text.filter { $0 != "_" }))
    }
}

/// A YAML node reduced to what Sigma documents use, with the 1-based line of each node for error messages.
public indirect enum YAMLValue: Sendable {
    /// A resolved scalar.
    case scalar(SigmaScalar, line: Int)
    /// A sequence.
    case sequence([YAMLValue], line: Int)
    /// A mapping with string keys, in document order (Sigma keys such as `field|contains` are order-sensitive).
    case mapping([(key: String, value: YAMLValue)], line: Int)

    /// The node's line.
    public var line: Int {
        switch self {
        case .scalar(_, let line), .sequence(_, let line), .mapping(_, let line): return line
        }
    }

    /// The value under `key` of a mapping.
    subscript(key: String) -> YAMLValue? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.last { $0.key == key }?.value
    }

    /// The string of a scalar (numbers and booleans in their text form), or nil.
    var string: String? {
        guard case .scalar(let scalar, _) = self else { return nil }
        return scalar.text
    }

    /// A short description of the node's kind, for messages.
    var kindName: String {
        switch self {
        case .scalar(.null, _): return "null"
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    /// Converts a Yams node; fails on a non-scalar mapping key or an alias cycle.
    static func from(_ node: Node) throws(YAMLConversionError) -> YAMLValue {
        let line = node.mark?.line ?? 0
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain && scalar.style != .any { return .scalar(.string(scalar.string), line: line) }
            return .scalar(SigmaScalar.resolvePlain(scalar.string), line: line)
        case .sequence(let sequence):
            var items: [YAMLValue] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try from(item)) }
            return .sequence(items, line: line)
        case .mapping(let mapping):
            var pairs: [(key: String, value: YAMLValue)] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyScalar) = keyNode else {
                    throw YAMLConversionError(line: keyNode.mark?.line ?? line, message: "a mapping key must be a scalar")
                }
                pairs.append((keyScalar.string, try from(valueNode)))
            }
            return .mapping(pairs, line: line)
        case .alias:
            throw YAMLConversionError(line: line, message: "YAML aliases are not allowed in rules")
        }
    }
}

/// A YAML node that cannot be turned into a `YAMLValue`.
struct YAMLConversionError: Error {
    let line: Int
    let message: String
}

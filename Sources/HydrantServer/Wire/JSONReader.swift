import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A string token in the body: the bytes between its quotes, and whether they hold escapes.
public struct JSONStringToken: Sendable, Hashable {
    /// The offset of the first byte after the opening quote.
    public let start: Int
    /// The offset of the closing quote.
    public let end: Int
    /// Whether the raw bytes contain `\` escapes (then they must be unescaped before use).
    public let hasEscapes: Bool
}

/// A strict, allocation-light JSON reader over a request body (RFC 8259): it walks the bytes once, hands out
/// strings as ranges, and validates everything it skips. Only what the Firehose request shapes need is exposed.
///
/// The pointer is valid only inside the `withUnsafeBytes` scope that created the reader.
public struct JSONReader {
    /// Containers nested deeper than this are refused (the request shapes need three levels).
    public static let maximumDepth = 32

    let base: UnsafePointer<UInt8>
    /// The body length.
    public let count: Int
    /// The current offset.
    public internal(set) var index: Int

    /// A reader over `count` bytes at `base`.
    public init(_ base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
        index = 0
    }

    /// The body bytes (valid as long as the reader is).
    public var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    // MARK: Structure

    /// Skips JSON whitespace (space, tab, CR, LF).
    @inline(__always)
    public mutating func skipWhitespace() {
        while index < count {
            let byte = base[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    /// The next non-whitespace byte, without consuming it; nil at the end.
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < count ? base[index] : nil
    }

    /// Consumes `byte` (after whitespace) or throws naming `what` was expected.
    public mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < count else { throw JSONSyntaxError("unexpected end of the body, expected \(what)", at: index) }
        guard base[index] == byte else { throw unexpected(expected: what) }
        index += 1
    }

    /// Checks that only whitespace remains.
    public mutating func finish() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index == count else { throw JSONSyntaxError("unexpected data after the JSON document", at: index) }
    }

    /// Starts reading an object: consumes `{`. `member` is `"what"` for the error when the value is something else.
    public mutating func beginObject(_ member: @autoclosure () -> String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "{") else {
            throw typeError(member: member(), expected: "an object")
        }
        index += 1
    }

    /// The next member name of the object being read, with its `:` consumed, or nil at the closing `}`.
    /// `first` must start true for each object.
    public mutating func nextMember(first: inout Bool) throws(JSONSyntaxError) -> JSONStringToken? {
        skipWhitespace()
        guard index < count else { throw JSONSyntaxError("unexpected end of the body inside an object", at: index) }
        if base[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !first {
            guard base[index] == UInt8(ascii: ",") else { throw unexpected(expected: "',' or '}'") }
            index += 1
            skipWhitespace()
        }
        first = false
        guard index < count, base[index] == UInt8(ascii: "\"") else { throw unexpected(expected: "a member name") }
        let name = try readStringToken()
        try expect(UInt8(ascii: ":"), "':'")
        return name
    }

    /// Starts reading an array: consumes `[`.
    public mutating func beginArray(_ member: @autoclosure () -> String) throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "[") else {
            throw typeError(member: member(), expected: "an array")
        }
        index += 1
    }

    /// Whether another element follows in the array being read (consuming `,`), false at the closing `]`.
    public mutating func nextElement(first: inout Bool) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard index < count else { throw JSONSyntaxError("unexpected end of the body inside an array", at: index) }
        if base[index] == UInt8(ascii: "]") {
            index += 1
            return false
        }
        if !first {
            guard base[index] == UInt8(ascii: ",") else { throw unexpected(expected: "',' or ']'") }
            index += 1
        }
        first = false
        return true
    }

    /// Consumes `null` if it is next; Smithy treats a null member as absent.
    public mutating func readNull() throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: Scalars

    /// Reads a string value (validated), as a token. `member` names it for type errors.
    public mutating func readString(_ member: @autoclosure () -> String) throws(JSONSyntaxError) -> JSONStringToken {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "\"") else {
            throw typeError(member: member(), expected: "a string")
        }
        return try readStringToken()
    }

    /// Reads a string value as a Swift string.
    public mutating func readStringValue(_ member: @autoclosure () -> String) throws(JSONSyntaxError) -> String {
        let token = try readString(member())
        return try string(token)
    }

    /// Reads a boolean.
    public mutating func readBool(_ member: @autoclosure () -> String) throws(JSONSyntaxError) -> Bool {
        skipWhitespace()
        if index < count, base[index] == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        if index < count, base[index] == UInt8(ascii: "f") {
            try literal("false")
            return false
        }
        throw typeError(member: member(), expected: "a boolean")
    }

    /// Reads an integer (a JSON number without fraction or exponent, at most 18 digits).
    public mutating func readInt(_ member: @autoclosure () -> String) throws(JSONSyntaxError) -> Int {
        skipWhitespace()
        let start = index
        guard index < count, base[index] == UInt8(ascii: "-") || isDigit(base[index]) else {
            throw typeError(member: member(), expected: "an integer")
        }
        try skipNumber()
        var value = 0
        var position = start
        let negative = base[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard index - position <= 18 else { throw JSONSyntaxError("'\(member())' is out of range", at: start) }
        while position < index {
            let byte = base[position]
            guard isDigit(byte) else { throw typeError(member: member(), expected: "an integer", at: start) }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            position += 1
        }
        return negative ? -value : value
    }

    /// Whether the string token's raw bytes equal `name` (a member name without escapes).
    @inline(__always)
    public func matches(_ token: JSONStringToken, _ name: StaticString) -> Bool {
        guard !token.hasEscapes else {
            return (try? string(token)) == name.description
        }
        let length = token.end - token.start
        guard length == name.utf8CodeUnitCount else { return false }
        return memcmp(base + token.start, name.utf8Start, length) == 0
    }

    /// The unescaped text of a string token.
    public func string(_ token: JSONStringToken) throws(JSONSyntaxError) -> String {
        if !token.hasEscapes {
            return String(decoding: UnsafeBufferPointer(start: base + token.start, count: token.end - token.start),
                          as: UTF8.self)
        }
        var bytes: [UInt8] = []
        try unescape(token, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the unescaped bytes of a string token to `output`.
    public func unescape(_ token: JSONStringToken, into output: inout [UInt8]) throws(JSONSyntaxError) {
        var position = token.start
        output.reserveCapacity(output.count + token.end - token.start)
        while position < token.end {
            let byte = base[position]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                position += 1
                continue
            }
            let escape = base[position + 1]
            position += 2
            switch escape {
            case UInt8(ascii: "\""): output.append(0x22)
            case UInt8(ascii: "\\"): output.append(0x5C)
            case UInt8(ascii: "/"): output.append(0x2F)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            default: // `u`, validated by readStringToken
                var scalar = hex4(at: position)
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = hex4(at: position + 2)
                    position += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                // readStringToken refused lone surrogates, so every value here is a scalar.
                JSONStringDecoder.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &output)
            }
        }
    }

    /// Skips one value of any type, validating it; containers deeper than `maximumDepth` are refused.
    public mutating func skipValue() throws(JSONSyntaxError) {
        // One bit per open container: 1 for an object, 0 for an array.
        var kinds: UInt64 = 0
        var depth = 0
        var expectValue = true
        while true {
            skipWhitespace()
            guard index < count else { throw JSONSyntaxError("unexpected end of the body inside a value", at: index) }
            let byte = base[index]
            if expectValue {
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    guard depth <= Self.maximumDepth else {
                        throw JSONSyntaxError("JSON nested deeper than \(Self.maximumDepth) levels", at: index)
                    }
                    let isObject = byte == UInt8(ascii: "{")
                    kinds = kinds << 1 | (isObject ? 1 : 0)
                    index += 1
                    skipWhitespace()
                    if index < count, base[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                        index += 1
                        depth -= 1
                        kinds >>= 1
                        expectValue = false
                    } else if isObject {
                        try memberName()
                    }
                    if expectValue { continue }
                case UInt8(ascii: "\""): _ = try readStringToken()
                case UInt8(ascii: "t"): try literal("true")
                case UInt8(ascii: "f"): try literal("false")
                case UInt8(ascii: "n"): try literal("null")
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
                default: throw unexpected(expected: "a value")
                }
                expectValue = false
            }
            // After a value: close containers or move to the next element.
            guard depth > 0 else { return }
            skipWhitespace()
            guard index < count else { throw JSONSyntaxError("unexpected end of the body inside a value", at: index) }
            let inObject = kinds & 1 == 1
            let next = base[index]
            if next == UInt8(ascii: ",") {
                index += 1
                if inObject { try memberName() }
                expectValue = true
            } else if next == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                index += 1
                depth -= 1
                kinds >>= 1
            } else {
                throw unexpected(expected: inObject ? "',' or '}'" : "',' or ']'")
            }
        }
    }

    // MARK: Internals

    private mutating func memberName() throws(JSONSyntaxError) {
        skipWhitespace()
        guard index < count, base[index] == UInt8(ascii: "\"") else { throw unexpected(expected: "a member name") }
        _ = try readStringToken()
        try expect(UInt8(ascii: ":"), "':'")
    }

    /// Reads a string starting at the opening quote under `index`, validating escapes and control characters.
    mutating func readStringToken() throws(JSONSyntaxError) -> JSONStringToken {
        index += 1
        let start = index
        var hasEscapes = false
        while true {
            // Jump to the next quote; everything before it is checked in one tight loop.
            guard let found = memchr(base + index, 0x22, count - index) else {
                throw JSONSyntaxError("unterminated string", at: start - 1)
            }
            let quote = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var position = index
            var escapedQuote = false
            while position < quote {
                let byte = base[position]
                if byte < 0x20 {
                    throw JSONSyntaxError("unescaped control character in a string", at: position)
                }
                if byte == UInt8(ascii: "\\") {
                    hasEscapes = true
                    guard position + 1 < count else { throw JSONSyntaxError("unterminated string", at: start - 1) }
                    let escape = base[position + 1]
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        position += 2
                    case UInt8(ascii: "u"):
                        position = try validateUnicodeEscape(at: position)
                    default:
                        throw JSONSyntaxError("invalid escape '\\\(Unicode.Scalar(escape))' in a string", at: position)
                    }
                    if position > quote {
                        // The quote found was escaped; continue after it.
                        escapedQuote = true
                        break
                    }
                    continue
                }
                position += 1
            }
            if escapedQuote {
                index = position
                continue
            }
            index = quote + 1
            guard validUTF8(from: start, to: quote) else {
                throw JSONSyntaxError("a string is not valid UTF-8", at: start)
            }
            return JSONStringToken(start: start, end: quote, hasEscapes: hasEscapes)
        }
    }

    /// Validates `\uXXXX` (and a following low surrogate for a high one) at `position`; returns the offset after it.
    private func validateUnicodeEscape(at position: Int) throws(JSONSyntaxError) -> Int {
        guard position + 6 <= count, isHex4(at: position + 2) else {
            throw JSONSyntaxError("invalid \\u escape in a string", at: position)
        }
        let scalar = hex4(at: position + 2)
        if (0xDC00...0xDFFF).contains(scalar) {
            throw JSONSyntaxError("unpaired low surrogate in a string", at: position)
        }
        guard (0xD800...0xDBFF).contains(scalar) else { return position + 6 }
        guard position + 12 <= count, base[position + 6] == UInt8(ascii: "\\"), base[position + 7] == UInt8(ascii: "u"),
              isHex4(at: position + 8), (0xDC00...0xDFFF).contains(hex4(at: position + 8)) else {
            throw JSONSyntaxError("unpaired high surrogate in a string", at: position)
        }
        return position + 12
    }

    private func validUTF8(from start: Int, to end: Int) -> Bool {
        // ASCII is the common case; only look closer when a high bit is set.
        var position = start
        while position < end, base[position] < 0x80 { position += 1 }
        if position == end { return true }
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(start: base + position, count: end - position).makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private func isHex4(at position: Int) -> Bool {
        guard position + 4 <= count else { return false }
        for offset in 0..<4 where hexValue(base[position + offset]) == nil { return false }
        return true
    }

    private func hex4(at position: Int) -> UInt32 {
        var value: UInt32 = 0
        for offset in 0..<4 { value = value << 4 | UInt32(hexValue(base[position + offset]) ?? 0) }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Skips a number per the JSON grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func skipNumber() throws(JSONSyntaxError) {
        let start = index
        if base[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count, isDigit(base[index]) else { throw JSONSyntaxError("invalid number", at: start) }
        if base[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count, isDigit(base[index]) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: ".") {
            index += 1
            guard index < count, isDigit(base[index]) else { throw JSONSyntaxError("invalid number", at: start) }
            while index < count, isDigit(base[index]) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            index += 1
            if index < count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard index < count, isDigit(base[index]) else { throw JSONSyntaxError("invalid number", at: start) }
            while index < count, isDigit(base[index]) { index += 1 }
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let length = word.utf8CodeUnitCount
        guard index + length <= count, memcmp(base + index, word.utf8Start, length) == 0 else {
            throw JSONSyntaxError("invalid literal, expected '\(word)'", at: index)
        }
        index += length
    }

    private func unexpected(expected: String) -> JSONSyntaxError {
        guard index < count else { return JSONSyntaxError("unexpected end of the body, expected \(expected)", at: index) }
        let byte = base[index]
        let shown = byte >= 0x20 && byte < 0x7F ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16))"
        return JSONSyntaxError("unexpected \(shown), expected \(expected)", at: index)
    }

    func typeError(member: String, expected: String, at position: Int? = nil) -> JSONSyntaxError {
        let at = position ?? index
        guard at < count else { return JSONSyntaxError("unexpected end of the body, expected \(member)", at: at) }
        return JSONSyntaxError("'\(member)' must be \(expected)", at: at)
    }
}

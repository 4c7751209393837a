import HydrantRecords

/// Walks one JSON record's objects member by member, so the enricher can note where the fields it reads are and
/// where the objects it extends close, in one pass and without allocating. Values it does not look into are
/// skipped (and checked) by `JSONScanner.endOfValue`.
///
/// Given a record's `StructuralMasks`, it finds the ends of strings and the brackets of skipped values with bit
/// searches; without them it scans the bytes. Both ways accept and reject the same records (the masks exist only
/// for records with no escapes and no control bytes in strings, where the next quote always ends a string).
struct RecordWalker {
    enum Member {
        case key(Range<Int>)
        case end(close: Int)
        case malformed
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let masks: StructuralMasks?

    init(_ bytes: UnsafeBufferPointer<UInt8>, masks: StructuralMasks? = nil) {
        self.bytes = bytes
        index = 0
        self.masks = masks
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count, JSONScanner.isWhitespace(bytes[index]) { index += 1 }
    }

    @inline(__always)
    var atObject: Bool { index < bytes.count && bytes[index] == UInt8(ascii: "{") }

    /// Consumes `{`; false when the value here is not an object.
    @inline(__always)
    mutating func openObject() -> Bool {
        guard atObject else { return false }
        index += 1
        skipWhitespace()
        return true
    }

    /// The next member's name (leaving the index at its value), or the object's end (`close` is the `}`).
    @inline(__always)
    mutating func nextMember(first: Bool) -> Member {
        guard index < bytes.count else { return .malformed }
        if bytes[index] == UInt8(ascii: "}") {
            let close = index
            index += 1
            return .end(close: close)
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { return .malformed }
            index += 1
            skipWhitespace()
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let name = plainString() else { return .malformed }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return .malformed }
        index += 1
        skipWhitespace()
        return .key(name)
    }

    /// After a value: skips whitespace before the `,` or `}`.
    @inline(__always)
    mutating func afterValue() { skipWhitespace() }

    /// A string without escapes at the index (consumed), or nil, leaving the index where it was, when the value is
    /// something else or has escapes (those are skipped by `skipValue`).
    @inline(__always)
    mutating func plainString() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let position = specialByte(from: index + 1)
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let range = (index + 1)..<position
        index = position + 1
        return range
    }

    /// The first position at or after `start` holding a quote, a backslash or a control byte, or the end of the
    /// record (or `start` when that is already past it).
    @inline(__always)
    func specialByte(from start: Int) -> Int {
        // With masks there is no backslash or control byte in a string, so the next quote is the special byte.
        if let masks { return max(start, masks.nextQuote(from: start)) }
        guard start < bytes.count, let base = bytes.baseAddress else { return max(start, bytes.count) }
        return JSONScanner.stringSpecialByte(in: base, from: start, to: bytes.count)
    }

    /// The position of the quote closing the string whose content starts at `start`; nil when the string is
    /// unterminated, holds a control byte or has an escape JSON does not allow.
    @inline(__always)
    func closingQuote(from start: Int) -> Int? {
        if let masks {
            let quote = masks.nextQuote(from: start)
            return quote < bytes.count ? quote : nil
        }
        return JSONScanner.endOfString(in: bytes, openingQuote: start - 1).map { $0.end - 1 }
    }

    /// The deepest nesting a skipped object or array may have.
    static let maximumDepth = 64

    /// Skips the value at the index; false when it is malformed. Strings, numbers, objects and arrays are skipped
    /// here by their delimiters (brackets balanced, strings closed, nesting bounded), which is the hot path of a
    /// record walk; literals by `JSONScanner.endOfValue`. The check is looser than a full parse: input that is
    /// already broken inside a skipped value may stay broken, but valid input always stays valid.
    @inline(__always)
    mutating func skipValue() -> Bool {
        guard index < bytes.count else { return false }
        let first = bytes[index]
        if first == UInt8(ascii: "\"") {
            guard let close = closingQuote(from: index + 1) else { return false }
            index = close + 1
            return true
        }
        if first == UInt8(ascii: "-") || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) {
            var position = index + 1
            while position < bytes.count {
                let byte = bytes[position]
                guard (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-") else { break }
                position += 1
            }
            index = position
            return true
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            guard let base = bytes.baseAddress else { return false }
            var depth = 0
            var position = index
            while position < bytes.count {
                if let masks {
                    position = masks.nextStructural(from: position)
                } else {
                    position = JSONScanner.structuralByte(in: base, from: position, to: bytes.count)
                }
                guard position < bytes.count else { return false }
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    guard let close = closingQuote(from: position + 1) else { return false }
                    position = close
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                    guard depth <= Self.maximumDepth else { return false }
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 {
                        index = position + 1
                        return true
                    }
                }
                position += 1
            }
            return false
        }
        guard let end = JSONScanner.endOfValue(in: bytes, from: index) else { return false }
        index = end
        return true
    }

    /// A string value's range when it is a plain string, else skips whatever value it is (nil range); false when
    /// malformed.
    @inline(__always)
    mutating func captureString(_ into: inout Range<Int>?) -> Bool {
        if let range = plainString() {
            into = range
            return true
        }
        into = nil
        return skipValue()
    }

    /// Whether the member name at `range` is `name`.
    @inline(__always)
    func name(_ range: Range<Int>, is name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard range.count == count else { return false }
        let text = name.utf8Start
        var offset = 0
        while offset < count {
            if bytes[range.lowerBound + offset] != text[offset] { return false }
            offset += 1
        }
        return true
    }
}

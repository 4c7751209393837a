/// Finds values at member paths in a JSON document in one pass, without building a tree or allocating.
///
/// The whole document is checked as it is walked: a document that is not exactly one well-formed JSON value
/// (surrounded by whitespace only), nests deeper than the bound, or has a bad escape or number, yields nothing.
/// Strings are not checked for valid UTF-8 (decoding repairs it). When a member name repeats, the last one wins,
/// as in jq.
public struct JSONScanner {
    /// The default bound on nesting of objects and arrays.
    public static let defaultMaximumDepth = 64
    /// The most paths one scan looks for.
    public static let maximumPaths = 64

    private let bytes: UnsafeBufferPointer<UInt8>
    private let paths: [JSONPath]
    private let maximumDepth: Int
    private var index: Int
    /// The document's quote bits, when it has no backslash and no control byte inside a string: then every string
    /// ends at the next quote, found with a bit search instead of a scan of its bytes.
    private let quotes: StructuralMasks?

    private init(bytes: UnsafeBufferPointer<UInt8>, paths: [JSONPath], maximumDepth: Int, start: Int,
                 quotes: StructuralMasks? = nil) {
        self.bytes = bytes
        self.paths = paths
        self.maximumDepth = maximumDepth
        self.index = start
        self.quotes = quotes
    }

    /// Looks for every path of `paths` (at most `maximumPaths`) in `document`, which must be one JSON value.
    ///
    /// `results` is resized to `paths.count`; entry `i` is the scalar at `paths[i]`, or nil when the path is missing
    /// or ends at an object, an array or `null`. Returns false (and all nil) when the document is malformed.
    ///
    /// With an `index`, the document's quotes are indexed first (SSE2, sixteen bytes at a time) when it is short
    /// enough and has no escape, so that each string is skipped with a bit search, and an object is walked in one
    /// loop (`walkIndexedObject`); the result is the same.
    @discardableResult
    public static func find(_ paths: [JSONPath], in document: UnsafeBufferPointer<UInt8>, results: inout [JSONScalar?],
                            maximumDepth: Int = defaultMaximumDepth, index: StructuralIndex? = nil) -> Bool {
        results.removeAll(keepingCapacity: true)
        for _ in 0..<paths.count { results.append(nil) }
        guard paths.count <= maximumPaths else { return false }
        var mask: UInt64 = 0
        for (number, path) in paths.enumerated() where !path.components.isEmpty { mask |= 1 << UInt64(number) }
        let quotes = index?.buildQuotes(document)
        if let quotes, let wellFormed = walkIndexedObject(paths, in: document, quotes: quotes, mask: mask,
                                                          maximumDepth: maximumDepth, results: &results) {
            if !wellFormed {
                for number in 0..<results.count { results[number] = nil }
            }
            return wellFormed
        }
        var scanner = JSONScanner(bytes: document, paths: paths, maximumDepth: maximumDepth, start: 0, quotes: quotes)
        scanner.skipWhitespace()
        let wellFormed = scanner.value(depth: 0, mask: mask, results: &results)
        scanner.skipWhitespace()
        guard wellFormed, scanner.index == document.count else {
            for number in 0..<results.count { results[number] = nil }
            return false
        }
        return true
    }

    /// Where the JSON value that starts at `start` (after any whitespace) ends, or nil when it is malformed or
    /// nests deeper than `maximumDepth`. Used to split concatenated JSON documents.
    public static func endOfValue(in document: UnsafeBufferPointer<UInt8>, from start: Int,
                                  maximumDepth: Int = defaultMaximumDepth) -> Int? {
        var scanner = JSONScanner(bytes: document, paths: [], maximumDepth: maximumDepth, start: start)
        var unused: [JSONScalar?] = []
        scanner.skipWhitespace()
        guard scanner.value(depth: 0, mask: 0, results: &unused) else { return nil }
        return scanner.index
    }

    /// The first position in `start..<end` of `base` holding a quote, a backslash or a control byte (the bytes
    /// that end or interrupt a JSON string), or `end` when there is none. Reads eight bytes at a time: strings are
    /// most of a record's bytes, so every record walker's inner loop is this one.
    @inlinable
    public static func stringSpecialByte(in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var position = start
        // Most strings are member names and short values: the first two words settle them, before the wide step
        // below would load 32 bytes only to search them again a word at a time.
        for _ in 0..<2 where position + 8 <= end {
            let flags = stringSpecialFlags(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            if flags != 0 { return position + flags.trailingZeroBitCount >> 3 }
            position += 8
        }
        // Long strings (padding, payloads, user agents) go 32 bytes per step: four independent words keep the
        // CPU's pipelines busy where one word per step waits on each test; the step that holds a special byte is
        // then searched a word at a time below.
        while position + 32 <= end {
            let raw = UnsafeRawPointer(base + position)
            let any = stringSpecialFlags(raw.loadUnaligned(as: UInt64.self))
                | stringSpecialFlags(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                | stringSpecialFlags(raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                | stringSpecialFlags(raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
            if any != 0 { break }
            position += 32
        }
        while position + 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte's high bit is set where it is zero (quote, backslash) or below 0x20; a flag can be wrong only
            // above a right one (borrows run upwards), so the lowest flag is exact.
            let flags = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                | ((word &- ones &* 0x20) & ~word)) & 0x8080_8080_8080_8080
            if flags != 0 { return position + flags.trailingZeroBitCount >> 3 }
            position += 8
        }
        while position < end {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return position }
            position += 1
        }
        return max(position, end)
    }

    /// Nonzero when a byte of `word` (little-endian) is a quote, a backslash or a control byte; the high bit of the
    /// lowest such byte is set (higher flags can be wrong, see `stringSpecialByte`).
    @usableFromInline @inline(__always)
    static func stringSpecialFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let word = UInt64(littleEndian: word)
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            | ((word &- ones &* 0x20) & ~word)) & 0x8080_8080_8080_8080
    }

    /// The first position in `start..<end` of `base` holding a quote or a bracket (`"`, `{`, `}`, `[`, `]`), or `end`
    /// when there is none. Skipping a nested value only needs to stop at these, so it reads eight bytes at a time
    /// between them instead of testing every byte.
    @inlinable
    public static func structuralByte(in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var position = start
        while position + 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            // Setting bit 5 folds `[` onto `{` and `]` onto `}`; no other byte folds onto either.
            let folded = word | (ones &* 0x20)
            let open = folded ^ (ones &* 0x7B)
            let close = folded ^ (ones &* 0x7D)
            // As in `stringSpecialByte`, only flags above a true one can be wrong, so the lowest flag is exact.
            let flags = (((quote &- ones) & ~quote) | ((open &- ones) & ~open) | ((close &- ones) & ~close))
                & 0x8080_8080_8080_8080
            if flags != 0 { return position + flags.trailingZeroBitCount >> 3 }
            position += 8
        }
        while position < end {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") || byte | 0x20 == UInt8(ascii: "{") || byte | 0x20 == UInt8(ascii: "}") {
                return position
            }
            position += 1
        }
        return max(position, end)
    }

    /// Whether `byte` is JSON whitespace.
    @inline(__always)
    public static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    /// Parses the value at `index`; `mask` holds the paths whose first `depth` names matched the way here, and a
    /// path of exactly `depth` names that is in `mask` ends at this value.
    private mutating func value(depth: Int, mask: UInt64, results: inout [JSONScalar?]) -> Bool {
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return object(depth: depth + 1, mask: mask, results: &results)
        case UInt8(ascii: "["):
            return array(depth: depth + 1)
        case UInt8(ascii: "\""):
            let start = index + 1
            guard let escapes = string() else { return false }
            record(JSONScalar(kind: .string(hasEscapes: escapes), range: start..<(index - 1)), depth: depth, mask: mask,
                   results: &results)
            return true
        case UInt8(ascii: "t"):
            guard literal("true") else { return false }
            record(JSONScalar(kind: .bool(true), range: (index - 4)..<index), depth: depth, mask: mask, results: &results)
            return true
        case UInt8(ascii: "f"):
            guard literal("false") else { return false }
            record(JSONScalar(kind: .bool(false), range: (index - 5)..<index), depth: depth, mask: mask, results: &results)
            return true
        case UInt8(ascii: "n"):
            return literal("null")
        default:
            let start = index
            guard number() else { return false }
            record(JSONScalar(kind: .number, range: start..<index), depth: depth, mask: mask, results: &results)
            return true
        }
    }

    @inline(__always)
    private func record(_ scalar: JSONScalar, depth: Int, mask: UInt64, results: inout [JSONScalar?]) {
        guard mask != 0 else { return }
        for number in 0..<paths.count where mask & (1 << UInt64(number)) != 0 && paths[number].components.count == depth {
            results[number] = scalar
        }
    }

    private mutating func object(depth: Int, mask: UInt64, results: inout [JSONScalar?]) -> Bool {
        guard depth <= maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return false }
            let nameStart = index + 1
            guard let escapes = string() else { return false }
            let name = nameStart..<(index - 1)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            var childMask: UInt64 = 0
            if mask != 0 {
                for number in 0..<paths.count where mask & (1 << UInt64(number)) != 0 {
                    let components = paths[number].components
                    // `depth` counts this object; its members are component `depth - 1` of a path.
                    guard components.count >= depth, nameEquals(name, escapes: escapes, components[depth - 1]) else { continue }
                    childMask |= 1 << UInt64(number)
                }
            }
            if childMask != 0 {
                // A repeated member replaces what an earlier one set, even when the new value is not a scalar.
                for number in 0..<paths.count where childMask & (1 << UInt64(number)) != 0 { results[number] = nil }
            }
            guard value(depth: depth, mask: childMask, results: &results) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    private mutating func array(depth: Int) -> Bool {
        guard depth <= maximumDepth else { return false }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        var unused: [JSONScalar?] = []
        while true {
            guard value(depth: depth, mask: 0, results: &unused) else { return false }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { return false }
            index += 1
            return true
        }
    }

    /// Skips a string starting at its opening quote; returns whether it had escapes, or nil when malformed.
    private mutating func string() -> Bool? {
        if let quotes {
            // Indexed: no escapes and no control bytes in any string, so the next quote closes this one.
            let closing = quotes.nextQuote(from: index + 1)
            guard closing < bytes.count else { return nil }
            index = closing + 1
            return false
        }
        guard let string = Self.endOfString(in: bytes, openingQuote: index) else { return nil }
        index = string.end
        return string.hasEscapes
    }

    /// Where the string whose opening quote is at `quote` ends (the position after its closing quote) and whether
    /// it has escapes; nil when it is unterminated, holds a raw control byte or has an escape JSON does not allow.
    /// Plain stretches are skipped eight bytes at a time (`stringSpecialByte`); every record reader that checks
    /// strings calls this one.
    @inlinable
    public static func endOfString(in bytes: UnsafeBufferPointer<UInt8>, openingQuote quote: Int)
        -> (end: Int, hasEscapes: Bool)? {
        // Member names and most values end within two words: settled here, inline in every walker, when the
        // first special byte is the closing quote. (Four words made the function too large to be inlined, which
        // cost more than the longer strings it settled.)
        if let base = bytes.baseAddress {
            var position = quote + 1
            for _ in 0..<2 where position + 8 <= bytes.count {
                let flags = stringSpecialFlags(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                if flags != 0 {
                    let special = position + flags.trailingZeroBitCount >> 3
                    if base[special] == UInt8(ascii: "\"") { return (special + 1, false) }
                    break
                }
                position += 8
            }
        }
        return endOfStringWithEscapes(in: bytes, openingQuote: quote)
    }

    /// `endOfString` for strings that are long, sit at the end of the buffer, or hold an escape or a control byte.
    @usableFromInline
    static func endOfStringWithEscapes(in bytes: UnsafeBufferPointer<UInt8>, openingQuote quote: Int)
        -> (end: Int, hasEscapes: Bool)? {
        guard let base = bytes.baseAddress else { return nil }
        var index = quote + 1
        var escapes = false
        while index < bytes.count {
            index = stringSpecialByte(in: base, from: index, to: bytes.count)
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (index + 1, escapes) }
            if byte < 0x20 { return nil }
            // A backslash.
            escapes = true
            guard index + 1 < bytes.count else { return nil }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 2
            case UInt8(ascii: "u"):
                guard JSONStringDecoder.hex4(bytes, at: index + 2) != nil else { return nil }
                index += 6
            default:
                return nil
            }
        }
        return nil
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        guard Self.isLiteral(word, in: bytes, at: index) else { return false }
        index += word.utf8CodeUnitCount
        return true
    }

    private mutating func number() -> Bool {
        guard let end = Self.numberEnd(in: bytes, from: index) else { return false }
        index = end
        return true
    }

    /// Whether `word` is written at `start` of `bytes`. Both walks read `true`, `false` and `null` with it.
    @inline(__always)
    static func isLiteral(_ word: StaticString, in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard start >= 0, start + length <= bytes.count else { return false }
        let text = word.utf8Start
        for offset in 0..<length where bytes[start + offset] != text[offset] { return false }
        return true
    }

    /// The end of the number at `start` of `bytes` per RFC 8259's grammar, or nil when there is none. Both walks
    /// read numbers with it.
    static func numberEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var position = start
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count else { return nil }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard let end = digitsEnd(in: bytes, from: position) else { return nil }
            position = end
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            guard let end = digitsEnd(in: bytes, from: position + 1) else { return nil }
            position = end
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard let end = digitsEnd(in: bytes, from: position) else { return nil }
            position = end
        }
        return position
    }

    /// The end of the run of one or more digits at `start`, or nil when there is none.
    @inline(__always)
    private static func digitsEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var position = start
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position > start ? position : nil
    }

    /// Whether the member name at `range` equals `expected`, decoding escapes only when the name has any.
    private func nameEquals(_ range: Range<Int>, escapes: Bool, _ expected: [UInt8]) -> Bool {
        if !escapes {
            guard range.count == expected.count else { return false }
            var offset = 0
            for position in range {
                if bytes[position] != expected[offset] { return false }
                offset += 1
            }
            return true
        }
        var decoded: [UInt8] = []
        guard JSONStringDecoder.unescape(UnsafeBufferPointer(rebasing: bytes[range]), into: &decoded) else { return false }
        return decoded == expected
    }
}

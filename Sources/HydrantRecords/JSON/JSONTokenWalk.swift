/// `JSONScanner.find` over a document's token mask (`JSONTokenIndex`): steps from token to token by bit search and
/// reads only the bytes between them that are not strings (whitespace and scalars). Accepts, rejects and finds
/// exactly what the byte walk does, for every document the index can be built for whose first token is `{`.
struct JSONTokenWalk {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let tokens: UnsafePointer<UInt64>
    private let blocks: Int
    private let paths: [JSONPath]
    private let maximumDepth: Int
    /// The block of the next token and the bits of that block not yet taken.
    private var block = 0
    private var word: UInt64

    private static let quote = UInt8(ascii: "\"")

    private init(base: UnsafePointer<UInt8>, masks: JSONTokenMasks, paths: [JSONPath], maximumDepth: Int) {
        self.base = base
        count = masks.count
        tokens = masks.tokens
        blocks = masks.blocks
        self.paths = paths
        self.maximumDepth = maximumDepth
        word = blocks > 0 ? masks.tokens[0] : 0
    }

    /// Walks `document`; nil when the walk does not apply (the first token is not an opening brace: the byte walk
    /// decides), otherwise whether the document is well-formed, with `results` filled as `JSONScanner.find` says.
    static func find(_ paths: [JSONPath], in document: UnsafeBufferPointer<UInt8>, masks: JSONTokenMasks, mask: UInt64,
                     maximumDepth: Int, results: inout [JSONScalar?]) -> Bool? {
        guard let base = document.baseAddress else { return nil }
        var walk = JSONTokenWalk(base: base, masks: masks, paths: paths, maximumDepth: maximumDepth)
        let first = walk.nextToken()
        guard first < walk.count, base[first] == UInt8(ascii: "{"), walk.onlyWhitespace(from: 0, to: first) else {
            return nil
        }
        guard let close = walk.object(at: first, depth: 1, mask: mask, results: &results) else { return false }
        return walk.nextToken() == walk.count && walk.onlyWhitespace(from: close + 1, to: walk.count)
    }

    /// The position of the next token, or `count` when there is none left.
    @inline(__always)
    private mutating func nextToken() -> Int {
        while word == 0 {
            block &+= 1
            guard block < blocks else { return count }
            word = tokens[block]
        }
        let position = block &<< 6 | word.trailingZeroBitCount
        word &= word &- 1
        return position
    }

    @inline(__always)
    private func onlyWhitespace(from start: Int, to end: Int) -> Bool {
        var position = start
        while position < end {
            guard JSONScanner.isWhitespace(base[position]) else { return false }
            position &+= 1
        }
        return true
    }

    @inline(__always)
    private func skipWhitespace(from start: Int, to end: Int) -> Int {
        var position = start
        while position < end, JSONScanner.isWhitespace(base[position]) { position &+= 1 }
        return position
    }

    /// Walks the object whose `{` is at `open` (a token already taken); returns the position of its `}`.
    private mutating func object(at open: Int, depth: Int, mask: UInt64, results: inout [JSONScalar?]) -> Int? {
        guard depth <= maximumDepth else { return nil }
        var token = nextToken()
        var start = skipWhitespace(from: open + 1, to: token)
        if start == token, token < count, base[token] == UInt8(ascii: "}") { return token }
        while true {
            guard start == token, token < count, base[token] == Self.quote else { return nil }
            let nameStart = token + 1
            let nameEnd = nextToken()
            let colon = nextToken()
            guard colon < count, base[colon] == UInt8(ascii: ":"), onlyWhitespace(from: nameEnd + 1, to: colon) else {
                return nil
            }
            var childMask: UInt64 = 0
            if mask != 0 {
                var remaining = mask
                while remaining != 0 {
                    let number = remaining.trailingZeroBitCount
                    remaining &= remaining &- 1
                    let components = paths[number].components
                    // `depth` counts this object; its members are component `depth - 1` of a path.
                    guard components.count >= depth, nameEquals(nameStart..<nameEnd, components[depth - 1]) else { continue }
                    childMask |= 1 << UInt64(number)
                }
                if childMask != 0 {
                    // A repeated member replaces what an earlier one set, even when the new value is not a scalar.
                    var cleared = childMask
                    while cleared != 0 {
                        results[cleared.trailingZeroBitCount] = nil
                        cleared &= cleared &- 1
                    }
                }
            }
            let valueToken = nextToken()
            guard let after = value(from: skipWhitespace(from: colon + 1, to: valueToken), token: valueToken,
                                    depth: depth, mask: childMask, results: &results),
                  after < count else { return nil }
            switch base[after] {
            case UInt8(ascii: ","):
                token = nextToken()
                start = skipWhitespace(from: after + 1, to: token)
            case UInt8(ascii: "}"):
                return after
            default:
                return nil
            }
        }
    }

    /// Walks the array whose `[` is at `open`; returns the position of its `]`. Nothing inside an array is recorded.
    private mutating func array(at open: Int, depth: Int) -> Int? {
        guard depth <= maximumDepth else { return nil }
        var token = nextToken()
        var start = skipWhitespace(from: open + 1, to: token)
        if start == token, token < count, base[token] == UInt8(ascii: "]") { return token }
        var unused: [JSONScalar?] = []
        while true {
            guard let after = value(from: start, token: token, depth: depth, mask: 0, results: &unused), after < count else {
                return nil
            }
            switch base[after] {
            case UInt8(ascii: ","):
                token = nextToken()
                start = skipWhitespace(from: after + 1, to: token)
            case UInt8(ascii: "]"):
                return after
            default:
                return nil
            }
        }
    }

    /// Walks the value starting at `start` (its first byte that is not whitespace), where `token` is the first token
    /// at or after it (already taken); records it for the paths of `mask` that end here, and returns the position of
    /// the token that follows it.
    @inline(__always)
    private mutating func value(from start: Int, token: Int, depth: Int, mask: UInt64,
                                results: inout [JSONScalar?]) -> Int? {
        guard start < count else { return nil }
        var end: Int
        if start == token {
            switch base[token] {
            case Self.quote:
                let closing = nextToken()
                guard closing < count else { return nil }
                record(JSONScalar(kind: .string(hasEscapes: false), range: (token + 1)..<closing), depth: depth,
                       mask: mask, results: &results)
                end = closing
            case UInt8(ascii: "{"):
                guard let close = object(at: token, depth: depth + 1, mask: mask, results: &results) else { return nil }
                end = close
            case UInt8(ascii: "["):
                guard let close = array(at: token, depth: depth + 1) else { return nil }
                end = close
            default:
                return nil
            }
            let next = nextToken()
            return onlyWhitespace(from: end + 1, to: next) ? next : nil
        }
        // A scalar: it ends before the next token, with only whitespace between.
        switch base[start] {
        case UInt8(ascii: "t"):
            guard literal("true", at: start) else { return nil }
            end = start + 4
            record(JSONScalar(kind: .bool(true), range: start..<end), depth: depth, mask: mask, results: &results)
        case UInt8(ascii: "f"):
            guard literal("false", at: start) else { return nil }
            end = start + 5
            record(JSONScalar(kind: .bool(false), range: start..<end), depth: depth, mask: mask, results: &results)
        case UInt8(ascii: "n"):
            guard literal("null", at: start) else { return nil }
            end = start + 4
        default:
            guard let numberEnd = number(at: start) else { return nil }
            end = numberEnd
            record(JSONScalar(kind: .number, range: start..<end), depth: depth, mask: mask, results: &results)
        }
        return end <= token && onlyWhitespace(from: end, to: token) ? token : nil
    }

    @inline(__always)
    private func record(_ scalar: JSONScalar, depth: Int, mask: UInt64, results: inout [JSONScalar?]) {
        var remaining = mask
        while remaining != 0 {
            let number = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            if paths[number].components.count == depth { results[number] = scalar }
        }
    }

    private func literal(_ word: StaticString, at start: Int) -> Bool {
        let length = word.utf8CodeUnitCount
        guard start + length <= count else { return false }
        let text = word.utf8Start
        for offset in 0..<length where base[start + offset] != text[offset] { return false }
        return true
    }

    /// The end of the number at `start` per RFC 8259's grammar, or nil when there is none.
    private func number(at start: Int) -> Int? {
        var position = start
        if base[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count else { return nil }
        if base[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            guard let end = digits(from: position) else { return nil }
            position = end
        }
        if position < count, base[position] == UInt8(ascii: ".") {
            guard let end = digits(from: position + 1) else { return nil }
            position = end
        }
        if position < count, base[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") { position += 1 }
            guard let end = digits(from: position) else { return nil }
            position = end
        }
        return position
    }

    /// The end of the run of one or more digits at `start`, or nil when there is none.
    @inline(__always)
    private func digits(from start: Int) -> Int? {
        var position = start
        while position < count, base[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position > start ? position : nil
    }

    /// Whether the member name at `range` (no escapes: the index is only built for such documents) is `expected`.
    @inline(__always)
    private func nameEquals(_ range: Range<Int>, _ expected: [UInt8]) -> Bool {
        guard range.count == expected.count else { return false }
        return expected.withUnsafeBufferPointer { expected in
            var offset = 0
            while offset < expected.count {
                guard base[range.lowerBound &+ offset] == expected[offset] else { return false }
                offset &+= 1
            }
            return true
        }
    }
}

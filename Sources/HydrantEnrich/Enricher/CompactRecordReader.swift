import HydrantRecords

/// The record walk for the common record: indexed (no escapes, see `StructuralIndex`) and compact (no whitespace
/// between tokens, as every encoder of this project writes). It reads the same `RecordLayout` as `RecordLayout.read`,
/// with the position held in a register and no whitespace to skip between tokens: a member costs a key's closing
/// quote (a bit search), a byte or two of punctuation and its value's end, and keys are told apart by their length
/// first.
///
/// Anything else (whitespace between tokens, a missing string end, punctuation out of place) makes it give up, and the record is walked by `RecordLayout.read`, which decides: so a layout returned here is
/// always the one `RecordLayout.read` returns, for any input (tested against it on every truncation and thousands of
/// mutations of the grammar's corner cases).
struct CompactRecordReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    let masks: StructuralMasks

    private static var quote: UInt8 { UInt8(ascii: "\"") }
    private static var colon: UInt8 { UInt8(ascii: ":") }
    private static var comma: UInt8 { UInt8(ascii: ",") }
    private static var openBrace: UInt8 { UInt8(ascii: "{") }
    private static var closeBrace: UInt8 { UInt8(ascii: "}") }

    /// The layout of the record, or nil when this walk cannot tell (then `RecordLayout.read` must).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, masks: StructuralMasks) -> RecordLayout? {
        guard let base = bytes.baseAddress, bytes.count >= 2, masks.count == bytes.count else { return nil }
        return CompactRecordReader(base: base, count: bytes.count, masks: masks).read()
    }

    private func read() -> RecordLayout? {
        guard base[0] == Self.openBrace else { return nil }
        var layout = RecordLayout()
        let object = members(from: 1) { key, length, value in
            switch length {
            case 6:
                if matches(key, "source") { return endpoint(value, &layout.source) }
                if matches(key, "threat") { layout.hasThreat = true }
            case 11:
                if matches(key, "destination") { return endpoint(value, &layout.destination) }
            case 7:
                if matches(key, "network") { return network(value, &layout) }
            case 3:
                if matches(key, "dns") { return dns(value, &layout) }
                if matches(key, "url") { return url(value, &layout) }
                if matches(key, "tls") { return tls(value, &layout) }
            default:
                break
            }
            return skipValue(value)
        }
        guard object.end >= 0 else { return nil }
        // Only whitespace may follow the object (a line's newline).
        var index = object.end
        while index < count {
            let byte = base[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return nil }
            index += 1
        }
        layout.close = object.close
        layout.isEmpty = object.isEmpty
        return layout
    }

    /// Walks the members of the object whose first member (or `}`) is at `start`, calling `member` with each key's
    /// start and length and the value's position; `member` returns the position after the value, or -1 to give up.
    /// Returns the position after the object, its `}` and whether it is empty; `end` is -1 when the walk gives up.
    @inline(__always)
    private func members(from start: Int, _ member: (Int, Int, Int) -> Int) -> (end: Int, close: Int, isEmpty: Bool) {
        var index = start
        guard index < count else { return (-1, -1, true) }
        if base[index] == Self.closeBrace { return (index + 1, index, true) }
        while true {
            // Here `index` is at a key's opening quote, or the walk gives up.
            guard index < count, base[index] == Self.quote else { return (-1, -1, true) }
            let closing = nextQuote(from: index &+ 1)
            let value = closing &+ 2
            guard value < count, base[closing &+ 1] == Self.colon else { return (-1, -1, true) }
            let after = member(index &+ 1, closing &- index &- 1, value)
            guard after >= 0, after < count else { return (-1, -1, true) }
            let next = base[after]
            if next == Self.comma {
                index = after &+ 1
            } else if next == Self.closeBrace {
                return (after &+ 1, after, false)
            } else {
                return (-1, -1, true)
            }
        }
    }

    /// The first quote at or after `start`, or `count`: `StructuralMasks.nextQuote`, written out here so that it is
    /// inlined (it runs for every string, and a call cost about as much as the search).
    @inline(__always)
    private func nextQuote(from start: Int) -> Int {
        guard UInt(bitPattern: start) < UInt(bitPattern: count) else { return count }
        let quotes = masks.quotes
        var block = start &>> 6
        var word = quotes[block] & (UInt64.max &<< UInt64(truncatingIfNeeded: start))
        while word == 0 {
            block &+= 1
            guard block < masks.blocks else { return count }
            word = quotes[block]
        }
        return block &<< 6 | word.trailingZeroBitCount
    }

    /// The first quote or bracket at or after `start`, or `count` (`StructuralMasks.nextStructural`, inlined).
    @inline(__always)
    private func nextStructural(from start: Int) -> Int {
        guard UInt(bitPattern: start) < UInt(bitPattern: count) else { return count }
        var block = start &>> 6
        var word = (masks.quotes[block] | masks.brackets[block]) & (UInt64.max &<< UInt64(truncatingIfNeeded: start))
        while word == 0 {
            block &+= 1
            guard block < masks.blocks else { return count }
            word = masks.quotes[block] | masks.brackets[block]
        }
        return block &<< 6 | word.trailingZeroBitCount
    }

    /// Whether the key of `name.utf8CodeUnitCount` bytes at `start` is `name` (its length already checked).
    @inline(__always)
    private func matches(_ start: Int, _ name: StaticString) -> Bool {
        let length = name.utf8CodeUnitCount
        let text = name.utf8Start
        if length <= 8, start &+ 8 <= count {
            // One load and compare (the name's bytes fold into a constant), instead of a loop over the bytes.
            var expected: UInt64 = 0
            for offset in 0..<length { expected |= UInt64(text[offset]) &<< UInt64(offset &* 8) }
            let mask: UInt64 = length == 8 ? ~0 : (1 &<< UInt64(length &* 8)) &- 1
            let word = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
            return word & mask == expected
        }
        var offset = 0
        while offset < length {
            if base[start + offset] != text[offset] { return false }
            offset += 1
        }
        return true
    }

    /// The position after the value at `value`, or -1 to give up. Strings end at the next quote; numbers are runs
    /// of number bytes, as `RecordWalker.skipValue` reads them; objects and arrays are skipped by their brackets.
    @inline(__always)
    private func skipValue(_ value: Int) -> Int {
        let first = base[value]
        if first == Self.quote {
            let closing = nextQuote(from: value &+ 1)
            return closing < count ? closing &+ 1 : -1
        }
        if first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 { return numberEnd(value) }
        if first == Self.openBrace || first == UInt8(ascii: "[") { return nestedEnd(value) }
        if first == UInt8(ascii: "t") || first == UInt8(ascii: "f") || first == UInt8(ascii: "n") {
            // Literals, by the same parser as `RecordWalker.skipValue`.
            return JSONScanner.endOfValue(in: UnsafeBufferPointer(start: base, count: count), from: value) ?? -1
        }
        return -1
    }

    /// Where the run of number bytes (`0-9 . e E + -`) starting at `value` ends.
    @inline(__always)
    private func numberEnd(_ value: Int) -> Int {
        var position = value &+ 1
        while position < count, Self.isNumberByte(base[position]) { position &+= 1 }
        return position
    }

    /// Whether `byte` may be part of a number (the loose set `RecordWalker.skipValue` accepts).
    @inline(__always)
    static func isNumberByte(_ byte: UInt8) -> Bool {
        // Bits 43 (+), 45 (-), 46 (.), 48...57 (digits) of the low word; 69 (E) and 101 (e) in the high one.
        let low: UInt64 = 0x03FF_6800_0000_0000
        let high: UInt64 = 0x0000_0020_0000_0020
        if byte < 64 { return (low >> UInt64(byte)) & 1 != 0 }
        if byte < 128 { return (high >> UInt64(byte &- 64)) & 1 != 0 }
        return false
    }

    /// The position after the object or array at `value`, found by its brackets (as `RecordWalker.skipValue`
    /// does, with the same depth bound), or -1.
    ///
    /// A word at a time: the bits from each quote to the next one (a running xor of the quote bits, strings pairing
    /// up from `value` on, as the byte walk pairs them) mark the strings, and only the brackets outside them are
    /// visited, instead of stepping from quote to quote.
    private func nestedEnd(_ value: Int) -> Int {
        var depth = 0
        var block = value &>> 6
        let first = UInt64.max &<< UInt64(truncatingIfNeeded: value)
        var quotes = masks.quotes[block] & first
        var brackets = masks.brackets[block] & first
        // All ones when a string is still open at the end of the previous word.
        var openString: UInt64 = 0
        while true {
            var inString = quotes
            inString ^= inString &<< 1
            inString ^= inString &<< 2
            inString ^= inString &<< 4
            inString ^= inString &<< 8
            inString ^= inString &<< 16
            inString ^= inString &<< 32
            inString ^= openString
            openString = 0 &- (inString &>> 63)
            var outside = brackets & ~inString
            while outside != 0 {
                let position = block &<< 6 | outside.trailingZeroBitCount
                if base[position] | 0x20 == Self.openBrace {
                    depth &+= 1
                    guard depth <= RecordWalker.maximumDepth else { return -1 }
                } else {
                    depth &-= 1
                    if depth == 0 { return position &+ 1 }
                }
                outside &= outside &- 1
            }
            block &+= 1
            guard block < masks.blocks else { return -1 }
            quotes = masks.quotes[block]
            brackets = masks.brackets[block]
        }
    }

    /// A string value's content, or nil (the value then skipped) when it is something else; as
    /// `RecordWalker.captureString`. Returns the position after the value, or -1.
    @inline(__always)
    private func captureString(_ value: Int, _ into: inout Range<Int>?) -> Int {
        if base[value] == Self.quote {
            let closing = nextQuote(from: value &+ 1)
            guard closing < count else { return -1 }
            into = (value &+ 1)..<closing
            return closing &+ 1
        }
        into = nil
        return skipValue(value)
    }

    /// An object value's members (`member` as in `members`), or any other value skipped: the position after it, its
    /// `}` (-1 for a non-object) and emptiness, as `RecordLayout`'s walk reads them.
    @inline(__always)
    private func object(_ value: Int, _ member: (Int, Int, Int) -> Int) -> (end: Int, close: Int, isEmpty: Bool) {
        guard base[value] == Self.openBrace else { return (skipValue(value), -1, true) }
        return members(from: value &+ 1, member)
    }

    private func endpoint(_ value: Int, _ endpoint: inout RecordLayout.Endpoint) -> Int {
        var found = endpoint
        let object = object(value) { key, length, value in
            switch length {
            case 2:
                if matches(key, "ip") { return captureString(value, &found.ip) }
                if matches(key, "as") { found.hasGeo = true }
            case 3:
                if matches(key, "geo") { found.hasGeo = true }
            case 5:
                if matches(key, "asset") { found.hasAsset = true }
            default:
                break
            }
            return skipValue(value)
        }
        guard object.end >= 0 else { return -1 }
        found.close = object.close
        found.isEmpty = object.isEmpty
        endpoint = found
        return object.end
    }

    private func network(_ value: Int, _ layout: inout RecordLayout) -> Int {
        var hasDirection = false
        let object = object(value) { key, length, value in
            if length == 9, matches(key, "direction") { hasDirection = true }
            return skipValue(value)
        }
        guard object.end >= 0 else { return -1 }
        layout.hasNetwork = true
        layout.hasDirection = hasDirection
        layout.networkClose = object.close
        layout.networkIsEmpty = object.isEmpty
        return object.end
    }

    private func dns(_ value: Int, _ layout: inout RecordLayout) -> Int {
        var name: Range<Int>?
        var hasScores = false
        var question: (close: Int, isEmpty: Bool) = (-1, true)
        let object = object(value) { key, length, value in
            guard length == 8, matches(key, "question") else { return skipValue(value) }
            let inner = self.object(value) { key, length, value in
                if length == 4, matches(key, "name") { return captureString(value, &name) }
                if (length == 7 && matches(key, "entropy")) || (length == 9 && matches(key, "dga_score")) {
                    hasScores = true
                }
                return skipValue(value)
            }
            guard inner.end >= 0 else { return -1 }
            question = (inner.close, inner.isEmpty)
            return inner.end
        }
        guard object.end >= 0 else { return -1 }
        layout.questionName = name
        layout.questionClose = question.close
        layout.questionIsEmpty = question.isEmpty
        layout.hasScores = hasScores
        return object.end
    }

    private func url(_ value: Int, _ layout: inout RecordLayout) -> Int {
        var domain: Range<Int>?
        var original: Range<Int>?
        let object = object(value) { key, length, value in
            if length == 6, matches(key, "domain") { return captureString(value, &domain) }
            if length == 8, matches(key, "original") { return captureString(value, &original) }
            return skipValue(value)
        }
        guard object.end >= 0 else { return -1 }
        layout.urlDomain = domain
        layout.urlOriginal = original
        return object.end
    }

    private func tls(_ value: Int, _ layout: inout RecordLayout) -> Int {
        var serverName: Range<Int>?
        var ja3: Range<Int>?
        var ja4: Range<Int>?
        let object = object(value) { key, length, value in
            guard length == 6, matches(key, "client") else { return skipValue(value) }
            return self.object(value) { key, length, value in
                if length == 11, matches(key, "server_name") { return captureString(value, &serverName) }
                if length == 3, matches(key, "ja3") { return captureString(value, &ja3) }
                if length == 3, matches(key, "ja4") { return captureString(value, &ja4) }
                return skipValue(value)
            }.end
        }
        guard object.end >= 0 else { return -1 }
        layout.serverName = serverName
        layout.ja3 = ja3
        layout.ja4 = ja4
        return object.end
    }
}

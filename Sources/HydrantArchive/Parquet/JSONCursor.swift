import HydrantRecords

/// A position in a JSON document with the grammar's small steps (RFC 8259), for `JSONRecordShredder`.
struct Cursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int

    /// The byte at the cursor, or 0 at the end (0 never starts a JSON token).
    @inline(__always)
    var peek: UInt8 { index < bytes.count ? bytes[index] : 0 }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count, JSONScanner.isWhitespace(bytes[index]) { index += 1 }
    }

    func malformed(_ what: String) -> JSONRecordShredder.Failure {
        JSONRecordShredder.Failure(message: "the record is not well-formed JSON: \(what) at byte \(index + 1)",
                                   malformed: true)
    }

    /// How a value starting with `byte` is named in messages.
    static func kindName(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "{"): "an object"
        case UInt8(ascii: "["): "a list"
        case UInt8(ascii: "\""): "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "a boolean"
        case UInt8(ascii: "n"): "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): "a number"
        default: "a malformed value"
        }
    }

    /// Skips `word` when it is at the cursor.
    @inline(__always)
    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let text = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != text[offset] { return false }
        index += count
        return true
    }

    /// Skips a string at its opening quote; returns whether it had escapes, nil when malformed.
    mutating func string() -> Bool? {
        guard let string = JSONScanner.endOfString(in: bytes, openingQuote: index) else { return nil }
        index = string.end
        return string.hasEscapes
    }

    /// Skips a number; returns whether it is integral (no fraction, no exponent), nil when malformed.
    mutating func number() -> Bool? {
        var integral = true
        if peek == UInt8(ascii: "-") { index += 1 }
        if peek == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() else { return nil }
        }
        if peek == UInt8(ascii: ".") {
            index += 1
            integral = false
            guard digits() else { return nil }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            integral = false
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() else { return nil }
        }
        return integral
    }

    @inline(__always)
    private mutating func digits() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index > start
    }

    /// Skips any well-formed value, nesting at most `JSONRecordShredder.maximumDepth` levels.
    mutating func skipValue(depth: Int) throws(JSONRecordShredder.Failure) {
        switch peek {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let closer: UInt8 = peek == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = closer == UInt8(ascii: "}")
            guard depth + 1 <= JSONRecordShredder.maximumDepth else {
                throw malformed("nests deeper than \(JSONRecordShredder.maximumDepth) levels")
            }
            index += 1
            skipWhitespace()
            if peek == closer {
                index += 1
                return
            }
            while true {
                if isObject {
                    guard peek == UInt8(ascii: "\""), string() != nil else { throw malformed("expected a member name") }
                    skipWhitespace()
                    guard peek == UInt8(ascii: ":") else { throw malformed("expected ':'") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    continue
                }
                guard peek == closer else { throw malformed("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
                index += 1
                return
            }
        case UInt8(ascii: "\""):
            guard string() != nil else { throw malformed("bad string") }
        case UInt8(ascii: "t"):
            guard literal("true") else { throw malformed("bad literal") }
        case UInt8(ascii: "f"):
            guard literal("false") else { throw malformed("bad literal") }
        case UInt8(ascii: "n"):
            guard literal("null") else { throw malformed("bad literal") }
        default:
            guard number() != nil else { throw malformed("bad value") }
        }
    }
}

/// UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), with an ASCII fast path.
enum UTF8Check {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        guard let base = bytes.baseAddress else { return true }
        while index < count {
            while index + 8 <= count,
                  UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
            }
            guard index < count else { return true }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fast path of `HTTPHeadParser`: reads the heads real traffic sends (ASCII, no folded lines, well-formed) over
/// bytes in place, making Strings only for the fields kept. Anything else (non-ASCII bytes, folding, a grammar
/// error) gives nil, and the parser reads the head again the general way, so both paths agree by construction.
enum HTTPHeadScanner {
    /// Where the head at the start of `bytes` ends (just past its empty line), or what to answer when it has not
    /// ended within `HTTPHeadParser.maximumHeadBytes`.
    static func headEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Int, HeadLines.Incomplete> {
        let limit = min(bytes.count, HTTPHeadParser.maximumHeadBytes)
        guard let base = bytes.baseAddress else { return .failure(.needMore) }
        var index = 0
        while index < limit {
            // The head ends at the first empty line: "\n\n" or "\n\r\n".
            guard let found = memchrLF(base + index, limit - index) else { break }
            let position = found - base
            if position + 1 < limit, base[position + 1] == 0x0A { return .success(position + 2) }
            if position + 2 < limit, base[position + 1] == 0x0D, base[position + 2] == 0x0A { return .success(position + 3) }
            index = position + 1
        }
        return .failure(bytes.count >= HTTPHeadParser.maximumHeadBytes ? .tooLarge : .needMore)
    }

    /// The request head of `bytes`, whose head ends at `end`; nil when it needs the general parser. The Host,
    /// User-Agent and Referer values come from `strings` when it holds them (the same clients send the same ones).
    static func request(_ bytes: UnsafeBufferPointer<UInt8>, end: Int, strings: RecentStrings? = nil) -> HTTPRequestHead? {
        guard let base = bytes.baseAddress, isASCII(base, end) else { return nil }
        var lines = Lines(base: base, end: end)
        guard let start = lines.next(), start.count > 0 else { return nil }
        // Exactly two spaces: method, target, version.
        guard let firstSpace = start.firstIndex(of: 0x20, from: 0),
              let secondSpace = start.firstIndex(of: 0x20, from: firstSpace + 1),
              start.firstIndex(of: 0x20, from: secondSpace + 1) == nil else { return nil }
        let method = start.slice(0, firstSpace)
        let target = start.slice(firstSpace + 1, secondSpace)
        guard method.count > 0, method.allSatisfy(HTTPHeadParser.isTokenByte),
              target.count > 0, !target.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
              let version = version(start.slice(secondSpace + 1, start.count)) else { return nil }
        var head = HTTPRequestHead(method: method.text, target: target.text, version: version, host: nil,
                                   userAgent: nil, referrer: nil, contentLength: nil, chunked: false)
        var contentLength: Int?
        while let line = lines.next() {
            if line.count == 0 { break }
            guard let (name, value) = header(line) else { return nil }
            switch name {
            case .host: if head.host == nil { head.host = value.text(from: strings) }
            case .userAgent: if head.userAgent == nil { head.userAgent = value.text(from: strings) }
            case .referer: if head.referrer == nil { head.referrer = value.text(from: strings) }
            case .transferEncoding: head.chunked = isChunked(value)
            case .contentLength: guard mergeContentLength(value, into: &contentLength) else { return nil }
            case .contentType, .other: continue
            }
        }
        head.contentLength = contentLength
        return head
    }

    /// The response head of `bytes`, whose head ends at `end`; nil when it needs the general parser.
    static func response(_ bytes: UnsafeBufferPointer<UInt8>, end: Int) -> HTTPResponseHead? {
        guard let base = bytes.baseAddress, isASCII(base, end) else { return nil }
        var lines = Lines(base: base, end: end)
        guard let start = lines.next(), start.count > 0,
              let firstSpace = start.firstIndex(of: 0x20, from: 0),
              let version = version(start.slice(0, firstSpace)) else { return nil }
        let statusEnd = start.firstIndex(of: 0x20, from: firstSpace + 1) ?? start.count
        let statusText = start.slice(firstSpace + 1, statusEnd)
        guard statusText.count == 3, statusText.allSatisfy(HTTPHeadParser.isDigit) else { return nil }
        let status = Int(statusText[0] - 0x30) * 100 + Int(statusText[1] - 0x30) * 10 + Int(statusText[2] - 0x30)
        guard status >= 100 else { return nil }
        var head = HTTPResponseHead(version: version, status: status, mimeType: nil, contentLength: nil, chunked: false)
        var contentLength: Int?
        while let line = lines.next() {
            if line.count == 0 { break }
            guard let (name, value) = header(line) else { return nil }
            switch name {
            case .contentType where head.mimeType == nil:
                let type = trimmed(value.slice(0, value.firstIndex(of: UInt8(ascii: ";"), from: 0) ?? value.count))
                head.mimeType = type.count == 0 ? nil : type.lowercasedText
            case .transferEncoding: head.chunked = isChunked(value)
            case .contentLength: guard mergeContentLength(value, into: &contentLength) else { return nil }
            case .contentType, .host, .userAgent, .referer, .other: continue
            }
        }
        head.contentLength = contentLength
        return head
    }

    // MARK: - URL parts

    /// Calls `body` with the bytes of `text` when they are ASCII without a carriage return (then a byte is a
    /// Character, and the byte versions below agree with the String ones); nil otherwise.
    static func withPlainASCII<R>(_ text: String, _ body: (Span) -> R) -> R? {
        var text = text
        return text.withUTF8 { bytes -> R? in
            guard let base = bytes.baseAddress else {
                let zero: UInt8 = 0
                return withUnsafePointer(to: zero) { body(Span(base: $0, count: 0)) }
            }
            guard isASCII(base, bytes.count), memchr(base, 0x0D, bytes.count) == nil else { return nil }
            return body(Span(base: base, count: bytes.count))
        }
    }

    /// `HTTPHeadParser.domain(ofAuthority:)` over bytes.
    static func domain(ofAuthority authority: Span) -> String? {
        var start = 0
        var end = authority.count
        if let at = authority.lastIndex(of: UInt8(ascii: "@"), before: end) { start = at + 1 }
        if start < end, authority[start] == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]"), from: start) else { return nil }
            end = close + 1
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":"), before: end), colon >= start,
                  authority.slice(colon + 1, end).allSatisfy(HTTPHeadParser.isDigit) {
            end = colon
        }
        return end > start ? authority.slice(start, end).lowercasedText : nil
    }

    /// `HTTPHeadParser.authority(ofAbsoluteTarget:)` over bytes.
    static func authority(ofAbsoluteTarget target: Span) -> String? {
        guard target.count == 0 || target[0] != UInt8(ascii: "/"), let after = afterSchemeSeparator(target) else {
            return nil
        }
        var end = after
        while end < target.count, !isPathStart(target[end]) { end += 1 }
        return end > after ? target.slice(after, end).text : nil
    }

    /// `HTTPHeadParser.path(ofTarget:)` over bytes.
    static func path(ofTarget target: Span) -> String? {
        var start = 0
        if target.count == 0 || target[0] != UInt8(ascii: "/") {
            guard let after = afterSchemeSeparator(target) else { return nil }
            start = after
            while start < target.count, !isPathStart(target[start]) { start += 1 }
            guard start < target.count, target[start] == UInt8(ascii: "/") else { return "/" }
        }
        var end = start
        while end < target.count, target[end] != UInt8(ascii: "?"), target[end] != UInt8(ascii: "#") { end += 1 }
        return target.slice(start, end).text
    }

    @inline(__always)
    private static func isPathStart(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") || byte == UInt8(ascii: "#")
    }

    /// The index just past the `://` of an absolute URL whose scheme is letters, digits, `+`, `-` or `.`.
    private static func afterSchemeSeparator(_ target: Span) -> Int? {
        for index in 0..<target.count {
            let byte = target[index]
            if byte == UInt8(ascii: ":") {
                guard index > 0, target.count - index >= 3, target[index + 1] == UInt8(ascii: "/"),
                      target[index + 2] == UInt8(ascii: "/") else { return nil }
                return index + 3
            }
            let isSchemeByte = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || HTTPHeadParser.isDigit(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isSchemeByte else { return nil }
        }
        return nil
    }

    // MARK: - Pieces

    /// A run of head bytes.
    struct Span {
        let base: UnsafePointer<UInt8>
        let count: Int

        subscript(index: Int) -> UInt8 { base[index] }

        func slice(_ from: Int, _ to: Int) -> Span { Span(base: base + from, count: to - from) }

        func firstIndex(of byte: UInt8, from start: Int) -> Int? {
            var index = start
            while index < count {
                if base[index] == byte { return index }
                index += 1
            }
            return nil
        }

        func lastIndex(of byte: UInt8, before end: Int) -> Int? {
            var index = end - 1
            while index >= 0 {
                if base[index] == byte { return index }
                index -= 1
            }
            return nil
        }

        func allSatisfy(_ predicate: (UInt8) -> Bool) -> Bool {
            for index in 0..<count where !predicate(base[index]) { return false }
            return true
        }

        func contains(where predicate: (UInt8) -> Bool) -> Bool { !allSatisfy { !predicate($0) } }

        var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

        /// `text`, from `strings` when given.
        @inline(__always)
        func text(from strings: RecentStrings?) -> String {
            guard let strings else { return text }
            return strings.string(UnsafeRawBufferPointer(start: base, count: count))
        }

        /// The text with ASCII upper case lowered (the bytes are ASCII here).
        var lowercasedText: String {
            String(unsafeUninitializedCapacity: count) { out in
                for index in 0..<count {
                    let byte = base[index]
                    out[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                }
                return count
            }
        }

        /// Whether the bytes spell `lowercase` in any ASCII case.
        func equalsIgnoringCase(_ lowercase: StaticString) -> Bool {
            guard lowercase.utf8CodeUnitCount == count else { return false }
            let expected = lowercase.utf8Start
            for index in 0..<count {
                var byte = base[index]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != expected[index] { return false }
            }
            return true
        }
    }

    /// The lines of a head, without their line ends (LF, or CR LF).
    struct Lines {
        let base: UnsafePointer<UInt8>
        let end: Int
        var position = 0

        init(base: UnsafePointer<UInt8>, end: Int) {
            self.base = base
            self.end = end
        }

        mutating func next() -> Span? {
            guard position < end, let found = memchrLF(base + position, end - position) else { return nil }
            let lineFeed = found - base
            var lineEnd = lineFeed
            if lineEnd > position, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { position = lineFeed + 1 }
            return Span(base: base + position, count: lineEnd - position)
        }
    }

    /// The headers the parser reads.
    enum Name {
        case host, userAgent, referer, contentLength, transferEncoding, contentType, other
    }

    /// A header line's name and trimmed value; nil for a folded line or a line that breaks the grammar.
    private static func header(_ line: Span) -> (Name, Span)? {
        guard line[0] != 0x20, line[0] != 0x09, let colon = line.firstIndex(of: UInt8(ascii: ":"), from: 0) else {
            return nil
        }
        let name = line.slice(0, colon)
        guard name.count > 0, name.allSatisfy(HTTPHeadParser.isTokenByte) else { return nil }
        let kind: Name
        switch name.count {
        case 4 where name.equalsIgnoringCase("host"): kind = .host
        case 7 where name.equalsIgnoringCase("referer"): kind = .referer
        case 10 where name.equalsIgnoringCase("user-agent"): kind = .userAgent
        case 12 where name.equalsIgnoringCase("content-type"): kind = .contentType
        case 14 where name.equalsIgnoringCase("content-length"): kind = .contentLength
        case 17 where name.equalsIgnoringCase("transfer-encoding"): kind = .transferEncoding
        default: kind = .other
        }
        return (kind, kind == .other ? name : trimmed(line.slice(colon + 1, line.count)))
    }

    /// `span` without leading and trailing spaces and tabs.
    private static func trimmed(_ span: Span) -> Span {
        var start = 0
        var end = span.count
        while start < end, span[start] == 0x20 || span[start] == 0x09 { start += 1 }
        while end > start, span[end - 1] == 0x20 || span[end - 1] == 0x09 { end -= 1 }
        return span.slice(start, end)
    }

    /// `1.1` or `1.0` for exactly `HTTP/1.1` or `HTTP/1.0`.
    private static func version(_ span: Span) -> String? {
        guard span.count == 8 else { return nil }
        let prefix: StaticString = "HTTP/1."
        for index in 0..<7 where span[index] != prefix.utf8Start[index] { return nil }
        switch span[7] {
        case UInt8(ascii: "1"): return "1.1"
        case UInt8(ascii: "0"): return "1.0"
        default: return nil
        }
    }

    /// Whether the last non-empty comma-separated coding of a Transfer-Encoding value is `chunked`.
    private static func isChunked(_ value: Span) -> Bool {
        var end = value.count
        while end > 0, value[end - 1] == UInt8(ascii: ",") { end -= 1 }
        guard end > 0 else { return false }
        var start = end
        while start > 0, value[start - 1] != UInt8(ascii: ",") { start -= 1 }
        return trimmed(value.slice(start, end)).equalsIgnoringCase("chunked")
    }

    /// Folds one Content-Length value (comma-separated copies allowed) into `length`; false when it is not a number
    /// or disagrees with what came before (the general parser then says which).
    private static func mergeContentLength(_ value: Span, into length: inout Int?) -> Bool {
        var start = 0
        while true {
            let end = value.firstIndex(of: UInt8(ascii: ","), from: start) ?? value.count
            let digits = trimmed(value.slice(start, end))
            guard digits.count > 0, digits.count <= 18, digits.allSatisfy(HTTPHeadParser.isDigit) else { return false }
            var number = 0
            for index in 0..<digits.count { number = number * 10 + Int(digits[index] - 0x30) }
            if let length, length != number { return false }
            length = number
            if end == value.count { return true }
            start = end + 1
        }
    }

    /// Whether the first `count` bytes at `base` are ASCII, eight at a time.
    private static func isASCII(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var index = 0
        let raw = UnsafeRawPointer(base)
        while index + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            index += 8
        }
        while index < count {
            if base[index] >= 0x80 { return false }
            index += 1
        }
        return true
    }

    /// The first line feed among `count` bytes at `start`.
    @inline(__always)
    private static func memchrLF(_ start: UnsafePointer<UInt8>, _ count: Int) -> UnsafePointer<UInt8>? {
        guard count > 0, let found = memchr(start, 0x0A, count) else { return nil }
        return UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
    }
}

/// A message head split into its start line and the headers the parsers read (names lower-cased, values trimmed,
/// folded lines joined); every line is checked against the grammar.
struct HeadLines {
    /// Why a head could not be split, as the parse result it becomes.
    enum Incomplete: Error {
        case needMore
        case tooLarge
        case invalid(String)

        func result<Head>() -> HTTPHeadParseResult<Head> {
            switch self {
            case .needMore: return .needMore
            case .tooLarge: return .tooLarge
            case .invalid(let reason): return .invalid(reason)
            }
        }
    }

    /// The start line, without its line end.
    let startLine: Substring
    /// The headers the parsers read (names lower-cased), in order; the others are checked and skipped.
    let headers: [(name: String, value: String)]
    /// Bytes of the head, its empty line included.
    let length: Int

    /// The header names `HTTPHeadParser` reads, lower case. Only these become Strings, so a head costs one String per
    /// header the records use rather than one per line.
    static let wanted: [[UInt8]] = ["host", "user-agent", "referer", "content-length", "transfer-encoding",
                                    "content-type"].map { Array($0.utf8) }

    /// Splits the head at the start of `bytes`; only the first `HTTPHeadParser.maximumHeadBytes` are examined.
    static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<HeadLines, Incomplete> {
        let limit = min(bytes.count, HTTPHeadParser.maximumHeadBytes)
        // The head ends at the first empty line: "\n\n" or "\n\r\n".
        var end = -1
        var index = 0
        while index < limit {
            if bytes[index] == 0x0A {
                if index + 1 < limit, bytes[index + 1] == 0x0A { end = index + 2; break }
                if index + 2 < limit, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { end = index + 3; break }
            }
            index += 1
        }
        guard end > 0 else { return .failure(bytes.count >= HTTPHeadParser.maximumHeadBytes ? .tooLarge : .needMore) }
        var startLine: Substring?
        var headers: [(name: String, value: String)] = []
        /// Whether the previous header line was kept, so a folded continuation joins it.
        var previousKept = false
        var sawHeader = false
        var lineStart = 0
        for position in 0..<end where bytes[position] == 0x0A {
            var lineEnd = position
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            defer { lineStart = position + 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if startLine == nil {
                guard !line.isEmpty else { return .failure(.invalid("empty start line")) }
                startLine = Substring(String(decoding: line, as: UTF8.self))
                continue
            }
            if line.isEmpty { break }
            if line[0] == 0x20 || line[0] == 0x09 {
                // Obsolete folding (RFC 9112 §5.2): the line continues the previous value.
                guard sawHeader else { return .failure(.invalid("folded line before any header")) }
                if previousKept { headers[headers.count - 1].value += " " + trimmed(line) }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(.invalid("header line without a colon"))
            }
            let name = UnsafeBufferPointer(rebasing: line[..<colon])
            guard !name.isEmpty, name.allSatisfy(HTTPHeadParser.isTokenByte) else {
                return .failure(.invalid("header name is not a token"))
            }
            sawHeader = true
            previousKept = false
            for wantedName in wanted where equalsIgnoringASCIICase(name, wantedName) {
                headers.append((String(decoding: wantedName, as: UTF8.self),
                                trimmed(UnsafeBufferPointer(rebasing: line[(colon + 1)...]))))
                previousKept = true
                break
            }
        }
        guard let startLine else { return .failure(.invalid("empty start line")) }
        return .success(HeadLines(startLine: startLine, headers: headers, length: end))
    }

    /// Whether `bytes` spell `lowercase` in any ASCII case.
    private static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != lowercase[index] { return false }
        }
        return true
    }

    /// The text of `bytes` without leading and trailing spaces and tabs.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}

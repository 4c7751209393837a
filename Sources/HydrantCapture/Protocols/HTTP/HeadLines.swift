/// A message head split into its start line and headers (names lower-cased, values trimmed, folded lines joined).
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
    /// The headers in order.
    let headers: [(name: String, value: String)]
    /// Bytes of the head, its empty line included.
    let length: Int

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
        // Lines are cut at LF bytes (in Swift a "\r\n" pair is one Character, so Strings cannot be split on "\n").
        var lines: [Substring] = []
        var lineStart = 0
        for position in 0..<end where bytes[position] == 0x0A {
            var lineEnd = position
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(Substring(String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), as: UTF8.self)))
            lineStart = position + 1
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard let start = lines.first, !start.isEmpty else { return .failure(.invalid("empty start line")) }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if line.first == " " || line.first == "\t" {
                // Obsolete folding (RFC 9112 §5.2): the line continues the previous value.
                guard !headers.isEmpty else { return .failure(.invalid("folded line before any header")) }
                headers[headers.count - 1].value += " " + HTTPHeadParser.trimmed(line)
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                return .failure(.invalid("header line without a colon"))
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.utf8.allSatisfy(HTTPHeadParser.isTokenByte) else {
                return .failure(.invalid("header name is not a token"))
            }
            headers.append((name.lowercased(), HTTPHeadParser.trimmed(line[line.index(after: colon)...])))
        }
        return .success(HeadLines(startLine: start, headers: headers, length: end))
    }
}

/// Parses HTTP/1.x message heads from the bytes buffered for one direction of a connection: bounded (at most
/// `maximumHeadBytes` are ever examined), without Foundation, and tolerant where real traffic is sloppy (bare `\n`
/// line ends, folded header lines, header names in any case), strict where a wrong guess would mislead (start lines,
/// Content-Length).
public enum HTTPHeadParser {
    /// The longest head followed; longer ones give `.tooLarge`.
    public static let maximumHeadBytes = 16 * 1024

    /// Methods that identify a request by content, on any port (RFC 9110, WebDAV, and the proxies' CONNECT).
    public static let methods: Set<String> = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
        "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH",
    ]

    /// Whether `bytes` (the first bytes a client sent) begin like an HTTP/1.x request: a known method and a space.
    public static func looksLikeRequest(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var length = 0
        while length < bytes.count, length <= 9, bytes[length] >= UInt8(ascii: "A"), bytes[length] <= UInt8(ascii: "Z") {
            length += 1
        }
        guard length > 0, length < bytes.count, bytes[length] == UInt8(ascii: " ") else { return false }
        return methods.contains(String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<length]), as: UTF8.self))
    }

    /// Whether `bytes` (the first bytes a server sent) begin like an HTTP/1.x response.
    public static func looksLikeResponse(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let prefix: [UInt8] = Array("HTTP/1.".utf8)
        guard bytes.count >= prefix.count else { return false }
        return bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    /// The request head at the start of `bytes`.
    public static func parseRequest(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPHeadParseResult<HTTPRequestHead> {
        parseRequest(bytes, strings: nil)
    }

    /// `parseRequest(_:)` taking the Host, User-Agent and Referer values' Strings from `strings` when it holds them.
    static func parseRequest(_ bytes: UnsafeBufferPointer<UInt8>, strings: RecentStrings?) -> HTTPHeadParseResult<HTTPRequestHead> {
        switch HTTPHeadScanner.headEnd(bytes) {
        case .failure(let outcome):
            return outcome.result()
        case .success(let end):
            if let head = HTTPHeadScanner.request(bytes, end: end, strings: strings) { return .head(head, length: end) }
        }
        return parseRequestGeneral(bytes)
    }

    /// The general reading of a request head, String by String: what `parseRequest` falls back to when the fast
    /// path declines, and what tests compare the fast path with.
    static func parseRequestGeneral(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPHeadParseResult<HTTPRequestHead> {
        let lines: HeadLines
        switch HeadLines.split(bytes) {
        case .success(let split): lines = split
        case .failure(let outcome): return outcome.result()
        }
        let parts = lines.startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .invalid("request line has \(parts.count) space-separated parts, not 3") }
        let method = String(parts[0])
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else { return .invalid("method is not a token") }
        let target = String(parts[1])
        guard !target.isEmpty, !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return .invalid("request target is empty or has a control character")
        }
        guard let version = version(parts[2]) else { return .invalid("version is not HTTP/1.0 or HTTP/1.1") }
        var head = HTTPRequestHead(method: method, target: target, version: version, host: nil, userAgent: nil,
                                   referrer: nil, contentLength: nil, chunked: false)
        for (name, value) in lines.headers {
            switch name {
            case "host": head.host = head.host ?? value
            case "user-agent": head.userAgent = head.userAgent ?? value
            case "referer": head.referrer = head.referrer ?? value
            case "transfer-encoding": head.chunked = isChunked(value)
            default: continue
            }
        }
        switch contentLength(lines.headers) {
        case .success(let length): head.contentLength = length
        case .failure(let reason): return .invalid(reason.text)
        }
        return .head(head, length: lines.length)
    }

    /// The response head at the start of `bytes`.
    public static func parseResponse(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPHeadParseResult<HTTPResponseHead> {
        switch HTTPHeadScanner.headEnd(bytes) {
        case .failure(let outcome):
            return outcome.result()
        case .success(let end):
            if let head = HTTPHeadScanner.response(bytes, end: end) { return .head(head, length: end) }
        }
        return parseResponseGeneral(bytes)
    }

    /// The general reading of a response head, String by String: what `parseResponse` falls back to when the fast
    /// path declines, and what tests compare the fast path with.
    static func parseResponseGeneral(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPHeadParseResult<HTTPResponseHead> {
        let lines: HeadLines
        switch HeadLines.split(bytes) {
        case .success(let split): lines = split
        case .failure(let outcome): return outcome.result()
        }
        let parts = lines.startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let version = version(parts[0]) else {
            return .invalid("status line does not start with HTTP/1.0 or HTTP/1.1 and a status")
        }
        guard parts[1].utf8.count == 3, parts[1].utf8.allSatisfy(isDigit), let status = Int(parts[1]), status >= 100 else {
            return .invalid("status code is not three digits from 100")
        }
        var head = HTTPResponseHead(version: version, status: status, mimeType: nil, contentLength: nil, chunked: false)
        for (name, value) in lines.headers {
            switch name {
            case "content-type" where head.mimeType == nil:
                let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                let trimmed = trimmed(type).lowercased()
                head.mimeType = trimmed.isEmpty ? nil : trimmed
            case "transfer-encoding": head.chunked = isChunked(value)
            default: continue
            }
        }
        switch contentLength(lines.headers) {
        case .success(let length): head.contentLength = length
        case .failure(let reason): return .invalid(reason.text)
        }
        return .head(head, length: lines.length)
    }

    // MARK: - URL parts

    /// The host of an authority (`user@Host.Example:8080`, `[2001:db8::1]:443`), lower case, without port; an IPv6
    /// literal keeps its brackets, as ECS asks of `url.domain`.
    public static func domain(ofAuthority authority: String) -> String? {
        if let domain = HTTPHeadScanner.withPlainASCII(authority, HTTPHeadScanner.domain(ofAuthority:)) { return domain }
        return domainGeneral(ofAuthority: authority)
    }

    /// The String-by-String reading, for any text (the byte reading must agree with it on plain ASCII).
    static func domainGeneral(ofAuthority authority: String) -> String? {
        var text = Substring(authority)
        if let at = text.lastIndex(of: "@") { text = text[text.index(after: at)...] }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = text[...close]
        } else if let colon = text.lastIndex(of: ":"),
                  text[text.index(after: colon)...].utf8.allSatisfy(isDigit) {
            text = text[..<colon]
        }
        let lower = String(text).lowercased()
        return lower.isEmpty ? nil : lower
    }

    /// The authority of an absolute-form target (`http://host:8080/a`), or nil for other forms.
    public static func authority(ofAbsoluteTarget target: String) -> String? {
        if let authority = HTTPHeadScanner.withPlainASCII(target, HTTPHeadScanner.authority(ofAbsoluteTarget:)) {
            return authority
        }
        return authorityGeneral(ofAbsoluteTarget: target)
    }

    /// The String-by-String reading, for any text (the byte reading must agree with it on plain ASCII).
    static func authorityGeneral(ofAbsoluteTarget target: String) -> String? {
        guard !target.hasPrefix("/"), let afterScheme = afterSchemeSeparator(target) else { return nil }
        let rest = target[afterScheme...]
        let end = rest.firstIndex { (character: Character) in character == "/" || character == "?" || character == "#" }
            ?? rest.endIndex
        let authority = rest[..<end]
        return authority.isEmpty ? nil : String(authority)
    }

    /// The path of a request target without query or fragment: `/a/b` of `/a/b?c` or of `http://h/a/b?c`; `/` for an
    /// absolute target with no path; nil for `*` and authority-form targets.
    public static func path(ofTarget target: String) -> String? {
        if let path = HTTPHeadScanner.withPlainASCII(target, HTTPHeadScanner.path(ofTarget:)) { return path }
        return pathGeneral(ofTarget: target)
    }

    /// The String-by-String reading, for any text (the byte reading must agree with it on plain ASCII).
    static func pathGeneral(ofTarget target: String) -> String? {
        var rest = Substring(target)
        if !rest.hasPrefix("/") {
            guard let afterScheme = afterSchemeSeparator(target) else { return nil }
            rest = target[afterScheme...]
            guard let slash = rest.firstIndex(where: { (character: Character) in
                character == "/" || character == "?" || character == "#"
            }), rest[slash] == "/" else { return "/" }
            rest = rest[slash...]
        }
        let end = rest.firstIndex { (character: Character) in character == "?" || character == "#" } ?? rest.endIndex
        return String(rest[..<end])
    }

    // MARK: - Pieces

    /// The index just past the `://` of an absolute URL whose scheme is letters, digits, `+`, `-` or `.`.
    private static func afterSchemeSeparator(_ target: String) -> String.Index? {
        let utf8 = target.utf8
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: ":") {
                let rest = utf8[utf8.index(after: index)...]
                guard index != utf8.startIndex, rest.starts(with: "//".utf8) else { return nil }
                return utf8.index(index, offsetBy: 3)
            }
            let isSchemeByte = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || isDigit(byte)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard isSchemeByte else { return nil }
            index = utf8.index(after: index)
        }
        return nil
    }

    private static func version(_ text: Substring) -> String? {
        switch text {
        case "HTTP/1.1": return "1.1"
        case "HTTP/1.0": return "1.0"
        default: return nil
        }
    }

    private static func isChunked(_ value: String) -> Bool {
        let last = value.split(separator: ",").last.map { trimmed($0).lowercased() }
        return last == "chunked"
    }

    private struct Reason: Error { let text: String }

    /// The Content-Length of `headers`: nil when absent; an error when malformed or when copies disagree
    /// (RFC 9112 §6.3: such a message cannot be framed).
    private static func contentLength(_ headers: [(name: String, value: String)]) -> Result<Int?, Reason> {
        var found: Int?
        for (name, value) in headers where name == "content-length" {
            for piece in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = trimmed(piece)
                guard !digits.isEmpty, digits.utf8.count <= 18, digits.utf8.allSatisfy(isDigit), let length = Int(digits) else {
                    return .failure(Reason(text: "Content-Length '\(value.prefix(40))' is not a number"))
                }
                if let found, found != length { return .failure(Reason(text: "Content-Length values disagree")) }
                found = length
            }
        }
        return .success(found)
    }

    static func trimmed(_ text: Substring) -> String {
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return start < end ? String(text[start..<end]) : ""
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

import HydrantRecords

/// One indicator as read from a feed, before it is folded into the sorted tables.
enum ParsedIndicator {
    case address(IPAddress)
    case prefix(IPPrefix)
    case domain(UInt64)
    case url(UInt64)
    case ja3(UInt64)
    case ja4(UInt64)
}

/// Reads indicator files line by line, straight from bytes (millions of lines load in seconds).
enum IndicatorParser {
    /// Calls `add` with each indicator of the file at `path`; throws with file and line on the first bad line.
    static func parse(path: String, _ add: (ParsedIndicator) -> Void) throws(EnrichError) {
        let bytes = try TextFile.read(path)
        var csv: (value: Int, type: Int?, columns: Int)?
        var decided = false
        var failure: EnrichError?
        TextFile.forEachLine(bytes) { raw, number in
            guard failure == nil else { return }
            let line = TextFile.trimmed(TextFile.strippingComment(raw))
            if line.isEmpty { return }
            if !decided {
                decided = true
                if line.contains(UInt8(ascii: ",")) {
                    guard let names = CSVRow.fields(line)?.map({ $0.lowercased() }),
                          let value = names.firstIndex(where: { $0 == "indicator" || $0 == "value" }) else {
                        failure = EnrichError(path: path, line: number,
                                              "a CSV feed needs a header row with an `indicator` or `value` column")
                        return
                    }
                    csv = (value, names.firstIndex(of: "type"), names.count)
                    return
                }
            }
            var text = line
            var declared: IndicatorType?
            if let layout = csv {
                guard let fields = CSVRow.fields(line), fields.count == layout.columns else {
                    failure = EnrichError(path: path, line: number,
                                          "expected \(layout.columns) CSV fields as in the header")
                    return
                }
                text = ArraySlice(fields[layout.value].utf8)
                if let typeColumn = layout.type, !fields[typeColumn].isEmpty {
                    guard let type = IndicatorType(column: fields[typeColumn]) else {
                        failure = EnrichError(path: path, line: number, "unknown indicator type \"\(fields[typeColumn])\"")
                        return
                    }
                    declared = type
                }
                if text.isEmpty { return }
            }
            guard let indicator = classify(text, declared: declared) else {
                let shown = String(decoding: text.prefix(80), as: UTF8.self)
                let kind = declared.map { " of type \($0.rawValue)" } ?? ""
                failure = EnrichError(path: path, line: number, "\"\(shown)\" is not a valid indicator\(kind)")
                return
            }
            add(indicator)
        }
        if let failure { throw failure }
    }

    /// The indicator `text` denotes, of the `declared` type or recognised from its shape.
    static func classify(_ text: ArraySlice<UInt8>, declared: IndicatorType?) -> ParsedIndicator? {
        let contiguous = Array(text)
        return contiguous.withUnsafeBufferPointer { bytes -> ParsedIndicator? in
            switch declared {
            case .ipv4?, .ipv6?:
                return address(bytes)
            case .domain?:
                return domainHash(bytes).map(ParsedIndicator.domain)
            case .url?:
                return urlHash(bytes).map(ParsedIndicator.url)
            case .ja3?:
                return isJA3(bytes) ? .ja3(FNVHash.hash(bytes)) : nil
            case .ja4?:
                return isJA4(bytes) ? .ja4(FNVHash.hash(bytes)) : nil
            case nil:
                if let found = address(bytes) { return found }
                if contains(bytes, "://") { return urlHash(bytes).map(ParsedIndicator.url) }
                if isJA3(bytes) { return .ja3(FNVHash.hash(bytes)) }
                if isJA4(bytes) { return .ja4(FNVHash.hash(bytes)) }
                return domainHash(bytes).map(ParsedIndicator.domain)
            }
        }
    }

    private static func address(_ bytes: UnsafeBufferPointer<UInt8>) -> ParsedIndicator? {
        if bytes.contains(UInt8(ascii: "/")) {
            guard let prefix = IPPrefix(String(decoding: bytes, as: UTF8.self)) else { return nil }
            let full = prefix.address.isIPv6 ? 128 : 32
            return prefix.length == full ? .address(prefix.address) : .prefix(prefix)
        }
        guard let parsed = IPAddress(utf8: bytes) else { return nil }
        if let v4 = parsed.ipv4Value { return .address(IPAddress(ipv4: v4)) }
        return .address(parsed)
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        for start in 0...(bytes.count - count) {
            var equal = true
            for offset in 0..<count where bytes[start + offset] != needle.utf8Start[offset] {
                equal = false
                break
            }
            if equal { return true }
        }
        return false
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }

    static func isJA3(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 32 && bytes.allSatisfy(isHex)
    }

    /// JA4's shape: `[tqd]` + 2 version chars + `[di]` + 4 digits + 2 ALPN chars, `_`, 12 hex, `_`, 12 hex.
    static func isJA4(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 36, bytes[10] == UInt8(ascii: "_"), bytes[23] == UInt8(ascii: "_") else { return false }
        guard [UInt8(ascii: "t"), UInt8(ascii: "q"), UInt8(ascii: "d")].contains(bytes[0] | 0x20) else { return false }
        for index in 11..<23 where !isHex(bytes[index]) { return false }
        for index in 24..<36 where !isHex(bytes[index]) { return false }
        return true
    }

    /// The hash of a domain indicator: lower case, without a leading `*.` or `.` and a trailing `.`; nil unless it
    /// is made of letters, digits, `-`, `_` and `.` with no empty label.
    static func domainHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var start = 0
        var end = bytes.count
        if end - start >= 2, bytes[0] == UInt8(ascii: "*"), bytes[1] == UInt8(ascii: ".") { start = 2 }
        if start < end, bytes[start] == UInt8(ascii: ".") { start += 1 }
        if end > start, bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard end > start, end - start <= 253 else { return nil }
        var previousDot = true
        for index in start..<end {
            let byte = bytes[index]
            if byte == UInt8(ascii: ".") {
                if previousDot { return nil }
                previousDot = true
                continue
            }
            previousDot = false
            let letter = byte | 0x20
            guard (letter >= 0x61 && letter <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x5F
            else { return nil }
        }
        guard !previousDot else { return nil }
        return FNVHash.hash(UnsafeBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The hash of a URL as matched: host (without userinfo and port) and path with query, no scheme or fragment;
    /// a bare host gets the path `/`.
    static func urlHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let parts = URLParts(bytes) else { return nil }
        var hasher = FNVHash()
        hasher.add(UnsafeBufferPointer(rebasing: bytes[parts.host]))
        if parts.path.isEmpty {
            hasher.add(UInt8(ascii: "/"))
        } else {
            hasher.add(UnsafeBufferPointer(rebasing: bytes[parts.path]))
        }
        return hasher.value
    }
}

/// Where the host and the path (with query, without fragment) are in URL text.
struct URLParts {
    var host: Range<Int>
    var path: Range<Int>

    /// Splits `scheme://[user@]host[:port][/path][?query][#fragment]` or `host/path` (no scheme); nil when no host.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        var authorityStart = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/") {
                authorityStart = index + 3
                break
            }
            if bytes[index] == UInt8(ascii: "/") { break }
            index += 1
        }
        var authorityEnd = authorityStart
        while authorityEnd < bytes.count, bytes[authorityEnd] != UInt8(ascii: "/"), bytes[authorityEnd] != UInt8(ascii: "?"),
              bytes[authorityEnd] != UInt8(ascii: "#") {
            authorityEnd += 1
        }
        var hostStart = authorityStart
        for position in authorityStart..<authorityEnd where bytes[position] == UInt8(ascii: "@") { hostStart = position + 1 }
        var hostEnd = authorityEnd
        if hostStart < authorityEnd, bytes[hostStart] != UInt8(ascii: "[") {
            for position in hostStart..<authorityEnd where bytes[position] == UInt8(ascii: ":") {
                hostEnd = position
                break
            }
        }
        guard hostEnd > hostStart else { return nil }
        var pathEnd = authorityEnd
        while pathEnd < bytes.count, bytes[pathEnd] != UInt8(ascii: "#") { pathEnd += 1 }
        host = hostStart..<hostEnd
        path = authorityEnd..<pathEnd
    }
}

/// How the canonical URI is formed from the path on the wire.
public enum SigV4PathStyle: Sendable, Hashable {
    /// Every AWS service but S3: remove `.`/`..` segments, collapse `//`, and percent-encode each segment of the
    /// (already encoded) wire path again ("double encoding").
    case normalizedDoubleEncoded
    /// S3: the path is used as is (no segment normalisation), encoded exactly once.
    case s3
}

/// The SigV4 canonical request of one HTTP request, with its parts kept apart for diagnostics.
public struct CanonicalRequest: Sendable, Hashable {
    /// The HTTP method, as sent.
    public let method: String
    /// The canonical URI (normalised and encoded path).
    public let uri: String
    /// The canonical query string (encoded pairs sorted by key, then value).
    public let query: String
    /// The canonical header lines, each `name:value\n`.
    public let headers: String
    /// The signed header names, lower-case, sorted, `;`-separated.
    public let signedHeaders: String
    /// The payload hash line (hex SHA-256 or `UNSIGNED-PAYLOAD`).
    public let payloadHash: String

    /// The canonical request text that is hashed into the string to sign.
    public var text: String {
        "\(method)\n\(uri)\n\(query)\n\(headers)\n\(signedHeaders)\n\(payloadHash)"
    }

    /// The canonical request of `request`, signing the headers named in `signedHeaderNames` (any case; nil signs
    /// every header except `Authorization`). A name that is not in the request is skipped.
    public init(_ request: SigV4Request, pathStyle: SigV4PathStyle, signedHeaderNames: [String]? = nil,
                payloadHash: String? = nil) {
        method = request.method
        uri = Self.canonicalURI(request.path, style: pathStyle)
        query = Self.canonicalQuery(request.query)
        let wanted: Set<String>? = signedHeaderNames.map { Set($0.map { $0.lowercased() }) }
        var order: [String] = []
        var values: [String: [String]] = [:]
        for header in request.headers {
            let name = header.name.lowercased()
            if let wanted { guard wanted.contains(name) else { continue } } else if name == "authorization" { continue }
            if values[name] == nil { order.append(name) }
            values[name, default: []].append(Self.canonicalHeaderValue(header.value))
        }
        let names = order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        headers = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        signedHeaders = names.joined(separator: ";")
        self.payloadHash = payloadHash ?? request.payload.hash
    }

    /// The canonical URI of a wire path.
    public static func canonicalURI(_ path: String, style: SigV4PathStyle) -> String {
        switch style {
        case .normalizedDoubleEncoded:
            var kept: [Substring] = []
            let segments = path.split(separator: "/", omittingEmptySubsequences: true)
            for segment in segments {
                switch segment {
                case ".": continue
                case "..": if !kept.isEmpty { kept.removeLast() }
                default: kept.append(segment)
                }
            }
            if kept.isEmpty { return "/" }
            let trailing = path.hasSuffix("/") || segments.last == "." || segments.last == ".."
            return "/" + kept.map { URIEncoding.encode($0) }.joined(separator: "/") + (trailing ? "/" : "")
        case .s3:
            if path.isEmpty { return "/" }
            let encoded = path.split(separator: "/", omittingEmptySubsequences: false)
                .map { URIEncoding.encode(URIEncoding.decode($0)) }
                .joined(separator: "/")
            return encoded.hasPrefix("/") ? encoded : "/" + encoded
        }
    }

    /// The canonical query string of a raw query: each `key=value` pair decoded then RFC 3986-encoded, a key without
    /// `=` given an empty value, pairs sorted by key then value (byte order); duplicate keys are kept.
    public static func canonicalQuery(_ query: String) -> String {
        var pairs: [(key: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((URIEncoding.encode(URIEncoding.decode(part[..<equals])),
                              URIEncoding.encode(URIEncoding.decode(part[part.index(after: equals)...]))))
            } else {
                pairs.append((URIEncoding.encode(URIEncoding.decode(part)), ""))
            }
        }
        pairs.sort { left, right in
            if left.key != right.key { return left.key.utf8.lexicographicallyPrecedes(right.key.utf8) }
            return left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
        }
        return pairs.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// A header value as SigV4 canonicalises it: leading and trailing whitespace removed, and every run of
    /// whitespace inside (spaces, tabs, and the line breaks of folded multi-line values) replaced by one space.
    public static func canonicalHeaderValue(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for byte in value.utf8 {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(0x20); pendingSpace = false }
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

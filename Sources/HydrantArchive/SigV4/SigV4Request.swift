/// One HTTP header as sent: the name keeps its original case, the value is untouched.
public struct SigV4Header: Sendable, Hashable {
    /// The header name as sent (compared case-insensitively).
    public var name: String
    /// The header value as sent (SigV4 trims and folds it only when canonicalising).
    public var value: String

    /// A header with `name` and `value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What SigV4 signs for the body: the bytes themselves, a hash computed elsewhere, or nothing.
public enum SigV4Payload: Sendable, Hashable {
    /// The body bytes; their SHA-256 is signed.
    case bytes([UInt8])
    /// A lower-case hex SHA-256 of the body computed elsewhere (for streamed bodies).
    case precomputedHash(String)
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature (S3 over TLS only).
    case unsigned

    /// The literal AWS uses in place of a payload hash for unsigned bodies.
    public static let unsignedLiteral = "UNSIGNED-PAYLOAD"

    /// The payload hash as it appears in the canonical request and `X-Amz-Content-Sha256`.
    public var hash: String {
        switch self {
        case .bytes(let bytes): return Hex.sha256(bytes)
        case .precomputedHash(let hash): return hash
        case .unsigned: return Self.unsignedLiteral
        }
    }
}

/// A minimal HTTP request as SigV4 sees it: method, path and query exactly as on the wire, ordered headers
/// (duplicates allowed) and the payload.
public struct SigV4Request: Sendable, Hashable {
    /// The HTTP method, e.g. `GET`.
    public var method: String
    /// The path as sent on the wire (percent-encoded as the client sent it), without the query.
    public var path: String
    /// The raw query string without the leading `?` (empty when there is none).
    public var query: String
    /// The headers in the order sent; names may repeat.
    public var headers: [SigV4Header]
    /// The body, or what stands for it.
    public var payload: SigV4Payload

    /// A request from its parts; `path` and `query` are the raw wire forms.
    public init(method: String, path: String, query: String = "", headers: [SigV4Header] = [],
                payload: SigV4Payload = .bytes([])) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payload = payload
    }

    /// A request from a request target such as `/a/b?x=1` (split at the first `?`).
    public init(method: String, target: String, headers: [SigV4Header] = [], payload: SigV4Payload = .bytes([])) {
        if let mark = target.firstIndex(of: "?") {
            let query = String(target[target.index(after: mark)...])
            self.init(method: method, path: String(target[..<mark]), query: query, headers: headers, payload: payload)
        } else {
            self.init(method: method, path: target, query: "", headers: headers, payload: payload)
        }
    }

    /// Every value of the header `name` (case-insensitive), in order.
    public func values(of name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The first value of the header `name` (case-insensitive), or nil.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Replaces every header called `name` (case-insensitive) with one header appended at the end.
    public mutating func setHeader(_ name: String, _ value: String) {
        let wanted = name.lowercased()
        headers.removeAll { $0.name.lowercased() == wanted }
        headers.append(SigV4Header(name, value))
    }
}

/// The head (start line and the headers Hydrant records) of an HTTP/1.x request.
public struct HTTPRequestHead: Hashable, Sendable {
    /// The method as sent, e.g. `GET`.
    public var method: String
    /// The request target as sent (`/a?b`, `http://host/a`, `host:443`, `*`).
    public var target: String
    /// `1.0` or `1.1`.
    public var version: String
    /// The Host header as sent, if present.
    public var host: String?
    /// The User-Agent header, if present.
    public var userAgent: String?
    /// The Referer header, if present.
    public var referrer: String?
    /// The Content-Length, if present and valid.
    public var contentLength: Int?
    /// Whether the body uses chunked transfer coding.
    public var chunked: Bool

    /// A request head from its parts.
    public init(method: String, target: String, version: String, host: String?, userAgent: String?,
                referrer: String?, contentLength: Int?, chunked: Bool) {
        self.method = method
        self.target = target
        self.version = version
        self.host = host
        self.userAgent = userAgent
        self.referrer = referrer
        self.contentLength = contentLength
        self.chunked = chunked
    }

    /// `url.domain`: the Host header (or the authority of an absolute target), lower case, without port or brackets.
    public var domain: String? {
        if let host, !host.isEmpty { return HTTPHeadParser.domain(ofAuthority: host) }
        if let authority = HTTPHeadParser.authority(ofAbsoluteTarget: target) {
            return HTTPHeadParser.domain(ofAuthority: authority)
        }
        return nil
    }

    /// `url.path`: the target's path, without query or fragment (nil for `*` and CONNECT authorities).
    public var path: String? { HTTPHeadParser.path(ofTarget: target) }
}

/// The head of an HTTP/1.x response: status and the headers Hydrant records.
public struct HTTPResponseHead: Hashable, Sendable {
    /// `1.0` or `1.1`.
    public var version: String
    /// The status code, 100…999.
    public var status: Int
    /// The media type of Content-Type, lower case, without parameters (`text/html`).
    public var mimeType: String?
    /// The Content-Length, if present and valid.
    public var contentLength: Int?
    /// Whether the body uses chunked transfer coding.
    public var chunked: Bool
}

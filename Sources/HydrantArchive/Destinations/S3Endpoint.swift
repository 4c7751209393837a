import Foundation

/// The base URL of an S3-compatible service, parsed once: scheme, host and port, and the `Host` header value that
/// is signed. Requests address buckets path-style (`endpoint/bucket/key`), which every S3-compatible store accepts.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// The `Host` header value: the host, and `:port` when the endpoint names one (IPv6 hosts in brackets).
    public let authority: String
    /// `scheme://authority`, with no trailing slash.
    public let base: String

    /// Parses `text`, e.g. `http://127.0.0.1:8333` or `https://s3.eu-west-1.amazonaws.com`.
    public init(_ text: String) throws(S3EndpointError) {
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased() else {
            throw S3EndpointError(endpoint: text, reason: "it is not a URL such as http://127.0.0.1:8333")
        }
        guard scheme == "http" || scheme == "https" else {
            throw S3EndpointError(endpoint: text, reason: "the scheme must be http or https, not '\(scheme)'")
        }
        guard let host = components.host, !host.isEmpty else {
            throw S3EndpointError(endpoint: text, reason: "it names no host")
        }
        // Buckets go in the path, so a path, query or credentials in the endpoint would end up signed wrongly.
        guard components.path.isEmpty, components.query == nil, components.fragment == nil else {
            throw S3EndpointError(endpoint: text, reason: "it must not have a path, query or fragment")
        }
        guard components.user == nil, components.password == nil else {
            throw S3EndpointError(endpoint: text, reason: "credentials belong in the credential settings, not the URL")
        }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let authority = components.port.map { "\(bracketed):\($0)" } ?? bracketed
        self.scheme = scheme
        self.authority = authority
        self.base = "\(scheme)://\(authority)"
    }

    /// `base`.
    public var description: String { base }

    /// The wire path of `bucket` (`/bucket`), encoded.
    static func bucketPath(_ bucket: String) -> String {
        "/" + URIEncoding.encode(bucket.utf8)
    }

    /// The wire path of an object (`/bucket/key`): each key segment percent-encoded with S3's rules (only the
    /// unreserved characters kept), the slashes between them kept, so the path SigV4 signs is the path sent.
    static func objectPath(bucket: String, key: ObjectKey) -> String {
        var path = bucketPath(bucket)
        for component in key.text.split(separator: "/", omittingEmptySubsequences: false) {
            path += "/"
            path += URIEncoding.encode(component.utf8)
        }
        return path
    }
}

/// Why an S3 endpoint setting is unusable.
public struct S3EndpointError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The endpoint as given.
    public let endpoint: String
    /// What is wrong with it.
    public let reason: String

    /// A sentence for the person who wrote the configuration.
    public var description: String { "S3 endpoint '\(endpoint)' is unusable: \(reason)" }
}

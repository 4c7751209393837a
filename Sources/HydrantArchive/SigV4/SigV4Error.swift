import Foundation

/// Why a SigV4-signed request was refused. Every case explains itself to the person who sent the request.
public enum SigV4Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The part of an `Authorization` header that was wrong.
    public enum AuthorizationPart: String, Sendable, Hashable {
        /// The header itself (absent or repeated).
        case header
        /// The leading algorithm name.
        case algorithm
        /// `Credential=key/date/region/service/aws4_request`.
        case credential
        /// `SignedHeaders=a;b;c`.
        case signedHeaders
        /// `Signature=<64 hex digits>`.
        case signature
    }

    /// The part of the credential scope that did not match.
    public enum ScopePart: String, Sendable, Hashable {
        /// The scope date versus the request time's date.
        case date
        /// The region this endpoint serves.
        case region
        /// The service signing name this endpoint serves.
        case service
    }

    /// The `Authorization` header is absent or cannot be parsed; `part` says where, `detail` what.
    case malformedAuthorization(part: AuthorizationPart, detail: String)
    /// No secret is known for the access key id.
    case unknownAccessKey(accessKeyID: String)
    /// The recomputed signature differs from the one sent.
    case signatureMismatch(accessKeyID: String)
    /// The request has no `X-Amz-Date` header.
    case requestTimeMissing
    /// The `X-Amz-Date` header is not `yyyyMMdd'T'HHmmss'Z'` (or appears more than once).
    case requestTimeMalformed(value: String)
    /// The request time is further than the allowed skew from the server's clock.
    case requestTimeSkewed(requestTime: String, serverTime: String, allowedSeconds: Int)
    /// The credential scope names another date, region or service than expected.
    case credentialScopeMismatch(part: ScopePart, expected: String, received: String)
    /// A header required to be signed (`host`, `x-amz-date`, ...) is not in `SignedHeaders`.
    case requiredHeaderNotSigned(name: String)
    /// `SignedHeaders` names a header the request does not carry.
    case signedHeaderAbsent(name: String)
    /// `X-Amz-Content-Sha256` does not match the SHA-256 of the body received.
    case payloadHashMismatch(declared: String, computed: String)

    /// A sentence for the sender of the request.
    public var description: String {
        switch self {
        case .malformedAuthorization(let part, let detail):
            return "Malformed Authorization header (\(part.rawValue)): \(detail). Expected 'AWS4-HMAC-SHA256 "
                + "Credential=<key id>/<yyyyMMdd>/<region>/<service>/aws4_request, SignedHeaders=<a;b;c>, "
                + "Signature=<64 hex digits>'."
        case .unknownAccessKey(let key):
            return "The access key id '\(key)' is not known to this server."
        case .signatureMismatch(let key):
            return "The request signature does not match the one computed for access key '\(key)'. Check the "
                + "secret key and that the signed headers, query, path and body were not changed after signing."
        case .requestTimeMissing:
            return "The request has no X-Amz-Date header; SigV4 requests must carry their signing time."
        case .requestTimeMalformed(let value):
            return "X-Amz-Date '\(value)' is not in the form yyyyMMdd'T'HHmmss'Z' (e.g. 20150830T123600Z)."
        case .requestTimeSkewed(let requestTime, let serverTime, let allowed):
            return "The request time \(requestTime) is more than \(allowed) seconds from the server time "
                + "\(serverTime); check the client's clock."
        case .credentialScopeMismatch(let part, let expected, let received):
            return "The credential scope \(part.rawValue) '\(received)' does not match the expected '\(expected)'."
        case .requiredHeaderNotSigned(let name):
            return "The header '\(name)' must be listed in SignedHeaders."
        case .signedHeaderAbsent(let name):
            return "SignedHeaders lists '\(name)', but the request has no such header."
        case .payloadHashMismatch(let declared, let computed):
            return "X-Amz-Content-Sha256 is \(declared), but the body received hashes to \(computed)."
        }
    }
}

extension SigV4Error: LocalizedError {
    /// The same sentence as `description`.
    public var errorDescription: String? { description }
}

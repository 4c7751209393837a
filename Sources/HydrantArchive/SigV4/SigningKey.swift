import Crypto

/// AWS credentials for signing: an access key id, its secret, and an optional session token (temporary
/// credentials from STS).
public struct SigV4Credentials: Sendable, Hashable {
    /// The access key id, e.g. `AKIDEXAMPLE`.
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// The session token of temporary credentials, sent as `X-Amz-Security-Token`.
    public var sessionToken: String?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension SigV4Credentials: CustomStringConvertible {
    /// The key id only; the secret and token are never printed.
    public var description: String { "SigV4Credentials(\(accessKeyID), secret redacted)" }
}

/// The credential scope `date/region/service/aws4_request` that a signature is bound to.
public struct CredentialScope: Sendable, Hashable {
    /// The terminator every SigV4 scope ends with.
    public static let terminator = "aws4_request"

    /// The request date, `yyyyMMdd` (UTC).
    public var date: String
    /// The AWS region, e.g. `us-east-1`.
    public var region: String
    /// The signing name of the service, e.g. `s3` or `firehose`.
    public var service: String

    /// A scope from its parts.
    public init(date: String, region: String, service: String) {
        self.date = date
        self.region = region
        self.service = service
    }

    /// `date/region/service/aws4_request`.
    public var text: String { "\(date)/\(region)/\(service)/\(Self.terminator)" }
}

/// The SigV4 signing key: the secret run through the HMAC-SHA256 chain date → region → service → `aws4_request`.
public struct SigningKey: Sendable {
    /// The derived key.
    public let key: SymmetricKey

    /// Derives the key of `secretAccessKey` for `scope`.
    public init(secretAccessKey: String, scope: CredentialScope) {
        var key = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
        for part in [scope.date, scope.region, scope.service, CredentialScope.terminator] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        self.key = key
    }

    /// The lower-case hex HMAC-SHA256 of `stringToSign` under this key: the signature.
    public func signature(of stringToSign: String) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    }
}

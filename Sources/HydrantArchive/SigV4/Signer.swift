import Foundation

/// The name of the only algorithm SigV4 defines.
public let sigV4Algorithm = "AWS4-HMAC-SHA256"

/// Everything one signing produced, each stage kept for diagnostics and tests.
public struct SigV4Signature: Sendable, Hashable {
    /// The canonical request that was hashed.
    public let canonicalRequest: CanonicalRequest
    /// The credential scope the signature is bound to.
    public let scope: CredentialScope
    /// The request time, `yyyyMMdd'T'HHmmss'Z'`.
    public let requestTime: String
    /// The string to sign: algorithm, time, scope and the canonical request's hash, one per line.
    public let stringToSign: String
    /// The hex signature.
    public let signature: String
    /// The value of the `Authorization` header.
    public let authorization: String
}

/// Signs requests with AWS Signature Version 4 for one region and service.
public struct SigV4Signer: Sendable {
    /// The credentials used to sign.
    public var credentials: SigV4Credentials
    /// The region in the scope, e.g. `us-east-1`.
    public var region: String
    /// The service signing name in the scope, e.g. `s3` or `firehose`.
    public var service: String
    /// How the path is canonicalised (`.s3` for S3, which also sends `X-Amz-Content-Sha256`).
    public var pathStyle: SigV4PathStyle

    /// A signer; `pathStyle` defaults to `.s3` when `service` is `s3`, otherwise to normalised double encoding.
    public init(credentials: SigV4Credentials, region: String, service: String, pathStyle: SigV4PathStyle? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.pathStyle = pathStyle ?? (service == "s3" ? .s3 : .normalizedDoubleEncoded)
    }

    /// `request` with the headers signing adds: `X-Amz-Date` (set to `time`), `X-Amz-Security-Token` when the
    /// credentials carry a session token, and for S3 `X-Amz-Content-Sha256`. No `Authorization` yet.
    public func prepare(_ request: SigV4Request, at time: Date) -> SigV4Request {
        var prepared = request
        prepared.setHeader("X-Amz-Date", SigV4Time.format(time))
        if let token = credentials.sessionToken { prepared.setHeader("X-Amz-Security-Token", token) }
        if pathStyle == .s3 { prepared.setHeader("X-Amz-Content-Sha256", request.payload.hash) }
        return prepared
    }

    /// The signature of `request` exactly as given (call `prepare` first, or use `sign`): every header but
    /// `Authorization` is signed, and `time` is the request time in the string to sign.
    public func signature(for request: SigV4Request, at time: Date) -> SigV4Signature {
        let scope = CredentialScope(date: SigV4Time.scopeDate(time), region: region, service: service)
        let canonical = CanonicalRequest(request, pathStyle: pathStyle)
        return Self.signature(canonical: canonical, scope: scope, requestTime: SigV4Time.format(time),
                              accessKeyID: credentials.accessKeyID,
                              key: SigningKey(secretAccessKey: credentials.secretAccessKey, scope: scope))
    }

    /// `request` prepared (see `prepare`) and carrying its `Authorization` header.
    public func sign(_ request: SigV4Request, at time: Date) -> SigV4Request {
        var prepared = prepare(request, at: time)
        prepared.headers.removeAll { $0.name.lowercased() == "authorization" }
        let signature = signature(for: prepared, at: time)
        prepared.headers.append(SigV4Header("Authorization", signature.authorization))
        return prepared
    }

    /// The string to sign of a canonical request.
    public static func stringToSign(canonical: CanonicalRequest, scope: CredentialScope,
                                    requestTime: String) -> String {
        "\(sigV4Algorithm)\n\(requestTime)\n\(scope.text)\n\(Hex.sha256(canonical.text.utf8))"
    }

    static func signature(canonical: CanonicalRequest, scope: CredentialScope, requestTime: String,
                          accessKeyID: String, key: SigningKey) -> SigV4Signature {
        let stringToSign = stringToSign(canonical: canonical, scope: scope, requestTime: requestTime)
        let signature = key.signature(of: stringToSign)
        let authorization = "\(sigV4Algorithm) Credential=\(accessKeyID)/\(scope.text), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        return SigV4Signature(canonicalRequest: canonical, scope: scope, requestTime: requestTime,
                              stringToSign: stringToSign, signature: signature, authorization: authorization)
    }
}

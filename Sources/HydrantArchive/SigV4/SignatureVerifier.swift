import Foundation

/// Looks up the secret access key of an access key id (nil when the key is unknown).
public protocol SigV4SecretStore: Sendable {
    /// The secret of `accessKeyID`, or nil when it is not known.
    func secretAccessKey(for accessKeyID: String) -> String?
}

/// A fixed in-memory table of access key ids and secrets.
public struct StaticSecretStore: SigV4SecretStore {
    /// Secrets by access key id.
    public let secrets: [String: String]

    /// A store holding `secrets` (access key id → secret access key).
    public init(_ secrets: [String: String]) { self.secrets = secrets }

    /// The secret of `accessKeyID`, or nil.
    public func secretAccessKey(for accessKeyID: String) -> String? { secrets[accessKeyID] }
}

/// A request whose signature checked out.
public struct SigV4VerifiedRequest: Sendable, Hashable {
    /// The access key id that signed it.
    public let accessKeyID: String
    /// The scope it was signed for.
    public let scope: CredentialScope
    /// The signed header names, lower-case.
    public let signedHeaders: [String]
    /// The request time from `X-Amz-Date`.
    public let requestTime: Date
}

/// Verifies SigV4 `Authorization` headers of incoming requests for one region and service.
public struct SigV4Verifier: Sendable {
    /// The region requests must be scoped to.
    public let region: String
    /// The service signing name requests must be scoped to (e.g. `firehose`).
    public let service: String
    /// How the path is canonicalised.
    public let pathStyle: SigV4PathStyle
    /// The largest accepted distance between the request time and `now`, in seconds (AWS uses 5 minutes).
    public let allowedSkew: TimeInterval
    private let lookup: @Sendable (String) -> String?

    /// A verifier that finds secrets through `secretAccessKey` (nil for an unknown key id).
    public init(region: String, service: String, pathStyle: SigV4PathStyle = .normalizedDoubleEncoded,
                allowedSkew: TimeInterval = 300, secretAccessKey: @escaping @Sendable (String) -> String?) {
        self.region = region
        self.service = service
        self.pathStyle = pathStyle
        self.allowedSkew = allowedSkew
        lookup = secretAccessKey
    }

    /// A verifier that finds secrets in `store`.
    public init(region: String, service: String, pathStyle: SigV4PathStyle = .normalizedDoubleEncoded,
                allowedSkew: TimeInterval = 300, store: some SigV4SecretStore) {
        self.init(region: region, service: service, pathStyle: pathStyle, allowedSkew: allowedSkew,
                  secretAccessKey: { store.secretAccessKey(for: $0) })
    }

    /// Checks the signature of `request` against the server clock `now`; returns who signed it, or throws why not.
    public func verify(_ request: SigV4Request, now: Date) throws(SigV4Error) -> SigV4VerifiedRequest {
        let authorizations = request.values(of: "Authorization")
        guard let header = authorizations.first else {
            throw .malformedAuthorization(part: .header, detail: "the request has no Authorization header")
        }
        guard authorizations.count == 1 else {
            let detail = "the request has \(authorizations.count) Authorization headers, not one"
            throw .malformedAuthorization(part: .header, detail: detail)
        }
        let authorization = try SigV4Authorization(parsing: header)

        let times = request.values(of: "X-Amz-Date")
        guard let timeText = times.first else { throw .requestTimeMissing }
        guard times.count == 1 else { throw .requestTimeMalformed(value: times.joined(separator: ",")) }
        guard let requestTime = SigV4Time.parse(timeText) else { throw .requestTimeMalformed(value: timeText) }
        guard abs(requestTime.timeIntervalSince(now)) <= allowedSkew else {
            throw .requestTimeSkewed(requestTime: timeText, serverTime: SigV4Time.format(now),
                                     allowedSeconds: Int(allowedSkew))
        }
        let scope = authorization.scope
        let timeDate = String(timeText.prefix(8))
        guard scope.date == timeDate else {
            throw .credentialScopeMismatch(part: .date, expected: timeDate, received: scope.date)
        }
        guard scope.region == region else {
            throw .credentialScopeMismatch(part: .region, expected: region, received: scope.region)
        }
        guard scope.service == service else {
            throw .credentialScopeMismatch(part: .service, expected: service, received: scope.service)
        }

        let signed = Set(authorization.signedHeaders)
        for required in ["host", "x-amz-date"] where !signed.contains(required) {
            throw .requiredHeaderNotSigned(name: required)
        }
        let present = Set(request.headers.map { $0.name.lowercased() })
        for name in authorization.signedHeaders where !present.contains(name) {
            throw .signedHeaderAbsent(name: name)
        }

        var payloadHash = request.payload.hash
        if let declared = request.value(of: "X-Amz-Content-Sha256") {
            if declared == SigV4Payload.unsignedLiteral {
                if pathStyle == .s3 { payloadHash = declared }
            } else if case .bytes = request.payload, declared != payloadHash {
                throw .payloadHashMismatch(declared: declared, computed: payloadHash)
            } else {
                payloadHash = declared
            }
        }

        guard let secret = lookup(authorization.accessKeyID) else {
            throw .unknownAccessKey(accessKeyID: authorization.accessKeyID)
        }
        let canonical = CanonicalRequest(request, pathStyle: pathStyle, signedHeaderNames: authorization.signedHeaders,
                                         payloadHash: payloadHash)
        let expected = SigV4Signer.signature(canonical: canonical, scope: scope, requestTime: timeText,
                                             accessKeyID: authorization.accessKeyID,
                                             key: SigningKey(secretAccessKey: secret, scope: scope))
        guard Hex.constantTimeEqual(expected.signature, authorization.signature) else {
            throw .signatureMismatch(accessKeyID: authorization.accessKeyID)
        }
        return SigV4VerifiedRequest(accessKeyID: authorization.accessKeyID, scope: scope,
                                    signedHeaders: authorization.signedHeaders, requestTime: requestTime)
    }
}

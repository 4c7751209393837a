import Crypto
import Foundation
import HydrantArchive

/// Verifies the SigV4 signature of ingest requests (service `firehose`, the region taken from the request's
/// credential scope) and turns every refusal into the error AWS's JSON services answer: `MissingAuthenticationToken`,
/// `IncompleteSignatureException`, `UnrecognizedClientException` or `InvalidSignatureException`, all HTTP 400.
public struct RequestAuthenticator: Sendable {
    /// The SigV4 service name requests must be scoped to.
    public let service: String
    /// The largest accepted distance between the request time and the server clock, in seconds.
    public let allowedSkew: TimeInterval
    private let lookup: @Sendable (String) -> String?

    /// An authenticator finding secrets in `store`.
    public init(store: some SigV4SecretStore, service: String = "firehose", allowedSkew: TimeInterval = 300) {
        self.service = service
        self.allowedSkew = allowedSkew
        lookup = { store.secretAccessKey(for: $0) }
    }

    /// Checks a request: `method`, `target` (path and query as sent), `headers` in wire order (with `Host`), and
    /// the body. Returns who signed it.
    public func authenticate(method: String, target: String, headers: [SigV4Header], body: UnsafeRawBufferPointer,
                             now: Date = Date()) throws(FirehoseError) -> SigV4VerifiedRequest {
        let request = SigV4Request(method: method, target: target, headers: headers,
                                   payload: .precomputedHash(Self.sha256Hex(body)))
        guard let header = request.value(of: "Authorization") else {
            throw FirehoseError(type: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        let region: String
        do {
            region = try SigV4Authorization(parsing: header).scope.region
        } catch {
            throw Self.translate(error)
        }
        let verifier = SigV4Verifier(region: region, service: service, allowedSkew: allowedSkew,
                                     secretAccessKey: lookup)
        do {
            return try verifier.verify(request, now: now)
        } catch {
            throw Self.translate(error, now: now, skew: allowedSkew)
        }
    }

    /// The lower-case hex SHA-256 of `body`.
    static func sha256Hex(_ body: UnsafeRawBufferPointer) -> String {
        Hex.encode(SHA256.hash(data: body))
    }

    /// The AWS error for a verification failure.
    static func translate(_ error: SigV4Error, now: Date = Date(), skew: TimeInterval = 300) -> FirehoseError {
        switch error {
        case .malformedAuthorization, .requestTimeMissing, .requestTimeMalformed, .requiredHeaderNotSigned:
            return FirehoseError(type: "IncompleteSignatureException", message: error.description)
        case .unknownAccessKey:
            return FirehoseError(type: "UnrecognizedClientException",
                                 message: "The security token included in the request is invalid. " + error.description)
        case .requestTimeSkewed(let requestTime, let serverTime, _):
            let minutes = Int(skew / 60)
            let message: String
            if let sent = SigV4Time.parse(requestTime), sent < now {
                message = "Signature expired: \(requestTime) is now earlier than "
                    + "\(SigV4Time.format(now.addingTimeInterval(-skew))) (\(serverTime) - \(minutes) min.)"
            } else {
                message = "Signature not yet current: \(requestTime) is still later than "
                    + "\(SigV4Time.format(now.addingTimeInterval(skew))) (\(serverTime) + \(minutes) min.)"
            }
            return FirehoseError(type: "InvalidSignatureException", message: message)
        case .signatureMismatch:
            return FirehoseError(type: "InvalidSignatureException",
                                 message: "The request signature we calculated does not match the signature you "
                                     + "provided. Check your AWS Secret Access Key and signing method. "
                                     + error.description)
        case .credentialScopeMismatch, .signedHeaderAbsent, .payloadHashMismatch:
            return FirehoseError(type: "InvalidSignatureException", message: error.description)
        }
    }
}

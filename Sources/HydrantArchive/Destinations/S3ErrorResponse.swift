/// An S3 error as the service reports it: the HTTP status and, when the response had one, the `<Error>` document's
/// `Code`, `Message` and `RequestId`.
public struct S3ErrorResponse: Hashable, Sendable, CustomStringConvertible {
    /// The S3 error codes that mean our credentials or signature were refused: retrying with the same
    /// configuration cannot succeed, so they are reported as `.authentication`.
    public static let authenticationCodes: Set<String> = [
        "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken",
        "TokenRefreshRequired", "RequestTimeTooSkewed", "AuthorizationHeaderMalformed", "InvalidSecurity",
    ]

    /// The HTTP status code.
    public let status: Int
    /// The S3 error code, e.g. `NoSuchBucket` (nil when the body had none, as for HEAD requests).
    public let code: String?
    /// The service's own words.
    public let message: String?
    /// The request id, for the service operator.
    public let requestID: String?

    /// An error from its parts.
    public init(status: Int, code: String?, message: String?, requestID: String?) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// The error in a response `body` (S3's `<Error>` document); nil when the body is not one. Only `<Error>` at
    /// the root counts, because CompleteMultipartUpload can answer 200 with an error document.
    public init?(status: Int, body: [UInt8]) {
        guard S3XML.rootIs("Error", in: body) else { return nil }
        self.init(status: status, code: S3XML.text(of: "Code", in: body).map(Self.bounded),
                  message: S3XML.text(of: "Message", in: body).map(Self.bounded),
                  requestID: S3XML.text(of: "RequestId", in: body).map(Self.bounded))
    }

    /// Whether the service refused our credentials or signature.
    public var isAuthentication: Bool {
        status == 401 || status == 403 || code.map(Self.authenticationCodes.contains) == true
    }

    /// `HTTP 404 NoSuchBucket: The specified bucket does not exist (request id …)`.
    public var description: String {
        var text = "HTTP \(status)"
        if let code { text += " \(code)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let requestID, !requestID.isEmpty { text += " (request id \(requestID))" }
        return text
    }

    /// The destination error this response stands for; `subject` names what was addressed
    /// (`s3://bucket/key at http://…`).
    func destinationError(subject: String) -> DestinationError {
        if isAuthentication {
            return DestinationError(.authentication, "\(subject): access refused, check the access key and secret "
                + "and the clock: \(description)")
        }
        return DestinationError(.service, "\(subject): \(description)")
    }

    /// Service text is shown in logs, so a hostile or broken server cannot flood them.
    private static func bounded(_ text: String) -> String {
        text.count <= 512 ? text : String(text.prefix(512)) + "…"
    }
}

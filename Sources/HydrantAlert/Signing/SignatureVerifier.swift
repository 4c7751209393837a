import Crypto

/// Checks `Hydrant-Signature` on a received request: the HMAC must match one of the `v1` values and `t` must be
/// within `tolerance` of the receiver's clock (replay protection).
public struct SignatureVerifier: Sendable {
    /// Why a signature was refused.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        /// No `Hydrant-Signature` header.
        case missingHeader
        /// The header is not `t=<seconds>,v1=<hex>[,v1=<hex>…]`.
        case malformedHeader
        /// `t` is further than the tolerance from now (seconds off, positive = in the past).
        case outsideTolerance(ageSeconds: Int64)
        /// No `v1` value matches the body and secret.
        case mismatch

        /// A one-line explanation.
        public var description: String {
            switch self {
            case .missingHeader: "no Hydrant-Signature header"
            case .malformedHeader: "Hydrant-Signature is not t=<unix seconds>,v1=<hex HMAC-SHA256>"
            case .outsideTolerance(let age): "signature timestamp is \(age) s from now, outside the tolerance"
            case .mismatch: "signature does not match the body and secret"
            }
        }
    }

    /// The shared secret.
    public let secret: [UInt8]
    /// The largest accepted difference between `t` and now, in seconds.
    public let tolerance: Int64

    /// A verifier for `secret`; five minutes of tolerance by default.
    public init(secret: [UInt8], tolerance: Int64 = 300) {
        self.secret = secret
        self.tolerance = max(tolerance, 0)
    }

    /// Verifies `header` (nil when the request had none) for `body` at `now` (Unix seconds); returns `t`.
    @discardableResult
    public func verify(header: String?, body: [UInt8], now: Int64) throws(Failure) -> Int64 {
        guard let header else { throw .missingHeader }
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let trimmed = part.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "=") else { throw .malformedHeader }
            let key = trimmed[..<equals], value = trimmed[trimmed.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil, let parsed = Int64(value) else { throw .malformedHeader }
                timestamp = parsed
            case "v1":
                guard let bytes = HexDigits.decode(value), bytes.count == 32 else { throw .malformedHeader }
                candidates.append(bytes)
            default:
                continue  // other schemes (future versions) are ignored
            }
        }
        guard let timestamp, !candidates.isEmpty else { throw .malformedHeader }
        let age = now.subtractingReportingOverflow(timestamp)
        guard !age.overflow, age.partialValue.magnitude <= UInt64(tolerance) else {
            throw .outsideTolerance(ageSeconds: age.overflow ? Int64.max : age.partialValue)
        }
        let expected = WebhookSignature.mac(body: body, secret: secret, timestamp: timestamp)
        guard candidates.contains(where: { Self.constantTimeEqual($0, expected) }) else { throw .mismatch }
        return timestamp
    }

    /// Compares in time that depends only on the lengths.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

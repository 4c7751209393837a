import Crypto

/// `Hydrant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: proves that a request came
/// from a holder of the secret and was made at time `t`, so a receiver can refuse replays outside a tolerance.
public enum WebhookSignature {
    /// The header's name.
    public static let headerName = "Hydrant-Signature"
    /// The idempotency header's name; its value is the alert id.
    public static let idempotencyHeaderName = "Idempotency-Key"

    /// The header value for `body` signed with `secret` at `timestamp` (Unix seconds).
    public static func header(body: [UInt8], secret: [UInt8], timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(HexDigits.encode(mac(body: body, secret: secret, timestamp: timestamp)))"
    }

    /// HMAC-SHA256 over `"<timestamp>.<body>"`.
    static func mac(body: [UInt8], secret: [UInt8], timestamp: Int64) -> [UInt8] {
        var authenticator = HMAC<SHA256>(key: SymmetricKey(data: secret))
        authenticator.update(data: Array("\(timestamp).".utf8))
        authenticator.update(data: body)
        return Array(authenticator.finalize())
    }
}

/// Lower-case hex, for signatures.
enum HexDigits {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lower- or upper-case hex; nil for anything else.
    static func decode(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }
}

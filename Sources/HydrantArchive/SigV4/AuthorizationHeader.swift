/// A parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header value.
public struct SigV4Authorization: Sendable, Hashable {
    /// The access key id from `Credential`.
    public let accessKeyID: String
    /// The scope from `Credential`.
    public let scope: CredentialScope
    /// The signed header names, lower-case, in the order sent.
    public let signedHeaders: [String]
    /// The hex signature.
    public let signature: String

    /// Parses an `Authorization` header value, saying which part is wrong when it cannot.
    public init(parsing value: String) throws(SigV4Error) {
        let trimmed = value.trimmingWhitespace()
        guard let space = trimmed.firstIndex(of: " ") else {
            throw .malformedAuthorization(part: .algorithm, detail: "no space after the algorithm name")
        }
        let algorithm = trimmed[..<space]
        guard algorithm == sigV4Algorithm else {
            throw .malformedAuthorization(part: .algorithm,
                                          detail: "algorithm '\(algorithm)' is not supported, only \(sigV4Algorithm)")
        }
        var fields: [String: Substring] = [:]
        for item in trimmed[trimmed.index(after: space)...].split(separator: ",") {
            let field = item.trimmingWhitespace()
            guard let equals = field.firstIndex(of: "=") else {
                throw .malformedAuthorization(part: .header, detail: "'\(field)' is not a name=value pair")
            }
            let name = String(field[..<equals])
            let part: SigV4Error.AuthorizationPart
            switch name {
            case "Credential": part = .credential
            case "SignedHeaders": part = .signedHeaders
            case "Signature": part = .signature
            default: throw .malformedAuthorization(part: .header, detail: "unknown field '\(name)'")
            }
            guard fields[name] == nil else {
                throw .malformedAuthorization(part: part, detail: "\(name) appears twice")
            }
            fields[name] = field[field.index(after: equals)...]
        }
        guard let credential = fields["Credential"] else {
            throw .malformedAuthorization(part: .credential, detail: "Credential is missing")
        }
        let scopeParts = credential.split(separator: "/", omittingEmptySubsequences: false)
        guard scopeParts.count == 5 else {
            throw .malformedAuthorization(part: .credential,
                                          detail: "'\(credential)' has \(scopeParts.count) '/'-separated parts, not 5")
        }
        guard !scopeParts[0].isEmpty else {
            throw .malformedAuthorization(part: .credential, detail: "the access key id is empty")
        }
        guard scopeParts[1].utf8.count == 8, scopeParts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .malformedAuthorization(part: .credential, detail: "scope date '\(scopeParts[1])' is not yyyyMMdd")
        }
        guard !scopeParts[2].isEmpty, !scopeParts[3].isEmpty else {
            throw .malformedAuthorization(part: .credential, detail: "the scope region or service is empty")
        }
        guard scopeParts[4] == CredentialScope.terminator else {
            let detail = "the scope ends in '\(scopeParts[4])', not '\(CredentialScope.terminator)'"
            throw .malformedAuthorization(part: .credential, detail: detail)
        }
        guard let signed = fields["SignedHeaders"] else {
            throw .malformedAuthorization(part: .signedHeaders, detail: "SignedHeaders is missing")
        }
        let names = signed.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !signed.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
            throw .malformedAuthorization(part: .signedHeaders, detail: "'\(signed)' has an empty header name")
        }
        guard names.allSatisfy({ $0 == $0.lowercased() }) else {
            throw .malformedAuthorization(part: .signedHeaders, detail: "'\(signed)' must be lower-case")
        }
        guard let signature = fields["Signature"] else {
            throw .malformedAuthorization(part: .signature, detail: "Signature is missing")
        }
        guard Hex.isSHA256Hex(String(signature)) else {
            throw .malformedAuthorization(part: .signature, detail: "the signature is not 64 lower-case hex digits")
        }
        accessKeyID = String(scopeParts[0])
        scope = CredentialScope(date: String(scopeParts[1]), region: String(scopeParts[2]),
                                service: String(scopeParts[3]))
        signedHeaders = names
        self.signature = String(signature)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let sub = self[...]
        guard let first = sub.firstIndex(where: { !isSpace($0) }),
              let last = sub.lastIndex(where: { !isSpace($0) }) else { return Substring() }
        return Substring(sub[first...last])
    }
}

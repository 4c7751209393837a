/// Firehose's model constraints on `DeliveryStreamName` (1–64 of `[a-zA-Z0-9_.-]`), as validation messages.
enum StreamNameRule {
    /// The violations of `name` at member path `path` (empty when valid); nil means the member was absent.
    static func violations(_ name: String?, path: String = "deliveryStreamName") -> [String] {
        guard let name else { return ["Value null at '\(path)' failed to satisfy constraint: Member must not be null"] }
        let shown = name.count > 80 ? String(name.prefix(80)) + "…" : name
        var violations: [String] = []
        if name.utf8.isEmpty {
            violations.append("Value '' at '\(path)' failed to satisfy constraint: Member must have length greater "
                                  + "than or equal to 1")
        }
        if name.count > 64 {
            violations.append("Value '\(shown)' at '\(path)' failed to satisfy constraint: Member must have length "
                                  + "less than or equal to 64")
        }
        let valid = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
        if !name.utf8.isEmpty, !valid {
            violations.append("Value '\(shown)' at '\(path)' failed to satisfy constraint: Member must satisfy "
                                  + "regular expression pattern: [a-zA-Z0-9_.-]+")
        }
        return violations
    }
}

import Yams

/// The fields of one YAML mapping, by key, with the marks needed for error locations.
struct MappingFields {
    /// A key's node and its value.
    struct Field {
        let key: Node
        let value: Node
    }

    let node: Node
    let path: String
    var fields: [String: Field]
    var order: [String]

    subscript(_ key: String) -> Field? { fields[key] }
}

/// Walks a composed document against the schema, collecting every error instead of stopping at the first.
final class NodeReader {
    let file: String
    let environment: [String: String]
    let maximumErrors: Int
    private(set) var errors: [ConfigurationError] = []

    init(file: String, environment: [String: String], maximumErrors: Int) {
        self.file = file
        self.environment = environment
        self.maximumErrors = maximumErrors
    }

    /// The location of a node's start.
    func location(_ node: Node?) -> SourceLocation {
        guard let mark = node?.mark else { return SourceLocation(file: file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    func fail(_ kind: ConfigurationError.Kind, at node: Node?, path: String, _ message: String) {
        guard errors.count < maximumErrors else { return }
        errors.append(ConfigurationError(kind, at: location(node), path: path, message))
    }

    /// How a node's type is named in "expected X, got Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull(scalar) { return "null" }
            if scalar.style == .plain || scalar.style == .any {
                if Int(scalar.string) != nil { return "the integer \(scalar.string)" }
                if Double(scalar.string) != nil { return "the number \(scalar.string)" }
                if ["true", "false", "True", "False", "TRUE", "FALSE"].contains(scalar.string) {
                    return "the boolean \(scalar.string)"
                }
            }
            return "the string \(quoted(scalar.string))"
        }
    }

    static func isNull(_ scalar: Node.Scalar) -> Bool {
        (scalar.style == .plain || scalar.style == .any) && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    static func quoted(_ text: String) -> String {
        let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
        return "\"" + shown.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case "\n": return "\\n"
            default:
                return scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
            }
        }.joined() + "\""
    }

    /// A mapping with only `allowed` keys; unknown, non-string and repeated keys are reported. Nil if not a mapping.
    func mapping(_ node: Node, path: String, allowed: [String]) -> MappingFields? {
        guard case .mapping(let mapping) = node else {
            fail(.wrongType, at: node, path: path, "must be a mapping with keys \(allowed.joined(separator: ", ")), got \(Self.describe(node))")
            return nil
        }
        var result = MappingFields(node: node, path: path, fields: [:], order: [])
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, !Self.isNull(scalar) else {
                fail(.wrongType, at: key, path: path, "has a key that is \(Self.describe(key)); keys must be strings")
                continue
            }
            let name = scalar.string
            let keyPath = path.isEmpty ? name : "\(path).\(name)"
            guard allowed.contains(name) else {
                fail(.unknownKey, at: key, path: keyPath, "is not a known key; allowed keys here: \(allowed.joined(separator: ", "))")
                continue
            }
            guard result.fields[name] == nil else {
                fail(.duplicate, at: key, path: keyPath, "is given twice")
                continue
            }
            result.fields[name] = .init(key: key, value: value)
            result.order.append(name)
        }
        return result
    }

    /// Reports a missing required key at the mapping's start.
    func missing(_ key: String, in fields: MappingFields, _ detail: String = "") {
        let keyPath = fields.path.isEmpty ? key : "\(fields.path).\(key)"
        fail(.missingKey, at: fields.node, path: keyPath, "is required" + detail)
    }

    /// A non-null scalar as a string, after `${NAME}` substitution.
    func string(_ node: Node, path: String, substitute: Bool = true) -> String? {
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            fail(.wrongType, at: node, path: path, "must be a string, got \(Self.describe(node))")
            return nil
        }
        guard substitute else { return scalar.string }
        do throws(EnvironmentSubstitution.Failure) {
            return try EnvironmentSubstitution.substitute(scalar.string, environment: environment)
        } catch {
            switch error {
            case .unset(let name):
                fail(.missingEnvironmentVariable, at: node, path: path, "uses ${\(name)}, but environment variable \(name) is not set")
            case .malformed(let reason):
                fail(.invalidValue, at: node, path: path, "has a malformed substitution: \(reason)")
            }
        }
        return nil
    }

    /// A non-empty string.
    func nonEmptyString(_ node: Node, path: String) -> String? {
        guard let text = string(node, path: path) else { return nil }
        guard !text.isEmpty else {
            fail(.invalidValue, at: node, path: path, "must not be empty")
            return nil
        }
        return text
    }

    /// The name of an environment variable (no substitution: the value is the name).
    func variableName(_ node: Node, path: String) -> String? {
        guard let name = string(node, path: path, substitute: false) else { return nil }
        guard EnvironmentSubstitution.isVariableName(name) else {
            fail(.invalidValue, at: node, path: path,
                 "must name an environment variable (letters, digits and '_', not starting with a digit), got \(Self.quoted(name))")
            return nil
        }
        return name
    }

    /// A plain decimal integer within `range`.
    func integer(_ node: Node, path: String, range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              let value = Int(scalar.string) else {
            fail(.wrongType, at: node, path: path, "must be an integer \(range.lowerBound)…\(range.upperBound), got \(Self.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            fail(.outOfRange, at: node, path: path, "must be \(range.lowerBound)…\(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// A plain decimal number (integer or fraction) within `range`.
    func number(_ node: Node, path: String, range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any,
              let value = Double(scalar.string), value.isFinite,
              scalar.string.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
            fail(.wrongType, at: node, path: path, "must be a number \(range.lowerBound)…\(range.upperBound), got \(Self.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            fail(.outOfRange, at: node, path: path, "must be \(range.lowerBound)…\(range.upperBound), got \(scalar.string)")
            return nil
        }
        return value
    }

    /// One of an enumeration's raw values.
    func enumeration<Value: RawRepresentable & CaseIterable>(_ node: Node, path: String, as type: Value.Type) -> Value?
    where Value.RawValue == String {
        let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .scalar(let scalar) = node, !Self.isNull(scalar) else {
            fail(.wrongType, at: node, path: path, "must be one of \(allowed), got \(Self.describe(node))")
            return nil
        }
        guard let value = Value(rawValue: scalar.string) else {
            fail(.notAllowed, at: node, path: path, "must be one of \(allowed), got \(Self.quoted(scalar.string))")
            return nil
        }
        return value
    }

    /// A sequence's elements.
    func sequence(_ node: Node, path: String, of what: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            fail(.wrongType, at: node, path: path, "must be a sequence of \(what), got \(Self.describe(node))")
            return nil
        }
        return Array(sequence)
    }
}

/// `${NAME}` substitution in string values (DESIGN.md, Configuration): `NAME` is `[A-Za-z_][A-Za-z0-9_]*`, the
/// variable must be set, and `$${` writes a literal `${`.
enum EnvironmentSubstitution {
    /// Why a string could not be substituted.
    enum Failure: Error {
        /// `${NAME}` with NAME unset.
        case unset(String)
        /// `${` without a valid name and `}`.
        case malformed(String)
    }

    /// Returns `text` with every `${NAME}` replaced by its value.
    static func substitute(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var scalars = text.unicodeScalars[...]
        while let dollar = scalars.firstIndex(of: "$") {
            output.unicodeScalars.append(contentsOf: scalars[..<dollar])
            let rest = scalars[dollar...].dropFirst()
            if rest.starts(with: "${".unicodeScalars) {
                output += "${"
                scalars = rest.dropFirst(2)
                continue
            }
            guard rest.first == "{" else {
                output += "$"
                scalars = rest
                continue
            }
            let body = rest.dropFirst()
            guard let close = body.firstIndex(of: "}") else { throw .malformed("'${' is not closed by '}'") }
            let name = String(String.UnicodeScalarView(body[..<close]))
            guard isVariableName(name) else {
                throw .malformed("'${\(name)}' is not a valid variable name (letters, digits and '_', not starting with a digit)")
            }
            guard let value = environment[name] else { throw .unset(name) }
            output += value
            scalars = body[body.index(after: close)...]
        }
        output.unicodeScalars.append(contentsOf: scalars)
        return output
    }

    /// Whether `name` can name an environment variable.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
        }
    }
}

/// Turns the search identifiers of a `detection` (or `filter`) section into expressions, applying value modifiers.
///
/// Structure (reference §2.1): a mapping ANDs its items, a list of values ORs them (`|all` ANDs), a list of
/// scalars is a keyword search, a list of mappings ORs the sub-detections, `field: []` is `null`.
struct DetectionParser {
    /// A failure at a line of the document.
    struct Failure: Error {
        let line: Int
        let reason: RuleLoadError.Reason
        let message: String
    }

    /// Values for `expand` placeholders (`%name%` → alternatives).
    let placeholders: [String: [String]]

    /// The modifiers Hydrant knows, for the "unknown modifier" message.
    static let knownModifiers: Set<String> = [
        "contains", "startswith", "endswith", "all", "base64", "base64offset", "wide", "utf16le", "utf16be", "utf16",
        "windash", "re", "i", "m", "s", "ignorecase", "multiline", "dotall", "cidr", "exists", "cased", "neq", "expand",
        "fieldref", "gt", "gte", "lt", "lte", "minute", "hour", "day", "week", "month", "year",
    ]

    /// Parses one identifier's definition.
    func identifier(_ value: YAMLValue) throws(Failure) -> DetectionExpression {
        switch value {
        case .mapping(let pairs, _):
            var items: [DetectionExpression] = []
            for (key, item) in pairs { items.append(try self.item(key: key, value: item)) }
            return items.count == 1 ? items[0] : .and(items)
        case .sequence(let elements, let line):
            guard !elements.isEmpty else { throw Failure(line: line, reason: .structure, message: "search identifier is an empty list") }
            var alternatives: [DetectionExpression] = []
            var keywords: [YAMLValue] = []
            for element in elements {
                switch element {
                case .mapping: alternatives.append(try identifier(element))
                case .scalar: keywords.append(element)
                case .sequence(_, let line):
                    throw Failure(line: line, reason: .structure, message: "a list inside a search identifier's list is not allowed")
                }
            }
            if !keywords.isEmpty {
                alternatives.append(try item(field: nil, modifiers: [], values: keywords, line: keywords[0].line))
            }
            return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
        case .scalar(_, let line):
            return try item(field: nil, modifiers: [], values: [value], line: line)
        }
    }

    private func item(key: String, value: YAMLValue) throws(Failure) -> DetectionExpression {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let field = parts[0].isEmpty ? nil : parts[0]
        let modifiers = Array(parts.dropFirst())
        let values: [YAMLValue]
        switch value {
        case .sequence(let elements, _):
            if elements.isEmpty { return .test(field: field, matcher: .null) }
            values = elements
        case .mapping(_, let line):
            throw Failure(line: line, reason: .structure, message: "\"\(key)\" has a mapping as its value; values must be scalars or lists")
        case .scalar:
            values = [value]
        }
        return try item(field: field, modifiers: modifiers, values: values, line: value.line)
    }

    private func item(field: String?, modifiers: [String], values: [YAMLValue], line: Int) throws(Failure) -> DetectionExpression {
        let name = field ?? "keyword"
        func fail(_ reason: RuleLoadError.Reason, _ message: String) -> Failure {
            Failure(line: line, reason: reason, message: message)
        }
        for modifier in modifiers where !Self.knownModifiers.contains(modifier) {
            throw fail(.modifier, "unknown modifier \"\(modifier)\" on \(name)")
        }
        for modifier in modifiers where ["minute", "hour", "day", "week", "month", "year"].contains(modifier) {
            throw fail(.unsupported, "date-part modifier \"\(modifier)\" on \(name) is not supported")
        }
        var all = false
        var negate = false
        var cased = false
        var rest: [String] = []
        for modifier in modifiers {
            switch modifier {
            case "all":
                all = true
            case "neq": negate = true
            case "cased": cased = true
            default: rest.append(modifier)
            }
        }
        if all && values.count == 1, case .scalar(.string, _) = values[0] {
            // pySigma accepts `|all` on one value; it changes nothing.
        }
        var alternatives: [[ValueMatcher]] = []
        if let first = rest.first, first == "exists" {
            guard rest.count == 1, field != nil else { throw fail(.modifier, "\"exists\" must be the only modifier, on a field") }
            guard values.count == 1, case .scalar(.bool(let present), _) = values[0] else {
                throw fail(.value, "\(name)|exists takes true or false")
            }
            alternatives = [[.exists(present)]]
        } else if rest.contains("exists") {
            throw fail(.modifier, "\"exists\" must be the only modifier, on a field")
        } else if let first = rest.first, first == "re" {
            alternatives = try regexValues(rest, values, name: name, fail: fail)
        } else if rest.contains("re") {
            throw fail(.modifier, "\"re\" must be the first modifier of \(name)")
        } else if rest.first == "cidr" {
            guard rest.count == 1 else { throw fail(.modifier, "\"cidr\" must be the only value modifier of \(name)") }
            for value in values {
                guard let text = value.string, let network = IPNetwork(text) else {
                    throw fail(.value, "\(name)|cidr: \"\(value.string ?? value.kindName)\" is not a network (address/prefix with no host bits set)")
                }
                alternatives.append([.cidr(network)])
            }
        } else if rest.contains("cidr") {
            throw fail(.modifier, "\"cidr\" must be the first modifier of \(name)")
        } else if let comparison = rest.first.flatMap(NumericComparison.init(rawValue:)) {
            guard rest.count == 1 else { throw fail(.modifier, "\"\(comparison.rawValue)\" must be the only value modifier of \(name)") }
            for value in values {
                switch value {
                case .scalar(.int(let n), _): alternatives.append([.numeric(comparison, Double(n))])
                case .scalar(.float(let d), _): alternatives.append([.numeric(comparison, d)])
                default: throw fail(.value, "\(name)|\(comparison.rawValue) takes a number, got \(value.string.map { "\"\($0)\"" } ?? value.kindName)")
                }
            }
        } else if rest.contains(where: { NumericComparison(rawValue: $0) != nil }) {
            throw fail(.modifier, "a numeric comparison must be the only value modifier of \(name)")
        } else if rest.first == "fieldref" {
            var mode = ReferenceMode.equal
            for modifier in rest.dropFirst() {
                switch modifier {
                case "contains": mode = .contains
                case "startswith": mode = .prefix
                case "endswith": mode = .suffix
                default: throw fail(.modifier, "\"\(modifier)\" cannot follow fieldref on \(name)")
                }
            }
            for value in values {
                guard case .scalar(.string(let other), _) = value, !other.isEmpty else {
                    throw fail(.value, "\(name)|fieldref takes a field name")
                }
                guard !other.contains("*") && !other.contains("?") else { throw fail(.value, "\(name)|fieldref: \"\(other)\" has wildcards") }
                alternatives.append([.fieldReference(field: other, mode: mode, cased: cased)])
            }
        } else if rest.contains("fieldref") {
            throw fail(.modifier, "\"fieldref\" must be the first modifier of \(name)")
        } else {
            for value in values {
                alternatives.append(try stringValue(value, rest, cased: cased, name: name, line: line))
            }
        }
        var perValue = alternatives.map { variants -> DetectionExpression in
            let tests = variants.map { DetectionExpression.test(field: field, matcher: $0) }
            return tests.count == 1 ? tests[0] : .or(tests)
        }
        if perValue.isEmpty { perValue = [.constant(false)] }
        let combined = perValue.count == 1 ? perValue[0] : (all ? .and(perValue) : .or(perValue))
        return negate ? .not(combined) : combined
    }

    private func regexValues(_ rest: [String], _ values: [YAMLValue], name: String,
                             fail: (RuleLoadError.Reason, String) -> Failure) throws(Failure) -> [[ValueMatcher]] {
        var flags: RegexFlags = []
        var anchorStart = false
        var anchorEnd = false
        for modifier in rest.dropFirst() {
            switch modifier {
            case "i", "ignorecase": flags.insert(.caseInsensitive)
            case "m", "multiline": flags.insert(.multiline)
            case "s", "dotall": flags.insert(.dotAll)
            case "contains": break  // matching already searches anywhere
            case "startswith": anchorStart = true
            case "endswith": anchorEnd = true
            default: throw fail(.modifier, "\"\(modifier)\" cannot follow re on \(name)")
            }
        }
        var out: [[ValueMatcher]] = []
        for value in values {
            guard case .scalar(.string(var pattern), _) = value else {
                throw fail(.value, "\(name)|re takes a string pattern")
            }
            if anchorStart && !pattern.hasPrefix("^") { pattern = "^(?:" + pattern + ")" }
            if anchorEnd && !pattern.hasSuffix("$") { pattern = "(?:" + pattern + ")$" }
            do {
                _ = try CompiledRegex(pattern: pattern, flags: flags)
            } catch {
                throw fail(.value, "\(name)|re: invalid regular expression \"\(pattern)\": \(error.message)")
            }
            out.append([.regex(pattern: pattern, flags: flags)])
        }
        return out
    }

    private func stringValue(_ value: YAMLValue, _ modifiers: [String], cased: Bool, name: String,
                             line: Int) throws(Failure) -> [ValueMatcher] {
        func fail(_ reason: RuleLoadError.Reason, _ message: String) -> Failure {
            Failure(line: value.line, reason: reason, message: message)
        }
        guard case .scalar(let scalar, _) = value else { throw fail(.structure, "\(name) has a nested list as a value") }
        if case .null = scalar {
            guard modifiers.isEmpty else { throw fail(.modifier, "\(name): null takes no modifiers") }
            return [.null]
        }
        var variants: [SigmaPattern]
        switch scalar {
        case .string(let text): variants = [SigmaPattern(parsing: text)]
        default: variants = [SigmaPattern(literal: Array((scalar.text ?? "").utf8))]
        }
        if modifiers.first == "expand" {
            variants = try expand(variants, name: name, fail: fail)
        }
        for modifier in modifiers.dropFirst(modifiers.first == "expand" ? 1 : 0) {
            switch modifier {
            case "contains": variants = variants.map { $0.containing() }
            case "startswith": variants = variants.map { $0.startingWith() }
            case "endswith": variants = variants.map { $0.endingWith() }
            case "expand": throw fail(.modifier, "\"expand\" must be the first modifier of \(name)")
            case "windash":
                var out: [SigmaPattern] = []
                for variant in variants {
                    guard let expanded = ValueEncodings.windash(variant) else {
                        throw fail(.value, "\(name)|windash: more than \(ValueEncodings.maximumWindashPositions) dash positions")
                    }
                    out += expanded
                }
                variants = out
            case "wide", "utf16le", "utf16be", "utf16":
                variants = try variants.map { pattern throws(Failure) in
                    var pieces: [SigmaPattern.Piece] = modifier == "utf16" ? [.literal([0xFF, 0xFE])] : []
                    for piece in pattern.pieces {
                        guard case .literal(let bytes) = piece else { pieces.append(piece); continue }
                        guard let encoded = ValueEncodings.utf16(bytes, bigEndian: modifier == "utf16be") else {
                            throw fail(.value, "\(name)|\(modifier): value is not UTF-8 text")
                        }
                        pieces.append(.literal(encoded))
                    }
                    return SigmaPattern(pieces: pieces)
                }
            case "base64", "base64offset":
                var out: [SigmaPattern] = []
                for variant in variants {
                    guard let bytes = variant.literalBytes else {
                        throw fail(.value, "\(name)|\(modifier): the value has wildcards, which cannot be encoded")
                    }
                    if modifier == "base64" {
                        out.append(SigmaPattern(literal: ValueEncodings.base64(bytes)))
                    } else {
                        out += ValueEncodings.base64Offsets(bytes).map { SigmaPattern(literal: $0) }
                    }
                }
                variants = out
            default:
                throw fail(.modifier, "modifier \"\(modifier)\" cannot be used here on \(name)")
            }
        }
        // Encoded values are matched as written: Base64 is case-sensitive by nature.
        let encoded = modifiers.contains("base64") || modifiers.contains("base64offset")
        return variants.map { ValueMatcher.text($0, cased: cased || encoded) }
    }

    private func expand(_ variants: [SigmaPattern], name: String,
                        fail: (RuleLoadError.Reason, String) -> Failure) throws(Failure) -> [SigmaPattern] {
        var out: [SigmaPattern] = []
        for variant in variants {
            let text = variant.sigmaText
            // Placeholders are `%name%`; a value may hold several, each expanded in turn.
            var results = [text]
            var searchFrom = text.startIndex
            while let open = text[searchFrom...].firstIndex(of: "%") {
                let afterOpen = text.index(after: open)
                guard let close = text[afterOpen...].firstIndex(of: "%") else { break }
                let placeholder = String(text[afterOpen..<close])
                guard let replacements = placeholders[placeholder], !replacements.isEmpty else {
                    throw fail(.placeholder, "\(name)|expand: placeholder %\(placeholder)% has no configured values")
                }
                results = results.flatMap { current in
                    replacements.map { current.replacingFirst("%\(placeholder)%", with: $0) }
                }
                searchFrom = text.index(after: close)
            }
            out += results.map { SigmaPattern(parsing: $0) }
        }
        return out
    }
}

extension String {
    /// The string with the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

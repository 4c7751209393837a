/// Turns template text into `PrefixTemplate.Part`s, checking the rules for the template's kind.
struct PrefixTemplateParser {
    let text: String
    let kind: PrefixTemplate.Kind
    let declaredKeys: Set<String>
    var allowsTransformKeys = false

    func parse() throws(PrefixTemplateError) -> [PrefixTemplate.Part] {
        let scalars = Array(text.unicodeScalars)
        if scalars.count > PrefixTemplate.maximumTemplateLength { throw .templateTooLong(length: scalars.count) }
        var parts: [PrefixTemplate.Part] = []
        var literal = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            guard scalars[index] == "!", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                literal.append(scalars[index])
                index += 1
                continue
            }
            if !literal.isEmpty {
                parts.append(.literal(String(literal)))
                literal = String.UnicodeScalarView()
            }
            let column = index + 1
            var end = index + 2
            var colon: Int?
            while end < scalars.count, scalars[end] != "}" {
                if scalars[end] == "!", end + 1 < scalars.count, scalars[end + 1] == "{" {
                    throw .nestedExpression(column: end + 1)
                }
                if colon == nil, scalars[end] == ":" { colon = end }
                end += 1
            }
            guard end < scalars.count else { throw .unterminatedExpression(column: column) }
            guard end > index + 2 else { throw .emptyExpression(column: column) }
            guard let colon else {
                throw .missingColon(expression: Self.string(scalars[(index + 2)..<end]), column: column)
            }
            guard colon > index + 2 else { throw .emptyNamespace(column: column) }
            let namespace = Self.string(scalars[(index + 2)..<colon])
            let value = Self.string(scalars[(colon + 1)..<end])
            let valueColumn = colon + 2
            let expression = namespace + ":" + value
            guard !value.isEmpty else { throw .emptyKey(namespace: namespace, column: column) }
            parts.append(try part(namespace: namespace, value: value, expression: expression,
                                  column: column, valueColumn: valueColumn))
            index = end + 1
        }
        if !literal.isEmpty { parts.append(.literal(String(literal))) }
        try checkDotSegments(scalars)
        return parts
    }

    private func part(namespace: String, value: String, expression: String,
                      column: Int, valueColumn: Int) throws(PrefixTemplateError) -> PrefixTemplate.Part {
        switch namespace {
        case "timestamp":
            return .timestamp(try pattern(value, valueColumn: valueColumn))
        case "eventTime":
            guard kind == .prefix else {
                throw .notAllowed(expression: expression, kind: kind,
                                  reason: "failed records may have no event time; use !{timestamp:…}", column: column)
            }
            return .eventTime(try pattern(value, valueColumn: valueColumn))
        case "firehose":
            switch value {
            case "random-string":
                return .randomString
            case "error-output-type":
                guard kind == .errorOutputPrefix else {
                    throw .notAllowed(expression: expression, kind: kind,
                                      reason: "error-output-type is only allowed in ErrorOutputPrefix", column: column)
                }
                return .errorOutputType
            default:
                throw .unknownFirehoseKey(value, column: column)
            }
        case "partitionKeyFromQuery":
            guard kind == .prefix else {
                throw .notAllowed(expression: expression, kind: kind,
                                  reason: "partition keys are not allowed in ErrorOutputPrefix", column: column)
            }
            guard declaredKeys.contains(value) else {
                throw .undeclaredKey(value, declared: declaredKeys.sorted(), column: column)
            }
            return .partitionKey(value)
        case "partitionKeyFromLambda":
            guard allowsTransformKeys else { throw .unsupportedNamespace(namespace, column: column) }
            guard kind == .prefix else {
                throw .notAllowed(expression: expression, kind: kind,
                                  reason: "partition keys are not allowed in ErrorOutputPrefix", column: column)
            }
            return .transformPartitionKey(value)
        default:
            throw .unknownNamespace(namespace, column: column)
        }
    }

    private func pattern(_ value: String, valueColumn: Int) throws(PrefixTemplateError) -> JavaDatePattern {
        do {
            return try JavaDatePattern(value)
        } catch {
            throw .badPattern(error, column: valueColumn + error.position - 1)
        }
    }

    /// Refuses `.` and `..` segments written literally in the template (a segment that lies wholly in literal text).
    private func checkDotSegments(_ scalars: [Unicode.Scalar]) throws(PrefixTemplateError) {
        var segmentStart = 0
        var index = 0
        while index <= scalars.count {
            if index == scalars.count || scalars[index] == "/" {
                let length = index - segmentStart
                if length == 1 || length == 2, scalars[segmentStart..<index].allSatisfy({ $0 == "." }) {
                    throw .dotSegment(column: segmentStart + 1)
                }
                segmentStart = index + 1
            }
            index += 1
        }
    }

    private static func string(_ slice: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: slice)
        return String(view)
    }
}

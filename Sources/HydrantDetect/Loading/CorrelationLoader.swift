import HydrantRecords

/// Validates correlation documents: type, references (by id or name, to detection rules or other
/// correlations), `group-by`, aliases, `timespan` and condition, and resolves their fields through the
/// referenced rules' mappings.
struct CorrelationLoader {
    let detections: [DetectionRule]
    let detectionIndex: [String: Int]
    let rejected: [String: String]
    var usedHandles: [String: (String, Int)]
    private(set) var correlationIndex: [String: CorrelationRule] = [:]

    init(detections: [DetectionRule], detectionIndex: [String: Int], rejected: [String: String],
         usedHandles: [String: (String, Int)]) {
        self.detections = detections
        self.detectionIndex = detectionIndex
        self.rejected = rejected
        self.usedHandles = usedHandles
    }

    /// Parses a timespan such as `90m` into nanoseconds (`s`, `m`, `h`, `d`, and pySigma's `w`, `M`, `y`).
    static func timespan(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count > 0 else { return nil }
        let seconds: Int64
        switch unit {
        case "s": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        case "d": seconds = 86_400
        case "w": seconds = 604_800
        case "M": seconds = 2_629_746
        case "y": seconds = 31_556_952
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: seconds * 1_000_000_000)
        return overflow ? nil : product
    }

    mutating func load(document: YAMLValue, id: String?, name: String?, title: String, file: String,
                       line: Int) -> Result<CorrelationRule, RuleLoadError> {
        func fail(_ line: Int, _ reason: RuleLoadError.Reason, _ message: String) -> Result<CorrelationRule, RuleLoadError> {
            .failure(RuleLoadError(file: file, line: line, reason: reason, message: message, title: title))
        }
        guard let body = document["correlation"], case .mapping = body else {
            return fail(line, .structure, "correlation must be a mapping")
        }
        guard let typeText = body["type"]?.string, let type = CorrelationType(rawValue: typeText) else {
            return fail(body["type"]?.line ?? body.line, .structure,
                        "correlation type must be one of \(CorrelationType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for handle in [id, name].compactMap({ $0 }) {
            if let (otherFile, otherLine) = usedHandles[handle] {
                return fail(line, .reference, "id or name \"\(handle)\" is already used by the rule at \(otherFile):\(otherLine)")
            }
        }
        guard case .sequence(let ruleNodes, let rulesLine)? = body["rules"], !ruleNodes.isEmpty else {
            return fail(body.line, .structure, "correlation needs a non-empty rules list")
        }
        var keys: [String] = []
        var referencedDetections: [DetectionRule] = []
        var referencedCorrelations: [CorrelationRule] = []
        for node in ruleNodes {
            guard let reference = node.string else { return fail(node.line, .structure, "rules entries must be ids or names") }
            if let index = detectionIndex[reference] {
                keys.append(detections[index].key)
                referencedDetections.append(detections[index])
            } else if let correlation = correlationIndex[reference] {
                keys.append(correlation.key)
                referencedCorrelations.append(correlation)
            } else if let why = rejected[reference] {
                return fail(node.line, .reference, "references rule \"\(reference)\", which was rejected (\(why))")
            } else {
                return fail(node.line, .reference, "references rule \"\(reference)\", which is not loaded")
            }
        }
        _ = rulesLine
        var groupBy: [String] = []
        if let node = body["group-by"] {
            guard case .sequence(let list, _) = node else { return fail(node.line, .structure, "group-by must be a list") }
            groupBy = list.compactMap(\.string)
        }
        guard let timespanNode = body["timespan"], let timespanText = timespanNode.string,
              let timespan = Self.timespan(timespanText) else {
            return fail(body["timespan"]?.line ?? body.line, .structure,
                        "timespan must be a number with a unit s, m, h, d (e.g. 5m), got \(body["timespan"]?.string ?? "nothing")")
        }
        var aliases: [String: [String: String]] = [:]
        if case .mapping(let pairs, _)? = body["aliases"] {
            for (alias, value) in pairs {
                guard case .mapping(let perRule, let aliasLine) = value else {
                    return fail(value.line, .structure, "alias \(alias) must map rule names to fields")
                }
                var resolved: [String: String] = [:]
                for (reference, field) in perRule {
                    guard let field = field.string else { return fail(aliasLine, .structure, "alias \(alias): \(reference) needs a field") }
                    let key = detectionIndex[reference].map { detections[$0].key } ?? correlationIndex[reference]?.key
                    guard let key, keys.contains(key) else {
                        return fail(aliasLine, .reference, "alias \(alias) names rule \"\(reference)\", which the correlation does not reference")
                    }
                    resolved[key] = field
                }
                aliases[alias] = resolved
            }
        }
        var comparisons: [CorrelationComparison] = []
        var valueField: String?
        var percentile: Double?
        let conditionNode = body["condition"]
        switch conditionNode {
        case .mapping(let pairs, _)?:
            for (key, value) in pairs {
                switch key {
                case "field": valueField = value.string
                case "percentile":
                    guard case .scalar(let scalar, _) = value, let number = Self.number(scalar) else {
                        return fail(value.line, .value, "percentile must be a number")
                    }
                    percentile = number
                case "gt", "gte", "lt", "lte", "eq", "neq":
                    guard case .scalar(let scalar, _) = value, let number = Self.number(scalar) else {
                        return fail(value.line, .value, "condition \(key) must be a number")
                    }
                    comparisons.append(CorrelationComparison(operation: key, value: number))
                default:
                    return fail(value.line, .structure, "unknown correlation condition key \"\(key)\"")
                }
            }
        case .scalar(.string, let conditionLine)?:
            return fail(conditionLine, .unsupported, "string conditions in correlations (Sigma v2.2 draft) are not supported yet")
        case nil:
            break
        case let other?:
            return fail(other.line, .structure, "correlation condition must be a mapping")
        }
        switch type {
        case .temporal, .temporalOrdered:
            if comparisons.isEmpty { comparisons = [CorrelationComparison(operation: "gte", value: Double(keys.count))] }
        case .eventCount:
            if comparisons.isEmpty { return fail(conditionNode?.line ?? body.line, .structure, "event_count needs a condition") }
        case .valueCount, .valueSum, .valueAverage, .valuePercentile:
            if comparisons.isEmpty || valueField == nil {
                return fail(conditionNode?.line ?? body.line, .structure, "\(type.rawValue) needs a condition with a field and an operator")
            }
            if type == .valuePercentile && percentile == nil {
                return fail(conditionNode?.line ?? body.line, .structure, "value_percentile needs condition.percentile")
            }
        }
        // Resolve group-by and the value field through each referenced detection rule's mapping.
        var resolved: [String: [String: [String]]] = [:]
        for rule in referencedDetections {
            let available = rule.datasets.reduce(into: Set<String>()) { $0.formUnion(DatasetCatalogue.fields(of: $1) ?? []) }
            var fields: [String: [String]] = [:]
            for entry in groupBy + (valueField.map { [$0] } ?? []) {
                let ruleField = aliases[entry]?[rule.key] ?? entry
                let targets = (rule.fieldMapping[ruleField] ?? [ruleField]).filter { available.contains($0) }
                guard !targets.isEmpty else {
                    return fail(body.line, .unavailableField,
                                "field \(ruleField) (of \(entry)) is not available for rule \"\(rule.title)\" on \(rule.datasets.map(\.rawValue).joined(separator: ", "))")
                }
                fields[entry] = targets
            }
            resolved[rule.key] = fields
        }
        for inner in referencedCorrelations {
            for entry in groupBy where !inner.groupBy.contains(entry) {
                return fail(body.line, .reference,
                            "group-by \(entry) is not among the group-by fields of the referenced correlation \"\(inner.title)\"")
            }
        }
        let rule = CorrelationRule(
            id: id, name: name, title: title, description: document["description"]?.string, level: document["level"]?.string,
            tags: { if case .sequence(let l, _)? = document["tags"] { return l.compactMap(\.string) } else { return [] } }(),
            type: type, rules: keys, groupBy: groupBy, timespan: timespan, comparisons: comparisons, valueField: valueField,
            percentile: percentile, aliases: aliases, resolvedFields: resolved,
            generate: { if case .scalar(.bool(let b), _)? = body["generate"] { return b } else { return false } }(),
            file: file, line: line)
        for handle in [id, name].compactMap({ $0 }) {
            correlationIndex[handle] = rule
            usedHandles[handle] = (file, line)
        }
        return .success(rule)
    }

    private static func number(_ scalar: SigmaScalar) -> Double? {
        switch scalar {
        case .int(let n): return Double(n)
        case .float(let d): return d
        default: return nil
        }
    }
}

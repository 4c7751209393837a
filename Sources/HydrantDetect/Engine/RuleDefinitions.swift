/// Which rules of a reloaded rule set are compiled exactly as before, so that their correlation state can
/// outlive the reload.
///
/// A detection rule's definition is what decides its matches: its condition (after field mapping), its datasets
/// and the mapping itself. A correlation's is its type, referenced rules, group-by, timespan, condition, value
/// field, aliases, resolved fields and `generate`, and it counts as unchanged only when every rule it references
/// (detection or correlation, transitively) is unchanged too. Titles, descriptions, levels, tags, file names
/// and line numbers are not part of a definition: editing them keeps the state.
enum RuleDefinitions {
    /// The keys of the rules of `current` whose definition is the same in `previous`.
    static func unchangedKeys(previous: RuleSet, current: RuleSet) -> Set<String> {
        var oldDetections: [String: DetectionRule] = [:]
        for rule in previous.detections { oldDetections[rule.key] = rule }
        var oldCorrelations: [String: CorrelationRule] = [:]
        for rule in previous.correlations { oldCorrelations[rule.key] = rule }
        var unchanged = Set<String>()
        var detectionKeys = Set<String>()
        for rule in current.detections {
            detectionKeys.insert(rule.key)
            if let old = oldDetections[rule.key], sameDefinition(old, rule) { unchanged.insert(rule.key) }
        }
        var byKey: [String: CorrelationRule] = [:]
        for rule in current.correlations { byKey[rule.key] = rule }
        var decided: [String: Bool] = [:]
        func correlationUnchanged(_ key: String, visiting: Set<String>) -> Bool {
            if let known = decided[key] { return known }
            guard !visiting.contains(key), let rule = byKey[key], let old = oldCorrelations[key], sameDefinition(old, rule)
            else { decided[key] = false; return false }
            var result = true
            for reference in rule.rules {
                if detectionKeys.contains(reference) {
                    if !unchanged.contains(reference) { result = false; break }
                } else if !correlationUnchanged(reference, visiting: visiting.union([key])) {
                    result = false
                    break
                }
            }
            decided[key] = result
            return result
        }
        for rule in current.correlations where correlationUnchanged(rule.key, visiting: []) { unchanged.insert(rule.key) }
        return unchanged
    }

    static func sameDefinition(_ a: DetectionRule, _ b: DetectionRule) -> Bool {
        a.expression == b.expression && a.datasets == b.datasets && a.fieldMapping == b.fieldMapping
    }

    static func sameDefinition(_ a: CorrelationRule, _ b: CorrelationRule) -> Bool {
        a.type == b.type && a.rules == b.rules && a.groupBy == b.groupBy && a.timespan == b.timespan
            && a.comparisons == b.comparisons && a.valueField == b.valueField && a.percentile == b.percentile
            && a.aliases == b.aliases && a.resolvedFields == b.resolvedFields && a.generate == b.generate
    }
}

import HydrantRecords
import Yams

/// Collects documents from files, then resolves filters, field mappings and correlation references.
struct RuleSetLoader {
    private struct RawDetection {
        var id: String?
        var name: String?
        var title: String
        var description: String?
        var level: String?
        var tags: [String]
        var logSource: LogSource
        var identifiers: [(String, DetectionExpression)]
        var conditions: [String]
        var conditionLine: Int
        var fieldLines: [String: Int]
        var file: String
        var line: Int
    }

    private struct RawFilter {
        var title: String
        var logSource: LogSource
        var rules: [String]
        var identifiers: [(String, DetectionExpression)]
        var condition: String
        var conditionLine: Int
        var file: String
        var line: Int
    }

    private struct RawCorrelation {
        var document: YAMLValue
        var id: String?
        var name: String?
        var title: String
        var file: String
        var line: Int
    }

    let options: RuleLoadOptions
    private var detections: [RawDetection] = []
    private var filters: [RawFilter] = []
    private var correlations: [RawCorrelation] = []
    private var errors: [RuleLoadError] = []

    init(options: RuleLoadOptions) { self.options = options }

    /// Parses every document of one file.
    mutating func add(file: String, text: String) {
        var nodes: [Node] = []
        do {
            // The sequence stops at the first bad document and keeps the error instead of throwing it.
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() { nodes.append(node) }
            if let error = sequence.error { throw error }
        } catch let error as YamlError {
            errors.append(RuleLoadError(file: file, line: Self.line(of: error), reason: .unreadable,
                                        message: "not valid YAML: \(Self.describe(error))"))
            return
        } catch {
            errors.append(RuleLoadError(file: file, line: 0, reason: .unreadable, message: "not valid YAML: \(error)"))
            return
        }
        for node in nodes {
            let document: YAMLValue
            do {
                document = try YAMLValue.from(node)
            } catch {
                errors.append(RuleLoadError(file: file, line: error.line, reason: .structure, message: error.message))
                continue
            }
            addDocument(document, file: file)
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }

    private mutating func addDocument(_ document: YAMLValue, file: String) {
        let line = document.line
        guard case .mapping = document else {
            if case .scalar(.null, _) = document { return }  // an empty document between `---` separators
            errors.append(RuleLoadError(file: file, line: line, reason: .structure, message: "a rule document must be a mapping"))
            return
        }
        let title = document["title"]?.string
        func fail(_ line: Int, _ reason: RuleLoadError.Reason, _ message: String) {
            errors.append(RuleLoadError(file: file, line: line, reason: reason, message: message, title: title))
        }
        guard let title, !title.isEmpty else {
            fail(line, .structure, "missing title")
            return
        }
        if document["correlation"] != nil {
            correlations.append(RawCorrelation(document: document, id: document["id"]?.string, name: document["name"]?.string,
                                               title: title, file: file, line: line))
            return
        }
        let logSource = Self.logSource(document["logsource"])
        let parser = DetectionParser(placeholders: options.placeholders)
        if let filter = document["filter"] {
            guard case .mapping(let pairs, _) = filter else {
                fail(filter.line, .structure, "filter must be a mapping")
                return
            }
            var identifiers: [(String, DetectionExpression)] = []
            var rules: [String] = []
            var condition: String?
            var conditionLine = filter.line
            for (key, value) in pairs {
                switch key {
                case "rules":
                    if case .sequence(let list, _) = value { rules = list.compactMap(\.string) }
                    else if let single = value.string { rules = single == "any" ? [] : [single] }
                case "condition":
                    condition = value.string
                    conditionLine = value.line
                default:
                    do { identifiers.append((key, try parser.identifier(value))) } catch {
                        fail(error.line, error.reason, error.message)
                        return
                    }
                }
            }
            guard let condition else {
                fail(filter.line, .structure, "filter has no condition")
                return
            }
            filters.append(RawFilter(title: title, logSource: logSource, rules: rules, identifiers: identifiers,
                                     condition: condition, conditionLine: conditionLine, file: file, line: line))
            return
        }
        guard let detection = document["detection"] else {
            fail(line, .structure, "no detection, correlation or filter section")
            return
        }
        guard document["logsource"] != nil else {
            fail(line, .structure, "missing logsource")
            return
        }
        guard case .mapping(let pairs, _) = detection else {
            fail(detection.line, .structure, "detection must be a mapping")
            return
        }
        var identifiers: [(String, DetectionExpression)] = []
        var conditions: [String] = []
        var conditionLine = detection.line
        var fieldLines: [String: Int] = [:]
        Self.collectFieldLines(detection, into: &fieldLines)
        for (key, value) in pairs {
            if key == "condition" {
                conditionLine = value.line
                switch value {
                case .scalar(.string(let text), _): conditions = [text]
                case .sequence(let list, _): conditions = list.compactMap(\.string)
                default:
                    fail(value.line, .condition, "condition must be a string or a list of strings")
                    return
                }
                continue
            }
            if key == "timeframe" {
                fail(value.line, .unsupported, "timeframe belongs to the legacy aggregation syntax; write a correlation rule instead")
                return
            }
            do { identifiers.append((key, try parser.identifier(value))) } catch {
                fail(error.line, error.reason, error.message)
                return
            }
        }
        guard !conditions.isEmpty else {
            fail(detection.line, .condition, "detection has no condition")
            return
        }
        detections.append(RawDetection(
            id: document["id"]?.string, name: document["name"]?.string, title: title,
            description: document["description"]?.string, level: document["level"]?.string,
            tags: Self.strings(document["tags"]), logSource: logSource, identifiers: identifiers,
            conditions: conditions, conditionLine: conditionLine, fieldLines: fieldLines, file: file, line: line))
    }

    /// The first line where each field of a detection is tested, so that mapping errors point at it.
    private static func collectFieldLines(_ value: YAMLValue, into lines: inout [String: Int]) {
        switch value {
        case .mapping(let pairs, _):
            for (key, item) in pairs {
                let field = String(key.split(separator: "|", omittingEmptySubsequences: false).first ?? "")
                if !field.isEmpty, lines[field] == nil { lines[field] = item.line }
                collectFieldLines(item, into: &lines)
            }
        case .sequence(let items, _):
            for item in items { collectFieldLines(item, into: &lines) }
        case .scalar:
            break
        }
    }

    private static func logSource(_ value: YAMLValue?) -> LogSource {
        LogSource(category: value?["category"]?.string, product: value?["product"]?.string, service: value?["service"]?.string)
    }

    private static func strings(_ value: YAMLValue?) -> [String] {
        guard case .sequence(let list, _)? = value else { return value?.string.map { [$0] } ?? [] }
        return list.compactMap(\.string)
    }

    /// Resolves filters, mappings and correlations.
    mutating func finish() -> (RuleSet, [RuleLoadError]) {
        var set = RuleSet()
        set.filterCount = filters.count
        var byReference: [String: Int] = [:]  // id or name → index in set.detections
        var usedHandles: [String: (String, Int)] = [:]
        var rejectedHandles: [String: String] = [:]
        for raw in detections {
            func fail(_ line: Int, _ reason: RuleLoadError.Reason, _ message: String) {
                let error = RuleLoadError(file: raw.file, line: line, reason: reason, message: message, title: raw.title)
                errors.append(error)
                for handle in [raw.id, raw.name].compactMap({ $0 }) { rejectedHandles[handle] = "\(reason.rawValue): \(message)" }
            }
            var duplicate = false
            for handle in [raw.id, raw.name].compactMap({ $0 }) {
                if let (file, line) = usedHandles[handle] {
                    fail(raw.line, .reference, "id or name \"\(handle)\" is already used by the rule at \(file):\(line)")
                    duplicate = true
                }
            }
            if duplicate { continue }
            for handle in [raw.id, raw.name].compactMap({ $0 }) { usedHandles[handle] = (raw.file, raw.line) }
            var condition: DetectionExpression
            do {
                var parser = ConditionParser(identifiers: raw.identifiers)
                let parsed = try raw.conditions.map { text throws(ConditionParser.Failure) in try parser.parse(text) }
                condition = parsed.count == 1 ? parsed[0] : .or(parsed)
            } catch {
                fail(raw.conditionLine, error.message.contains("legacy pipe") ? .unsupported : .condition, error.message)
                continue
            }
            // Filters: `(rule) and (filter)` when the filter's logsource contains the rule's and it names the rule.
            var filterFailed = false
            for filter in filters where filter.logSource.contains(raw.logSource)
                && (filter.rules.isEmpty || filter.rules.contains { $0 == raw.id || $0 == raw.name }) {
                do {
                    var parser = ConditionParser(identifiers: filter.identifiers)
                    condition = .and([condition, try parser.parse(filter.condition)])
                } catch {
                    errors.append(RuleLoadError(file: filter.file, line: filter.conditionLine, reason: .condition,
                                                message: error.message, title: filter.title))
                    filterFailed = true
                }
            }
            if filterFailed { continue }
            let mapping = ResolvedMapping(source: raw.logSource, pipelines: options.pipelines)
            if let failure = mapping.failure {
                fail(raw.line, .unavailableField, failure)
                continue
            }
            guard !mapping.datasets.isEmpty else {
                fail(raw.line, .unmappedLogsource, "no field mapping routes logsource (\(raw.logSource)) to a Hydrant dataset")
                continue
            }
            let mapped: DetectionExpression
            do { mapped = try mapping.apply(to: condition) } catch {
                fail(error.field.flatMap { raw.fieldLines[$0] } ?? raw.line, .unavailableField, error.text)
                continue
            }
            if mapped.hasKeywords && mapping.datasets.allSatisfy({ DatasetCatalogue.keywordFields(of: $0).isEmpty }) {
                fail(raw.line, .unavailableField,
                     "keywords need a text field to search, and \(mapping.datasets.map(\.rawValue).joined(separator: ", ")) has none")
                continue
            }
            let rule = DetectionRule(
                id: raw.id, name: raw.name, title: raw.title, description: raw.description, level: raw.level,
                tags: raw.tags, logSource: raw.logSource, datasets: mapping.datasets, expression: mapped,
                fieldMapping: mapping.mapping, file: raw.file, line: raw.line)
            for handle in [raw.id, raw.name].compactMap({ $0 }) { byReference[handle] = set.detections.count }
            set.detections.append(rule)
        }
        var correlationLoader = CorrelationLoader(detections: set.detections, detectionIndex: byReference,
                                                  rejected: rejectedHandles, usedHandles: usedHandles)
        // Chained correlations may come before the correlation they reference: retry until nothing changes.
        var pending = correlations
        while !pending.isEmpty {
            var next: [RawCorrelation] = []
            var failures: [RuleLoadError] = []
            for raw in pending {
                switch correlationLoader.load(document: raw.document, id: raw.id, name: raw.name, title: raw.title,
                                              file: raw.file, line: raw.line) {
                case .success(let rule): set.correlations.append(rule)
                case .failure(let error):
                    next.append(raw)
                    failures.append(error)
                }
            }
            if next.count == pending.count {
                errors += failures
                break
            }
            pending = next
        }
        // `generate: false` (the default) keeps rules referenced by correlations from alerting on their own.
        var silenced = Set<String>()
        var generating = Set<String>()
        for correlation in set.correlations {
            for key in correlation.rules { if correlation.generate { generating.insert(key) } else { silenced.insert(key) } }
        }
        for index in set.detections.indices {
            let key = set.detections[index].key
            if silenced.contains(key) && !generating.contains(key) { set.detections[index].generatesAlerts = false }
        }
        return (set, errors)
    }
}

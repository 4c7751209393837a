import HydrantRecords
import Yams

/// A processing pipeline in pySigma's YAML shape, restricted to what Hydrant needs: `field_name_mapping`,
/// `set_state` of `hydrant_datasets`, `rule_failure` and `drop_detection_item`, each guarded by `logsource` rule
/// conditions (all must hold).
public struct FieldMappingPipeline: Sendable {
    /// One processing item.
    struct Item: Sendable {
        enum Kind: Sendable {
            case mapping([String: [String]])
            case datasets([Dataset])
            case failure(String)
            case drop(fields: Set<String>, value: String?)
        }
        let id: String
        let kind: Kind
        let conditions: [LogSource]

        func applies(to source: LogSource) -> Bool { conditions.allSatisfy { $0.contains(source) } }
    }

    /// The pipeline's name.
    public let name: String
    /// Lower runs first.
    public let priority: Int
    let items: [Item]

    /// A pipeline that failed to parse.
    public struct Failure: Error, CustomStringConvertible {
        /// The line and what is wrong.
        public let line: Int
        /// What is wrong.
        public let message: String
        /// `line: message`.
        public var description: String { "line \(line): \(message)" }
    }

    /// Parses a pipeline document.
    public init(yaml: String) throws(Failure) {
        let root: YAMLValue
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw Failure(line: 1, message: "empty pipeline") }
            root = try YAMLValue.from(node)
        } catch let failure as Failure {
            throw failure
        } catch let error as YAMLConversionError {
            throw Failure(line: error.line, message: error.message)
        } catch {
            throw Failure(line: 1, message: "not valid YAML: \(error)")
        }
        name = root["name"]?.string ?? "unnamed"
        if case .scalar(.int(let p), _)? = root["priority"] { priority = Int(p) } else { priority = 50 }
        guard case .sequence(let entries, _)? = root["transformations"] else {
            throw Failure(line: root.line, message: "a pipeline needs a transformations list")
        }
        var items: [Item] = []
        for entry in entries {
            let id = entry["id"]?.string ?? "item \(items.count + 1)"
            var conditions: [LogSource] = []
            if case .sequence(let list, _)? = entry["rule_conditions"] {
                for condition in list {
                    guard condition["type"]?.string == "logsource" else {
                        throw Failure(line: condition.line, message: "\(id): only logsource rule conditions are supported")
                    }
                    conditions.append(LogSource(category: condition["category"]?.string, product: condition["product"]?.string,
                                                service: condition["service"]?.string))
                }
            }
            let kind: Item.Kind
            switch entry["type"]?.string {
            case "field_name_mapping":
                guard case .mapping(let pairs, _)? = entry["mapping"] else {
                    throw Failure(line: entry.line, message: "\(id): field_name_mapping needs a mapping")
                }
                var mapping: [String: [String]] = [:]
                for (from, to) in pairs {
                    switch to {
                    case .scalar: mapping[from] = [to.string ?? ""]
                    case .sequence(let targets, _): mapping[from] = targets.compactMap(\.string)
                    case .mapping(_, let line): throw Failure(line: line, message: "\(id): \(from) maps to a mapping")
                    }
                }
                kind = .mapping(mapping)
            case "set_state":
                guard entry["key"]?.string == "hydrant_datasets", case .sequence(let values, _)? = entry["val"] else {
                    throw Failure(line: entry.line, message: "\(id): set_state must set hydrant_datasets to a list")
                }
                var datasets: [Dataset] = []
                for value in values {
                    guard let text = value.string, let dataset = Dataset(rawValue: text), dataset != .alert else {
                        throw Failure(line: value.line, message: "\(id): \(value.string ?? "?") is not a dataset rules run on")
                    }
                    datasets.append(dataset)
                }
                kind = .datasets(datasets)
            case "rule_failure":
                kind = .failure(entry["message"]?.string ?? "rejected by \(id)")
            case "drop_detection_item":
                var fields = Set<String>()
                if case .sequence(let list, _)? = entry["field_name_conditions"] {
                    for condition in list {
                        if case .sequence(let names, _)? = condition["fields"] { fields.formUnion(names.compactMap(\.string)) }
                    }
                }
                kind = .drop(fields: fields, value: entry["value"]?.string)
            default:
                throw Failure(line: entry.line, message: "\(id): transformation type \(entry["type"]?.string ?? "(none)") is not supported")
            }
            items.append(Item(id: id, kind: kind, conditions: conditions))
        }
        self.items = items
    }

    /// The built-in pipelines (`BuiltinMappings`), parsed.
    public static let builtin: [FieldMappingPipeline] = BuiltinMappings.all.compactMap { try? FieldMappingPipeline(yaml: $0.yaml) }
}

/// What the pipelines decide for one rule's log source: datasets, field mapping, failures and dropped items.
struct ResolvedMapping: Sendable {
    var datasets: [Dataset] = []
    var mapping: [String: [String]] = [:]
    var failure: String?
    var drops: [(fields: Set<String>, value: String?)] = []

    /// Applies every pipeline item whose conditions hold, in priority order; for a field, the first mapping wins.
    init(source: LogSource, pipelines: [FieldMappingPipeline]) {
        for pipeline in pipelines.sorted(by: { $0.priority < $1.priority }) {
            for item in pipeline.items where item.applies(to: source) {
                switch item.kind {
                case .datasets(let list): datasets = list
                case .mapping(let map):
                    for (from, to) in map where mapping[from] == nil { mapping[from] = to }
                case .failure(let message): failure = failure ?? message
                case .drop(let fields, let value): drops.append((fields, value))
                }
            }
        }
    }

    /// Rewrites a detection from rule field names to dataset fields; fails naming the first field no dataset
    /// of the rule carries.
    func apply(to expression: DetectionExpression) throws(RuleLoadError.Reason.Message) -> DetectionExpression {
        let available = datasets.reduce(into: Set<String>()) { $0.formUnion(DatasetCatalogue.fields(of: $1) ?? []) }
        func targets(_ field: String) throws(RuleLoadError.Reason.Message) -> [String] {
            let mapped = mapping[field] ?? [field]
            let present = mapped.filter { available.contains($0) }
            guard !present.isEmpty else {
                let via = mapping[field].map { " (mapped to \($0.joined(separator: ", ")))" } ?? ""
                throw .init("field \(field)\(via) is not available in \(datasets.map(\.rawValue).joined(separator: ", "))", field: field)
            }
            return present
        }
        do {
            return try expression.rewritingTests { field, matcher in
                guard let field else { return .test(field: nil, matcher: matcher) }
                for drop in drops where drop.fields.contains(field) {
                    if drop.value == nil { return .constant(true) }
                    if case .exact(let bytes, _) = matcher, String(decoding: bytes, as: UTF8.self) == drop.value?.lowercased() {
                        return .constant(true)
                    }
                }
                var resolvedMatcher = matcher
                if case .fieldReference(let other, let mode, let cased) = matcher {
                    let otherTargets = try targets(other)
                    guard otherTargets.count == 1 else {
                        throw RuleLoadError.Reason.Message("fieldref \(other) maps to several fields")
                    }
                    resolvedMatcher = .fieldReference(field: otherTargets[0], mode: mode, cased: cased)
                }
                let list = try targets(field)
                let tests = list.map { DetectionExpression.test(field: $0, matcher: resolvedMatcher) }
                return tests.count == 1 ? tests[0] : .or(tests)
            }
        } catch let message as RuleLoadError.Reason.Message {
            throw message
        } catch {
            throw .init("\(error)")
        }
    }
}

extension RuleLoadError.Reason {
    /// A message thrown inside rule compilation and wrapped into a `RuleLoadError` with file and line.
    struct Message: Error {
        let text: String
        /// The rule field the message is about, to find its line.
        let field: String?
        init(_ text: String, field: String? = nil) {
            self.text = text
            self.field = field
        }
    }
}

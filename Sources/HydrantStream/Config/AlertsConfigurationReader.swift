import HydrantAlert
import Yams

/// Reads `alerts:`; each webhook is validated by `WebhookConfiguration(dictionary:path:environment:)`, its error
/// placed at the key it names.
extension StreamConfigurationReader {
    static let alertsKeys = ["webhooks", "outbox_dir", "drain_timeout_s"]

    func readAlerts(_ node: Node) -> AlertsConfiguration? {
        guard let fields = reader.mapping(node, path: "alerts", allowed: Self.alertsKeys) else { return nil }
        var valid = true
        var webhooks: [WebhookConfiguration] = []
        if let field = fields["webhooks"], let nodes = reader.sequence(field.value, path: "alerts.webhooks", of: "webhook mappings") {
            var names: [String: Int] = [:]
            for (index, element) in nodes.enumerated() {
                let path = "alerts.webhooks[\(index)]"
                guard case .mapping(let mapping) = element else {
                    reader.fail(.wrongType, at: element, path: path,
                                "must be a mapping with keys \(WebhookConfiguration.dictionaryKeys.sorted().joined(separator: ", ")), got \(NodeReader.describe(element))")
                    valid = false
                    continue
                }
                guard let dictionary = plainValue(element, path: path) as? [String: Any] else { valid = false; continue }
                do throws(WebhookConfigurationError) {
                    let webhook = try WebhookConfiguration(dictionary: dictionary, path: path, environment: reader.environment)
                    if let first = names[webhook.name] {
                        reader.fail(.duplicate, at: Self.key("name", in: mapping) ?? element, path: path + ".name",
                                    "repeats webhook name \(NodeReader.quoted(webhook.name)) of alerts.webhooks[\(first)]")
                        valid = false
                        continue
                    }
                    names[webhook.name] = index
                    webhooks.append(webhook)
                } catch {
                    // The error's path is `alerts.webhooks[i].key…`: point at that key when it exists.
                    let rest = error.path.hasPrefix(path + ".") ? String(error.path.dropFirst(path.count + 1)) : ""
                    let key = rest.split(whereSeparator: { $0 == "." || $0 == "[" }).first.map(String.init) ?? ""
                    let at = Self.key(key, in: mapping)
                    let kind: ConfigurationError.Kind = error.reason.contains("environment variable") ? .missingEnvironmentVariable
                        : error.reason.hasPrefix("unknown key") ? .unknownKey
                        : error.reason == "is required" ? .missingKey : .invalidValue
                    reader.fail(kind, at: at ?? element, path: error.path, error.reason)
                    valid = false
                }
            }
        }
        var outbox: String?
        if let field = fields["outbox_dir"] {
            outbox = reader.nonEmptyString(field.value, path: "alerts.outbox_dir")
            if outbox == nil { valid = false }
        }
        let drain = fields["drain_timeout_s"].map {
            reader.integer($0.value, path: "alerts.drain_timeout_s", range: AlertsConfiguration.drainTimeoutSecondsRange)
        } ?? AlertsConfiguration.defaultDrainTimeoutSeconds
        guard valid, let drain else { return nil }
        return AlertsConfiguration(webhooks: webhooks, outboxDirectory: outbox, drainTimeoutSeconds: drain)
    }

    /// The key node named `name` in `mapping`.
    private static func key(_ name: String, in mapping: Node.Mapping) -> Node? {
        for (key, _) in mapping {
            if case .scalar(let scalar) = key, scalar.string == name { return key }
        }
        return nil
    }

    /// A node as the plain values `WebhookConfiguration(dictionary:)` reads: quoted scalars stay strings, plain ones
    /// become `Int`, `Double` or `Bool` when they read as such; `${NAME}` is substituted in strings.
    private func plainValue(_ node: Node, path: String) -> Any? {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain || scalar.style == .any {
                if NodeReader.isNull(scalar) { return nil }
                if let integer = Int(scalar.string) { return integer }
                if let double = Double(scalar.string), scalar.string.allSatisfy({ $0.isASCII }) { return double }
                if ["true", "True", "TRUE"].contains(scalar.string) { return true }
                if ["false", "False", "FALSE"].contains(scalar.string) { return false }
            }
            return reader.string(node, path: path)
        case .sequence(let sequence):
            var values: [Any] = []
            for (index, element) in sequence.enumerated() {
                guard let value = plainValue(element, path: "\(path)[\(index)]") else { return nil }
                values.append(value)
            }
            return values
        case .mapping(let mapping):
            var values: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar(let scalar) = key, !NodeReader.isNull(scalar) else {
                    reader.fail(.wrongType, at: key, path: path, "has a key that is \(NodeReader.describe(key)); keys must be strings")
                    return nil
                }
                guard values[scalar.string] == nil else {
                    reader.fail(.duplicate, at: key, path: "\(path).\(scalar.string)", "is given twice")
                    return nil
                }
                guard let converted = plainValue(value, path: "\(path).\(scalar.string)") else { return nil }
                values[scalar.string] = converted
            }
            return values
        case .alias:
            reader.fail(.aliasNotAllowed, at: node, path: path, "is an alias; write values out")
            return nil
        }
    }
}

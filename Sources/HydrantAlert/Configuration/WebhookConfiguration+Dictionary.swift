extension WebhookConfiguration {
    /// The keys an `alerts.webhooks` entry may have.
    public static let dictionaryKeys: Set<String> = [
        "name", "url", "format", "secret_env", "headers", "min_level", "rule_ids", "tags", "timeout_seconds",
        "retry_duration_seconds", "throttle_seconds", "max_concurrency",
    ]

    /// Reads one `alerts.webhooks` entry as loaded from YAML (`String`, `Int`, `Double`, `Bool`, arrays and
    /// string-keyed dictionaries), resolving `secret_env` in `environment`. Unknown keys are errors; `path`
    /// prefixes every error (e.g. `hydrant.yaml: alerts.webhooks[0]`).
    ///
    ///     name: soc                   # required
    ///     url: https://soar.example/hooks/hydrant   # required
    ///     format: json                # json | slack
    ///     secret_env: HYDRANT_WEBHOOK_SECRET
    ///     headers: {Authorization: "Bearer …"}
    ///     min_level: medium           # informational | low | medium | high | critical
    ///     rule_ids: [a1b2…]           # with tags: either matching is enough
    ///     tags: [attack.t1046]
    ///     timeout_seconds: 10
    ///     retry_duration_seconds: 3600
    ///     throttle_seconds: 300       # 0 disables
    ///     max_concurrency: 8
    public init(dictionary: [String: Any], path: String, environment: [String: String]) throws(WebhookConfigurationError) {
        for key in dictionary.keys.sorted() where !Self.dictionaryKeys.contains(key) {
            throw WebhookConfigurationError(
                path: "\(path).\(key)",
                reason: "unknown key (allowed: \(Self.dictionaryKeys.sorted().joined(separator: ", ")))")
        }
        let reader = DictionaryReader(dictionary: dictionary, path: path)
        let name = try reader.string("name", required: true) ?? ""
        let url = try reader.string("url", required: true) ?? ""
        var format = WebhookFormat.json
        if let text = try reader.string("format") {
            guard let parsed = WebhookFormat(rawValue: text) else {
                throw WebhookConfigurationError(path: "\(path).format", reason: "must be json or slack, got \"\(text)\"")
            }
            format = parsed
        }
        var secret: [UInt8]?
        if let variable = try reader.string("secret_env") {
            guard let value = environment[variable], !value.isEmpty else {
                throw WebhookConfigurationError(
                    path: "\(path).secret_env", reason: "environment variable \(variable) is not set or empty")
            }
            secret = Array(value.utf8)
        }
        var minimumLevel = AlertLevel.informational
        if let text = try reader.string("min_level") {
            guard let level = AlertLevel(name: text) else {
                throw WebhookConfigurationError(
                    path: "\(path).min_level",
                    reason: "must be one of informational, low, medium, high, critical, got \"\(text)\"")
            }
            minimumLevel = level
        }
        let filter = AlertFilter(minimumLevel: minimumLevel, ruleIDs: Set(try reader.strings("rule_ids")),
                                 tags: Set(try reader.strings("tags")))
        let timeout = try reader.seconds("timeout_seconds") ?? Self.defaultTimeout
        let retryDuration = try reader.seconds("retry_duration_seconds") ?? RetryPolicy.default.duration
        let throttle = try reader.seconds("throttle_seconds") ?? Self.defaultThrottleWindow
        let concurrency = try reader.integer("max_concurrency") ?? Self.defaultMaxConcurrency
        try self.init(name: name, url: url, format: format, secret: secret, headers: try reader.headers("headers"),
                      filter: filter, timeout: timeout, retry: RetryPolicy(duration: retryDuration),
                      throttleWindow: throttle, maxConcurrency: concurrency, path: path)
    }
}

/// Typed reads from a YAML-loaded dictionary with errors that name the key.
private struct DictionaryReader {
    let dictionary: [String: Any]
    let path: String

    func string(_ key: String, required: Bool = false) throws(WebhookConfigurationError) -> String? {
        guard let value = dictionary[key] else {
            if required { throw WebhookConfigurationError(path: "\(path).\(key)", reason: "is required") }
            return nil
        }
        guard let text = value as? String else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be a string, got \(describe(value))")
        }
        return text
    }

    func strings(_ key: String) throws(WebhookConfigurationError) -> [String] {
        guard let value = dictionary[key] else { return [] }
        if let text = value as? String { return [text] }
        guard let list = value as? [Any] else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be a list of strings, got \(describe(value))")
        }
        var out: [String] = []
        for (index, item) in list.enumerated() {
            guard let text = item as? String, !text.isEmpty else {
                throw WebhookConfigurationError(path: "\(path).\(key)[\(index)]", reason: "must be a non-empty string")
            }
            out.append(text)
        }
        return out
    }

    func integer(_ key: String) throws(WebhookConfigurationError) -> Int? {
        guard let value = dictionary[key] else { return nil }
        guard !(value is Bool), let number = value as? Int else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be an integer, got \(describe(value))")
        }
        return number
    }

    func seconds(_ key: String) throws(WebhookConfigurationError) -> Duration? {
        guard let value = dictionary[key] else { return nil }
        let number: Double
        if value is Bool {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be a number of seconds, got a boolean")
        } else if let integer = value as? Int {
            number = Double(integer)
        } else if let double = value as? Double, double.isFinite {
            number = double
        } else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be a number of seconds, got \(describe(value))")
        }
        guard number >= 0, number <= 1e6 else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must not be negative or absurdly large, got \(number)")
        }
        return .milliseconds(Int64((number * 1000).rounded()))
    }

    func headers(_ key: String) throws(WebhookConfigurationError) -> [String: String] {
        guard let value = dictionary[key] else { return [:] }
        guard let map = value as? [String: Any] else {
            throw WebhookConfigurationError(path: "\(path).\(key)", reason: "must be a map of header names to strings")
        }
        var out: [String: String] = [:]
        for (name, item) in map {
            guard let text = item as? String else {
                throw WebhookConfigurationError(path: "\(path).\(key).\(name)", reason: "must be a string, got \(describe(item))")
            }
            out[name] = text
        }
        return out
    }

    private func describe(_ value: Any) -> String {
        switch value {
        case is Bool: "a boolean"
        case is Int, is Double: "a number"
        case is String: "a string"
        case is [Any]: "a list"
        case is [String: Any]: "a map"
        default: "a \(type(of: value))"
        }
    }
}

import Testing
@testable import HydrantAlert

@Suite struct WebhookConfigurationTests {
    let path = "hydrant.yaml: alerts.webhooks[0]"

    @Test func fullEntryParses() throws {
        let dictionary: [String: Any] = [
            "name": "soc", "url": "https://soar.example/hooks/hydrant", "format": "slack",
            "secret_env": "HOOK_SECRET", "headers": ["Authorization": "Bearer abc"], "min_level": "medium",
            "rule_ids": ["r1", "r2"], "tags": "attack.t1046", "timeout_seconds": 2.5,
            "retry_duration_seconds": 600, "throttle_seconds": 0, "max_concurrency": 3,
        ]
        let webhook = try WebhookConfiguration(dictionary: dictionary, path: path, environment: ["HOOK_SECRET": "s3cret"])
        #expect(webhook.name == "soc")
        #expect(webhook.format == .slack)
        #expect(webhook.secret == Array("s3cret".utf8))
        #expect(webhook.headers == ["Authorization": "Bearer abc"])
        #expect(webhook.filter == AlertFilter(minimumLevel: .medium, ruleIDs: ["r1", "r2"], tags: ["attack.t1046"]))
        #expect(webhook.timeout == .milliseconds(2500))
        #expect(webhook.retry.duration == .seconds(600))
        #expect(webhook.retry.initial == .seconds(1) && webhook.retry.maximum == .seconds(120))
        #expect(webhook.throttleWindow == .zero)
        #expect(webhook.maxConcurrency == 3)
        #expect(!webhook.description.contains("s3cret"))
    }

    @Test func defaults() throws {
        let webhook = try WebhookConfiguration(dictionary: ["name": "a", "url": "http://127.0.0.1:9/x"], path: path,
                                               environment: [:])
        #expect(webhook.format == .json)
        #expect(webhook.secret == nil)
        #expect(webhook.retry == .default)
        #expect(webhook.throttleWindow == .seconds(300))
        #expect(webhook.timeout == .seconds(10))
        #expect(webhook.filter == AlertFilter())
    }

    static var invalidEntries: [([String: Any], String)] { [
        (["url": "http://x/"], "hydrant.yaml: alerts.webhooks[0].name: is required"),
        (["name": "a"], "hydrant.yaml: alerts.webhooks[0].url: is required"),
        (["name": "a", "url": "http://x/", "colour": "red"], "hydrant.yaml: alerts.webhooks[0].colour: unknown key"),
        (["name": "a", "url": "ftp://x/"], "hydrant.yaml: alerts.webhooks[0].url: must start with http:// or https://"),
        (["name": "a", "url": "http:///path"], "hydrant.yaml: alerts.webhooks[0].url: must have a host"),
        (["name": "a/b", "url": "http://x/"], "hydrant.yaml: alerts.webhooks[0].name: must be 1…64 characters"),
        (["name": "a", "url": "http://x/", "format": "xml"], "hydrant.yaml: alerts.webhooks[0].format: must be json or slack, got \"xml\""),
        (["name": "a", "url": "http://x/", "secret_env": "NOPE"], "hydrant.yaml: alerts.webhooks[0].secret_env: environment variable NOPE is not set or empty"),
        (["name": "a", "url": "http://x/", "min_level": "severe"], "hydrant.yaml: alerts.webhooks[0].min_level: must be one of"),
        (["name": "a", "url": "http://x/", "headers": ["Idempotency-Key": "x"]], "hydrant.yaml: alerts.webhooks[0].headers.Idempotency-Key: is set by Hydrant"),
        (["name": "a", "url": "http://x/", "headers": ["X-Bad": "a\r\nb"]], "hydrant.yaml: alerts.webhooks[0].headers.X-Bad: value must have no control characters"),
        (["name": "a", "url": "http://x/", "timeout_seconds": 0], "hydrant.yaml: alerts.webhooks[0].timeout_seconds: must be more than 0"),
        (["name": "a", "url": "http://x/", "timeout_seconds": "10"], "hydrant.yaml: alerts.webhooks[0].timeout_seconds: must be a number of seconds, got a string"),
        (["name": "a", "url": "http://x/", "retry_duration_seconds": 9000], "hydrant.yaml: alerts.webhooks[0].retry_duration_seconds: must be 0…7200"),
        (["name": "a", "url": "http://x/", "throttle_seconds": -1], "hydrant.yaml: alerts.webhooks[0].throttle_seconds: must not be negative"),
        (["name": "a", "url": "http://x/", "max_concurrency": 0], "hydrant.yaml: alerts.webhooks[0].max_concurrency: must be 1…64, got 0"),
        (["name": "a", "url": "http://x/", "max_concurrency": true], "hydrant.yaml: alerts.webhooks[0].max_concurrency: must be an integer, got a boolean"),
        (["name": "a", "url": "http://x/", "rule_ids": ["r", 5]], "hydrant.yaml: alerts.webhooks[0].rule_ids[1]: must be a non-empty string"),
    ] }

    @Test func invalidEntriesNameTheKey() {
        for (dictionary, message) in Self.invalidEntries {
            do {
                _ = try WebhookConfiguration(dictionary: dictionary, path: path, environment: ["EMPTY": ""])
                Issue.record("accepted \(dictionary)")
            } catch {
                #expect(error.description.hasPrefix(message), "\(error.description)")
            }
        }
    }

    @Test func filterByLevelRuleAndTag() {
        let high = AlertFixtures.alert(id: "1", rule: "r1", level: .high, tags: ["attack.t1046"])
        let low = AlertFixtures.alert(id: "2", rule: "r1", level: .low, tags: ["attack.t1046"])
        let other = AlertFixtures.alert(id: "3", rule: "r9", level: .critical, tags: ["attack.t1110"])
        #expect(AlertFilter().accepts(low))
        #expect(AlertFilter(minimumLevel: .medium).accepts(high))
        #expect(!AlertFilter(minimumLevel: .medium).accepts(low))
        #expect(AlertFilter(ruleIDs: ["r1"]).accepts(high))
        #expect(!AlertFilter(ruleIDs: ["r1"]).accepts(other))
        #expect(AlertFilter(tags: ["attack.t1110"]).accepts(other))
        #expect(!AlertFilter(tags: ["attack.t1110"]).accepts(high))
        #expect(AlertFilter(ruleIDs: ["r1"], tags: ["attack.t1110"]).accepts(other))
        #expect(!AlertFilter(minimumLevel: .high, ruleIDs: ["r1"]).accepts(low))
        #expect(AlertLevel(name: "critical") == .critical && AlertLevel(name: "CRITICAL") == nil)
    }

    @Test func commandLineOptions() throws {
        let first = try WebhookConfiguration.commandLine(url: "http://127.0.0.1:9000/", secretEnvironment: "S", format: "slack",
                                                         environment: ["S": "x"])
        #expect(first.name == "webhook" && first.format == .slack && first.secret == [UInt8(ascii: "x")])
        let second = try WebhookConfiguration.commandLine(url: "http://h/", secretEnvironment: nil, format: nil, index: 1,
                                                          environment: [:])
        #expect(second.name == "webhook-2" && second.secret == nil && second.format == .json)
        #expect(throws: WebhookConfigurationError(path: "--webhook-format", reason: "must be json or slack, got \"xml\"")) {
            _ = try WebhookConfiguration.commandLine(url: "http://h/", secretEnvironment: nil, format: "xml", environment: [:])
        }
        #expect(throws: WebhookConfigurationError(path: "--webhook-secret-env", reason: "environment variable S is not set or empty")) {
            _ = try WebhookConfiguration.commandLine(url: "http://h/", secretEnvironment: "S", format: nil, environment: [:])
        }
    }
}

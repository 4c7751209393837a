import ArgumentParser
import Foundation
import HydrantAlert

/// Rule evaluation and alert delivery options shared by `replay` and `agent`: which rules run on the capture's
/// records, where their alerts are written, and which webhooks receive them.
struct DetectionOptions: ParsableArguments {
    @Option(name: .customLong("rules"), help: ArgumentHelp(
        "Sigma rule file or directory; repeat for several.", valueName: "path"))
    var rules: [String] = []

    @Option(help: ArgumentHelp(
        "Write alerts here as JSON lines ('-' for stdout). Without it alerts go to stdout when records go elsewhere "
            + "(-o or --deliver-to), and are only counted in the summary when records take stdout.",
        valueName: "file"))
    var alerts: String?

    @Option(help: ArgumentHelp("Seconds of event time a correlation waits for late records.", valueName: "seconds"))
    var allowedLateness: Int = 30

    @Option(name: .customLong("webhook"), help: ArgumentHelp(
        "POST each alert to this URL (signed, from a durable outbox); repeat for several receivers.", valueName: "url"))
    var webhooks: [String] = []

    @Option(name: .customLong("webhook-secret-env"), help: ArgumentHelp(
        "Environment variable holding a webhook's signing secret; once for all webhooks, or once per --webhook in order.",
        valueName: "name"))
    var webhookSecretEnvironment: [String] = []

    @Option(name: .customLong("webhook-format"), help: ArgumentHelp(
        "json or slack; once for all webhooks, or once per --webhook in order.", valueName: "format"))
    var webhookFormats: [String] = []

    @Option(help: ArgumentHelp(
        "At most one notification per rule and group per this many seconds of event time (0 sends every alert).",
        valueName: "seconds"))
    var webhookThrottle: Int = 300

    @Option(help: ArgumentHelp(
        "At the end of the run, wait at most this long for webhook deliveries; what is left stays in the outbox.",
        valueName: "seconds"))
    var drainTimeout: Double = 60

    @Option(help: ArgumentHelp("Where webhook outboxes and alert-delivery-failed.jsonl live.", valueName: "dir"))
    var stateDir: String = ".hydrant/alerts"

    /// Whether rules were given.
    var isEnabled: Bool { !rules.isEmpty }

    /// Checks the combination; `recordsOnStdout` says whether the run's records take standard output, `config`
    /// whether they go to an in-process delivery stream (whose own `detect` processor evaluates rules).
    func validate(recordsOnStdout: Bool, config: Bool) throws {
        if !webhooks.isEmpty && rules.isEmpty { throw ValidationError("--webhook needs --rules: alerts come from rules") }
        if alerts != nil && rules.isEmpty { throw ValidationError("--alerts needs --rules") }
        if config && !rules.isEmpty {
            throw ValidationError("--rules cannot be combined with --config: configure rules in the stream's "
                + "detect processor in the configuration file, where its alerts are also archived")
        }
        if recordsOnStdout, let alerts, alerts == "-" {
            throw ValidationError("--alerts -: records already go to stdout; give -o FILE for the records or a file for --alerts")
        }
        guard (0...86_400).contains(allowedLateness) else {
            throw ValidationError("--allowed-lateness must be 0…86400 seconds, got \(allowedLateness)")
        }
        guard (0...86_400).contains(webhookThrottle) else {
            throw ValidationError("--webhook-throttle must be 0…86400 seconds, got \(webhookThrottle)")
        }
        guard drainTimeout >= 0, drainTimeout <= 86_400 else {
            throw ValidationError("--drain-timeout must be 0…86400 seconds, got \(drainTimeout)")
        }
        for (name, values) in [("--webhook-secret-env", webhookSecretEnvironment), ("--webhook-format", webhookFormats)]
            where values.count > 1 && values.count != webhooks.count {
            throw ValidationError("\(name) is given \(values.count) times for \(webhooks.count) --webhook: give it once "
                + "(for every webhook) or once per --webhook")
        }
        _ = try webhookConfigurations(environment: ProcessInfo.processInfo.environment)
    }

    /// The webhooks of the command line, validated (URL, format, the secret present in the environment).
    func webhookConfigurations(environment: [String: String]) throws -> [WebhookConfiguration] {
        var out: [WebhookConfiguration] = []
        for (index, url) in webhooks.enumerated() {
            let secret = webhookSecretEnvironment.count == 1 ? webhookSecretEnvironment[0]
                : webhookSecretEnvironment.count > index ? webhookSecretEnvironment[index] : nil
            let format = webhookFormats.count == 1 ? webhookFormats[0]
                : webhookFormats.count > index ? webhookFormats[index] : nil
            do {
                let parsed = try WebhookConfiguration.commandLine(url: url, secretEnvironment: secret, format: format,
                                                                  index: index, environment: environment)
                out.append(try WebhookConfiguration(
                    name: parsed.name, url: parsed.url, format: parsed.format, secret: parsed.secret,
                    headers: parsed.headers, filter: parsed.filter, timeout: parsed.timeout, retry: parsed.retry,
                    throttleWindow: .seconds(webhookThrottle), maxConcurrency: parsed.maxConcurrency, path: "--webhook"))
            } catch {
                throw ValidationError(error.description)
            }
        }
        return out
    }

    /// Where alerts go when the run's records take stdout (`recordsOnStdout`) or not.
    func alertDestination(recordsOnStdout: Bool) -> AlertFileDestination {
        if let alerts { return alerts == "-" ? .standardOutput : .file(alerts) }
        return recordsOnStdout ? .none : .standardOutput
    }
}

/// Where alert JSON lines are written.
enum AlertFileDestination: Equatable {
    /// Nowhere: alerts are only counted (and delivered to webhooks).
    case none
    /// Standard output.
    case standardOutput
    /// A file, truncated at the start of the run.
    case file(String)
}

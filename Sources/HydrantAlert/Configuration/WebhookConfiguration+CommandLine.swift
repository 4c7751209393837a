extension WebhookConfiguration {
    /// The webhook given on the command line of `replay` or `agent` as
    /// `--webhook URL [--webhook-secret-env NAME] [--webhook-format json|slack]`; `index` (0-based) numbers repeated
    /// `--webhook` options, naming them `webhook`, `webhook-2`, …. Other settings take their defaults.
    public static func commandLine(url: String, secretEnvironment: String?, format: String?, index: Int = 0,
                                   environment: [String: String]) throws(WebhookConfigurationError) -> WebhookConfiguration {
        var dictionary: [String: Any] = ["name": index == 0 ? "webhook" : "webhook-\(index + 1)", "url": url]
        if let secretEnvironment { dictionary["secret_env"] = secretEnvironment }
        if let format { dictionary["format"] = format }
        do {
            return try WebhookConfiguration(dictionary: dictionary, path: "--webhook", environment: environment)
        } catch {
            // Name the option the user typed rather than the dictionary key.
            let option = switch error.path {
            case "--webhook.secret_env": "--webhook-secret-env"
            case "--webhook.format": "--webhook-format"
            default: "--webhook"
            }
            throw WebhookConfigurationError(path: option, reason: error.reason)
        }
    }
}

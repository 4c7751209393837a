/// The secret values named by a configuration, read from the environment in a step separate from parsing.
public struct ResolvedSecrets: Hashable, Sendable {
    /// An S3 access key pair.
    public struct S3Credentials: Hashable, Sendable {
        /// The access key id.
        public let accessKeyID: String
        /// The secret access key.
        public let secretAccessKey: String
    }

    /// Ingest secrets by access key id (empty when `auth` is absent).
    public let accessKeys: [String: String]
    /// S3 credentials by stream name, for streams with an `s3` destination.
    public let s3: [String: S3Credentials]
    /// `X-Amz-Firehose-Access-Key` values by stream name, for HTTP endpoints with `access_key_env`.
    public var httpEndpointAccessKeys: [String: String] = [:]
}

extension StreamConfiguration {
    /// Reads every secret the configuration names from `environment` (inject `ProcessInfo.processInfo.environment`
    /// in production). Throws every unset or empty variable at once, each with the line that names it.
    /// In-process runs (`replay`/`agent --config`) serve no API, so they pass `includingAuth: false` and need no
    /// ingest secrets.
    public func resolveSecrets(environment: [String: String],
                               includingAuth: Bool = true) throws(ConfigurationErrors) -> ResolvedSecrets {
        var errors: [ConfigurationError] = []
        func read(_ name: String, at location: SourceLocation, path: String) -> String? {
            guard let value = environment[name] else {
                errors.append(.init(.missingEnvironmentVariable, at: location, path: path,
                                    "names environment variable \(name), which is not set"))
                return nil
            }
            guard !value.isEmpty else {
                errors.append(.init(.missingEnvironmentVariable, at: location, path: path,
                                    "names environment variable \(name), which is empty"))
                return nil
            }
            return value
        }
        var accessKeys: [String: String] = [:]
        for key in includingAuth ? auth?.accessKeys ?? [] : [] {
            if let secret = read(key.secretEnv, at: key.location, path: key.path) { accessKeys[key.id] = secret }
        }
        var s3: [String: ResolvedSecrets.S3Credentials] = [:]
        for stream in streams {
            guard case .s3(let destination) = stream.destination else { continue }
            let id = read(destination.accessKeyEnv, at: destination.location, path: destination.path + ".access_key_env")
            let secret = read(destination.secretKeyEnv, at: destination.location, path: destination.path + ".secret_key_env")
            if let id, let secret { s3[stream.name] = .init(accessKeyID: id, secretAccessKey: secret) }
        }
        var endpointKeys: [String: String] = [:]
        for stream in streams {
            guard let endpoint = stream.httpEndpoint, let name = endpoint.accessKeyEnv else { continue }
            if let key = read(name, at: endpoint.location, path: endpoint.path + ".access_key_env") {
                endpointKeys[stream.name] = key
            }
        }
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return ResolvedSecrets(accessKeys: accessKeys, s3: s3, httpEndpointAccessKeys: endpointKeys)
    }
}

import Foundation
import Testing
@testable import HydrantStream

/// Parses `yaml` as `hydrant.yaml` with `environment`.
func load(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationErrors) -> StreamConfiguration {
    try ConfigurationLoader(environment: environment).parse(yaml, file: "hydrant.yaml")
}

/// The errors `yaml` produces; records a test failure when it loads.
func errors(_ yaml: String, environment: [String: String] = [:],
            sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [ConfigurationError] {
    do {
        _ = try load(yaml, environment: environment)
        Issue.record("expected configuration errors", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// A minimal valid stream with `extra` lines (indented four spaces) added to it.
func stream(_ extra: String = "", name: String = "s") -> String {
    """
    streams:
      - name: \(name)
        destination:
          file: {root: ./lake}
    \(extra.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    """
}

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

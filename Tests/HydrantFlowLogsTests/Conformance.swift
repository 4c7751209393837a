import Foundation
import Testing

/// The shared conformance folders beside the package root (`../shared/conformance`), located from this file.
enum Conformance {
    /// The package root: this file is `<root>/Tests/HydrantFlowLogsTests/Conformance.swift`.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `../shared/conformance/<name>`, or nil (with a warning recorded) when absent.
    static func folder(_ name: String) -> URL? {
        let url = packageRoot.appendingPathComponent("../shared/conformance/\(name)").standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record(Comment(rawValue: "../shared/conformance/\(name) is absent; skipped"), severity: .warning)
            return nil
        }
        return url
    }
}

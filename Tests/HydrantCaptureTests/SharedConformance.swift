import Foundation

/// Locates `../shared/conformance` beside the package root (the project convention), falling back to
/// `/work/shared/conformance`; nil when neither exists, so tests can skip with a clear message.
enum SharedConformance {
    /// The package root: this file is `<root>/Tests/HydrantCaptureTests/SharedConformance.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The conformance folder, or nil when absent.
    static let folder: URL? = {
        let candidates = [
            packageRoot.appendingPathComponent("../shared/conformance").standardizedFileURL,
            URL(fileURLWithPath: "/work/shared/conformance"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }()

    /// A file inside the conformance folder, or nil when the folder or the file is absent.
    static func file(_ relativePath: String) -> URL? {
        guard let url = folder?.appendingPathComponent(relativePath),
              FileManager.default.fileExists(atPath: url.path) else { return nil }
        return url
    }
}

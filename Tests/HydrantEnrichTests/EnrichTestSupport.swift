import Foundation
import Testing

/// Paths and scratch files for the enrichment tests.
enum EnrichTestSupport {
    /// The package root: this file is `<root>/Tests/HydrantEnrichTests/EnrichTestSupport.swift`.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/conformance/mmdb`, or nil when absent.
    static let mmdbFolder: URL? = {
        let url = packageRoot.appendingPathComponent("../shared/conformance/mmdb").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    static func recordMMDBAbsent() {
        Issue.record(Comment(rawValue: "../shared/conformance/mmdb absent; skipped"), severity: .warning)
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-enrich-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` in `directory` atomically (temp file, then rename), as feed updaters do.
    @discardableResult
    static func write(_ text: String, to name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
        try Data(text.utf8).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else { throw TestFailure("cannot rename onto \(url.path)") }
        return url.path
    }

    /// A batch of JSON lines as bytes and end offsets.
    static func batch(_ lines: [String]) -> ([UInt8], [Int]) {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for line in lines {
            bytes.append(contentsOf: line.utf8)
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        return (bytes, ends)
    }

    /// The records of a batch, each parsed back as JSON (failing the test when one is not valid JSON).
    static func parse(_ bytes: [UInt8], _ ends: [Int]) throws -> [[String: Any]] {
        var start = 0
        var out: [[String: Any]] = []
        for end in ends {
            let slice = Data(bytes[start..<end])
            let object = try JSONSerialization.jsonObject(with: slice)
            guard let map = object as? [String: Any] else { throw TestFailure("record is not an object") }
            out.append(map)
            start = end
        }
        return out
    }

    /// The value at a dotted path of nested objects.
    static func value(_ record: [String: Any], _ path: String) -> Any? {
        var current: Any? = record
        for component in path.split(separator: ".") {
            current = (current as? [String: Any])?[String(component)]
        }
        return current
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

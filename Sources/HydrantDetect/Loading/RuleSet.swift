import Foundation
import HydrantRecords
import Yams

/// A loaded set of Sigma rules: detection rules mapped onto Hydrant's datasets, correlation rules with their
/// references resolved, and filters applied. Immutable and shareable; `DetectionEngine` compiles it.
public struct RuleSet: Sendable {
    /// Detection rules that compiled.
    public internal(set) var detections: [DetectionRule] = []
    /// Correlation rules whose references and fields resolved.
    public internal(set) var correlations: [CorrelationRule] = []
    /// How many filter documents were loaded.
    public internal(set) var filterCount = 0

    /// An empty rule set.
    public init() {}

    /// A path given to `load(paths:)` that does not exist or cannot be listed.
    public struct PathError: Error, CustomStringConvertible {
        /// The path.
        public let path: String
        /// What is wrong.
        public var description: String { "\(path): no such file or directory" }
    }

    /// Loads every `.yml`/`.yaml` file under `paths` (files or directories, recursively, in sorted order).
    /// Throws only when a path does not exist; every problem inside the files is returned as a `RuleLoadError`.
    public static func load(paths: [String], options: RuleLoadOptions = RuleLoadOptions()) throws(PathError)
        -> (RuleSet, [RuleLoadError]) {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { throw PathError(path: path) }
            if isDirectory.boolValue {
                guard let enumerator = manager.enumerator(atPath: path) else { throw PathError(path: path) }
                var found: [String] = []
                while let relative = enumerator.nextObject() as? String {
                    if relative.hasSuffix(".yml") || relative.hasSuffix(".yaml") {
                        found.append((path as NSString).appendingPathComponent(relative))
                    }
                }
                files += found.sorted()
            } else {
                files.append(path)
            }
        }
        var sources: [(file: String, text: String)] = []
        var errors: [RuleLoadError] = []
        for file in files {
            guard let data = manager.contents(atPath: file) else {
                errors.append(RuleLoadError(file: file, line: 0, reason: .unreadable, message: "cannot read the file"))
                continue
            }
            guard let text = String(validating: data, as: UTF8.self) else {
                errors.append(RuleLoadError(file: file, line: 0, reason: .unreadable, message: "the file is not UTF-8"))
                continue
            }
            sources.append((file, text))
        }
        let (set, more) = parse(sources: sources, options: options)
        errors = errors + more
        return (set, errors)
    }

    /// Loads rules from YAML texts (each a file's content, named for messages).
    public static func parse(sources: [(file: String, text: String)], options: RuleLoadOptions = RuleLoadOptions())
        -> (RuleSet, [RuleLoadError]) {
        var loader = RuleSetLoader(options: options)
        for source in sources { loader.add(file: source.file, text: source.text) }
        return loader.finish()
    }

    /// Loads rules from one YAML text.
    public static func parse(yaml: String, file: String = "<memory>", options: RuleLoadOptions = RuleLoadOptions())
        -> (RuleSet, [RuleLoadError]) {
        parse(sources: [(file, yaml)], options: options)
    }
}

import Foundation
import HydrantDetect

/// The rule files behind `--rules`: loading them with every problem reported, and a fingerprint of their contents
/// so that a reload can tell whether anything changed.
struct RuleFiles {
    /// The paths given (files or directories).
    let paths: [String]

    /// The outcome of one load.
    struct Loaded {
        /// The rules that compiled.
        var rules: RuleSet
        /// Every problem, in file order.
        var errors: [RuleLoadError]
        /// What the files held when they were read.
        var fingerprint: [String: [UInt8]]
    }

    /// Loads the rules; throws `RuleFilesError` when a path does not exist.
    func load() throws -> Loaded {
        // Fingerprint first: an edit landing between the two reads then shows as a change at the next reload
        // rather than being missed.
        let fingerprint = Self.fingerprint(paths)
        do {
            let (rules, errors) = try RuleSet.load(paths: paths)
            return Loaded(rules: rules, errors: errors, fingerprint: fingerprint)
        } catch {
            throw RuleFilesError(description: error.description)
        }
    }

    /// A digest of every rule file's content, by path, enumerated as `RuleSet.load` does (recursively, `.yml` and
    /// `.yaml`); an unreadable file maps to an empty digest.
    static func fingerprint(_ paths: [String]) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            var files: [String] = []
            if isDirectory.boolValue {
                let enumerator = manager.enumerator(atPath: path)
                while let relative = enumerator?.nextObject() as? String {
                    if relative.hasSuffix(".yml") || relative.hasSuffix(".yaml") {
                        files.append((path as NSString).appendingPathComponent(relative))
                    }
                }
            } else {
                files.append(path)
            }
            for file in files {
                out[file] = manager.contents(atPath: file).map { Self.digest(Array($0)) } ?? []
            }
        }
        return out
    }

    /// Two 64-bit FNV-1a lanes over the bytes: enough to notice an edit, not a security property.
    private static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte ^ 0x5a)) &* 0x0000_0100_0000_01b3
        }
        var out: [UInt8] = []
        for lane in [a, b, UInt64(bytes.count)] {
            for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: lane >> UInt64(shift))) }
        }
        return out
    }

    /// Lines for stderr describing a load: the problems (at most `limit`) and a count.
    static func report(_ loaded: Loaded, limit: Int = 20) -> [String] {
        var lines: [String] = []
        for error in loaded.errors.prefix(limit) { lines.append("hydrant: rules: \(error)") }
        if loaded.errors.count > limit {
            lines.append("hydrant: rules: … and \(loaded.errors.count - limit) more problems (hydrant rules validate lists them all)")
        }
        let rules = loaded.rules
        lines.append("hydrant: rules: \(rules.detections.count) detection rules, \(rules.correlations.count) correlations loaded"
            + (loaded.errors.isEmpty ? "" : ", \(loaded.errors.count) rejected"))
        return lines
    }
}

/// A `--rules` path that does not exist.
struct RuleFilesError: Error, CustomStringConvertible {
    /// `path: no such file or directory`.
    let description: String
}

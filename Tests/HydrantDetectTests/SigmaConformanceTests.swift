import Foundation
import Testing
@testable import HydrantDetect

/// Every SigmaHQ rule in `../shared/conformance/sigma` (beside the package root) loads: each compiles or is
/// rejected with a reason. The counts are pinned so that a change in mapping or semantics shows up here.
@Suite struct SigmaConformanceTests {
    static let folder: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("../shared/conformance/sigma").standardizedFileURL
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    @Test func everyRuleCompilesOrIsRejectedWithAReason() throws {
        guard let folder = Self.folder else {
            Issue.record(Comment(rawValue: "../shared/conformance/sigma is absent; skipped"), severity: .warning)
            return
        }
        let (set, errors) = try RuleSet.load(paths: [folder.path])
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yml") }
        var byReason: [String: Int] = [:]
        for error in errors { byReason[error.reason.rawValue, default: 0] += 1 }
        var byDataset: [String: Int] = [:]
        for rule in set.detections { byDataset[rule.datasets.map(\.rawValue).joined(separator: "+"), default: 0] += 1 }
        print("sigma conformance: \(files.count) files, \(set.detections.count) compiled, \(errors.count) rejected")
        for (reason, count) in byReason.sorted(by: { $0.key < $1.key }) { print("  rejected, \(reason): \(count)") }
        for (datasets, count) in byDataset.sorted(by: { $0.key < $1.key }) { print("  compiled for \(datasets): \(count)") }
        for error in errors.sorted(by: { $0.file < $1.file }) {
            print("  \(error.file.replacingOccurrences(of: folder.path + "/", with: "")):\(error.line): [\(error.reason.rawValue)] \(error.message)")
        }
        // Every document is accounted for: one outcome per rule document.
        #expect(set.detections.count + errors.count == files.count)
        // Every rejection names a file and a line.
        #expect(errors.allSatisfy { $0.line > 0 && !$0.message.isEmpty })
        #expect(set.detections.count == Expected.compiled)
        #expect(byReason == Expected.rejected)
        // The compiled rules build one engine without trouble.
        let engine = DetectionEngine(rules: set)
        #expect(engine.rules.detections.count == set.detections.count)
    }

    private enum Expected {
        /// 29 DNS (category dns, dns_query with QueryName only, Zeek dns), 63 HTTP (proxy, webserver, Zeek
        /// http), 1 flow.
        static let compiled = 93
        /// Unmapped: Cisco, FortiGate, Huawei, Juniper device logs, Zeek smb/dce_rpc/kerberos/rdp, Apache and
        /// Nginx error logs. Unavailable: process fields (`Image`), URL query and extension, cookies, Zeek `Z`,
        /// `rejected`, certificate serial, firewall `blocked`. Unsupported: legacy pipe aggregations and
        /// `timeframe`. Placeholder: `%internal_domains%` without configured values.
        static let rejected: [String: Int] = ["placeholder": 1, "unmapped logsource": 43, "unavailable field": 34, "unsupported": 12]
    }
}

import Foundation
import HydrantAlert
import HydrantRecords

/// Alerts and scratch directories for the tests.
enum AlertFixtures {
    /// An alert with a JSON body shaped like the engine's alert records.
    static func alert(id: String, rule: String = "rule-portscan", group: String = "source.ip=10.0.0.5",
                      level: AlertLevel = .high, tags: [String] = ["attack.t1046"],
                      eventTime: Timestamp = Timestamp(seconds: 1_714_564_800, nanoseconds: 0)) -> AlertNotification {
        var body: [UInt8] = []
        body.append(contentsOf: #"{"@timestamp":""#.utf8)
        eventTime.appendRFC3339(to: &body)
        body.append(contentsOf: #"","event.dataset":"alert","rule.id":"#.utf8)
        appendJSONString(rule, to: &body)
        body.append(contentsOf: #","rule.name":"Port scan","rule.level":"#.utf8)
        appendJSONString(level.description, to: &body)
        body.append(contentsOf: #","alert.group":"#.utf8)
        appendJSONString(group, to: &body)
        body.append(contentsOf: #","alert.id":"#.utf8)
        appendJSONString(id, to: &body)
        body.append(UInt8(ascii: "}"))
        return AlertNotification(id: id, ruleID: rule, ruleName: "Port scan", level: level, tags: tags, group: group,
                                 eventTime: eventTime, body: body)
    }

    /// A fresh temporary directory.
    static func directory(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// The JSON lines of a dead-letter file.
    static func deadLetters(at path: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }
}

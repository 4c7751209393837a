import Testing
@testable import HydrantDetect
import HydrantRecords

/// Builds an engine from one YAML text, recording every load error as a test failure.
func engine(_ yaml: String, options: RuleLoadOptions = RuleLoadOptions(), sourceLocation: SourceLocation = #_sourceLocation) -> DetectionEngine {
    let (set, errors) = RuleSet.parse(yaml: yaml, file: "test.yml", options: options)
    for error in errors { Issue.record(Comment(rawValue: "unexpected load error: \(error)"), sourceLocation: sourceLocation) }
    return DetectionEngine(rules: set)
}

/// The load errors of one YAML text.
func loadErrors(_ yaml: String, options: RuleLoadOptions = RuleLoadOptions()) -> [RuleLoadError] {
    RuleSet.parse(yaml: yaml, file: "bad.yml", options: options).1
}

/// Rule `a` (`category: dns`, any `query` ending in `.test`) followed by a document separator: the detection the
/// correlation tests reference, to be followed by the correlation under test.
let dnsQueryRuleA = """
title: rule a
name: a
logsource: {category: dns}
detection:
    sel:
        query|endswith: .test
    condition: sel
---

"""

/// A `category: network, service: dns` rule with the given detection body (indented under `detection:`).
func dnsRule(_ detection: String, title: String = "t") -> String {
    """
    title: \(title)
    logsource: {category: network, service: dns}
    detection:
    \(detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    """
}

/// A DNS record event with the given question name and extra members.
func dnsEvent(_ name: String, _ extra: [String: EventValue] = [:]) -> [String: EventValue] {
    var dns: [String: EventValue] = ["question": ["name": .string(name), "type": "A"]]
    if case .object(let more)? = extra["dns"] { dns.merge(more) { _, new in new } }
    var event: [String: EventValue] = [
        "@timestamp": "2026-01-02T03:04:05.000000006Z",
        "event": ["dataset": "network.dns"],
        "source": ["ip": "10.0.0.1", "port": 40000],
        "destination": ["ip": "10.0.0.53", "port": 53],
        "network": ["transport": "udp", "community_id": "1:abc="],
        "dns": .object(dns),
    ]
    for (key, value) in extra where key != "dns" { event[key] = value }
    return event
}

/// Whether the single rule of `yaml` matches `event`.
func matches(_ yaml: String, _ event: [String: EventValue], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    !engine(yaml, sourceLocation: sourceLocation).matchingTitles(event: event).isEmpty
}

extension RecordValues {
    /// The values of each of the first `slots` field slots as text, in entry order: what scans are compared by.
    func texts(slots: Int) -> [[String]] {
        (0..<slots).map { slot in
            var out: [String] = []
            var entry = heads[slot]
            while entry >= 0 {
                let value = entries[Int(entry)]
                out.append(String(decoding: raw(value), as: UTF8.self))
                entry = value.next
            }
            return out
        }
    }
}

/// Expects two engines' matches to be the same list, compared match by match so that a failure names the first
/// difference rather than printing thousands.
func expectSameMatches(_ actual: [DetectionEngine.Match], _ expected: [DetectionEngine.Match],
                       sourceLocation: SourceLocation = #_sourceLocation) {
    let firstDifference = (0..<min(actual.count, expected.count)).first { actual[$0] != expected[$0] }
    let difference = firstDifference.map { "match \($0): \(actual[$0]), expected \(expected[$0])" } ?? ""
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    #expect(firstDifference == nil, "\(difference)", sourceLocation: sourceLocation)
}

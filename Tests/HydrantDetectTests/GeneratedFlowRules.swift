/// Pieces of the generated flow rules and records that the engine-equivalence tests (candidate covers, counted
/// nodes) share: the values they draw from, a rule around a detection, one random test of a flow field, and the
/// hostile lines mixed into their records.
enum GeneratedFlowRules {
    static let transports = ["tcp", "udp", "icmp", "TCP"]
    static let ports = [22, 53, 80, 443, 3389, 4444, 8080]
    static let states = ["S0", "SF", "REJ", "RSTO", "OTH"]

    /// Lines that are not JSON, hold wrong types or miss members.
    static let hostileLines = [
        "{\"event\":{\"dataset\":\"network.flow\"},\"destination\":{\"port\":\"22",
        "{\"event\":{\"dataset\":\"network.flow\"},\"network\":{\"transport\":[\"tcp\",1,null]}}",
        "[1,2]", "{}", "{\"event\":{\"dataset\":\"network.flow\"},\"destination\":{\"port\":{\"x\":22}}}",
    ]

    /// A network-connection rule named `title` with `detection` (YAML lines) as its detection.
    static func flowRule(_ detection: String, title: String) -> String {
        """
        title: \(title)
        logsource: {category: network, service: connection}
        detection:
        \(detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// One test of a flow field, of kind `kind` (0–6): exact values, CIDR, prefix, a comparison, a substring.
    static func test(_ kind: Int, _ random: inout PrefilterTests.Generator) -> String {
        switch kind {
        case 0: return "network.transport: \(random.pick(transports))"
        case 1: return "destination.port: \(random.pick(ports))"
        case 2: return "network.state: \(random.pick(states))"
        case 3: return "destination.ip|cidr: '10.\(random.next(3)).0.0/16'"
        case 4: return "source.ip|startswith: '10.\(random.next(3)).'"
        case 5: return "event.duration|lt: \(random.next(100))"
        default: return "network.community_id|contains: '\(random.pick(["a", "b", "zz", "1:"]))'"
        }
    }
}

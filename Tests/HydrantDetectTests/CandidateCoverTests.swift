import Testing
@testable import HydrantDetect
import HydrantRecords

/// Candidate covers learnt from the records: they may only keep rules off records on which they are false.
@Suite struct CandidateCoverTests {
    private static let transports = GeneratedFlowRules.transports
    private static let ports = GeneratedFlowRules.ports
    private static let states = GeneratedFlowRules.states

    private func flowRule(_ detection: String, title: String) -> String {
        GeneratedFlowRules.flowRule(detection, title: title)
    }

    /// Generated rules (conjunctions of common and rare tests, disjunctions, filters, nested and negated parts,
    /// lazy tests) over generated flow records, hostile values among them: the engine that chose covers after a
    /// few records reports exactly the matches of the engine that never does, and evaluates fewer conditions.
    @Test func coversNeverChangeMatches() {
        var random = PrefilterTests.Generator(state: 23)
        func test(_ kind: Int) -> String { GeneratedFlowRules.test(kind, &random) }
        var rules: [String] = []
        for i in 0..<80 {
            let shape = i % 6
            // Two different fields in `a` (a map cannot name one twice).
            let first = random.next(7)
            let second = (first + 1 + random.next(6)) % 7
            var body = "a:\n    \(test(first))\n    \(test(second))\nb:\n    \(test(random.next(7)))\nc:\n    \(test(random.next(7)))\n"
            switch shape {
            case 0: body += "condition: a"
            case 1: body += "condition: a and b"
            case 2: body += "condition: (a or b) and c"
            case 3: body += "condition: a and not b"
            case 4: body += "condition: a or (b and not c)"
            default: body += "condition: not a and b"
            }
            rules.append(flowRule(body, title: "r\(i)"))
        }
        let (set, errors) = RuleSet.parse(yaml: rules.joined(separator: "\n---\n"), file: "cover.yml")
        #expect(errors.isEmpty, "\(errors)")
        let covered = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true, coverAfter: 300)
        let reference = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true, coverAfter: nil)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for n in 0..<4000 {
            if n % 97 == 5 {
                // Hostile lines: not JSON, wrong types, missing members.
                bytes += Array(random.pick(GeneratedFlowRules.hostileLines).utf8)
            } else {
                // Mostly TCP on a few ports, as real traffic is, so that some atoms fire far more often than others.
                let transport = random.next(10) < 8 ? "tcp" : random.pick(Self.transports)
                let port = random.next(10) < 7 ? 443 : random.pick(Self.ports)
                var event: [String: EventValue] = [
                    "@timestamp": "2026-01-02T03:04:05.000000006Z",
                    "event": ["dataset": "network.flow", "duration": .int(Int64(random.next(150)))],
                    "source": ["ip": .string("10.\(random.next(3)).\(random.next(5)).1"), "port": 40000],
                    "destination": ["ip": .string("10.\(random.next(4)).0.\(random.next(9))"), "port": .int(Int64(port))],
                    "network": ["transport": .string(transport),
                                "community_id": .string("1:\(random.pick(["a", "b", "ab", "zz", ""]))=")],
                ]
                if random.next(3) > 0 { event["network"] = ["transport": .string(transport), "state": .string(random.pick(Self.states)),
                                                             "community_id": .string("1:b=")] }
                EventValue.object(event).appendJSON(to: &bytes)
            }
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let expected = bytes.withUnsafeBufferPointer { reference.matches(in: $0, ends: ends) }
        let actual = bytes.withUnsafeBufferPointer { covered.matches(in: $0, ends: ends) }
        #expect(expected.count > 1000)
        #expect(Set(expected.map(\.ruleIndex)).count > 40)
        #expect(actual == expected)
        // The covers must take work away, or this test proves nothing about them.
        #expect(covered.evaluatedConditions < reference.evaluatedConditions)
        #expect(covered.malformedRecords > 0)
    }

    /// An `and` is covered by its rarest child, an `or` needs all its children, and a `not` or a lazy test without
    /// a literal has no cover.
    @Test func coverFollowsTheConditionsShape() {
        let (set, errors) = RuleSet.parse(yaml: [
            flowRule("a:\n    network.transport: tcp\nb:\n    destination.port: 22\ncondition: a and b", title: "and"),
            flowRule("a:\n    network.transport: tcp\nb:\n    destination.port: 22\ncondition: a or b", title: "or"),
            flowRule("a:\n    network.transport: tcp\nb:\n    destination.port: 22\ncondition: a and not b", title: "filter"),
            flowRule("a:\n    event.duration|lt: 5\ncondition: a", title: "lazy"),
        ].joined(separator: "\n---\n"), file: "shape.yml")
        #expect(errors.isEmpty, "\(errors)")
        let program = CompiledProgram(set)
        func atomNames(_ atoms: [Int32]) -> [String] { atoms.map { program.fieldNames[program.atoms[Int($0)].slot] }.sorted() }
        // tcp fires on most records, port 22 on few.
        func cost(_ atom: Int32) -> Double { program.fieldNames[program.atoms[Int(atom)].slot] == "network.transport" ? 0.9 : 0.01 }
        let covers = program.rules.map { program.cover(of: $0.root, cost: cost)?.atoms }
        #expect(covers[0].map(atomNames) == ["destination.port"])
        #expect(covers[1].map(atomNames) == ["destination.port", "network.transport"])
        #expect(covers[2].map(atomNames) == ["network.transport"])
        #expect(covers[3] == nil)
    }
}

import Testing
@testable import HydrantDetect
import HydrantRecords

/// `and`/`or` nodes decided by counting their atoms as they fire: they must answer exactly as testing each child.
@Suite struct CountedNodesTests {
    private static let transports = GeneratedFlowRules.transports
    private static let ports = GeneratedFlowRules.ports
    private static let states = GeneratedFlowRules.states

    private func flowRule(_ detection: String, title: String) -> String {
        GeneratedFlowRules.flowRule(detection, title: title)
    }

    /// Generated rules with long value lists (repeated values among them), maps of many fields, `1 of`/`all of`
    /// many selections mixing indexed and lazy tests, `|all` lists and negated parts, over generated flow records
    /// with hostile lines among them: the engine that counts reports exactly the matches of the one that tests
    /// each child, and the rules do make counted nodes of both kinds.
    @Test func countingNeverChangesMatches() {
        var random = PrefilterTests.Generator(state: 41)
        func test(_ kind: Int) -> String { GeneratedFlowRules.test(kind, &random) }
        func list(_ count: Int) -> String {
            (0..<count).map { _ in String(random.pick(Self.ports)) }.joined(separator: ", ")
        }
        /// `count` different items of `items`, in a random order.
        func distinct<T>(_ items: [T], _ count: Int) -> [T] {
            var left = items
            return (0..<count).map { _ in left.remove(at: random.next(left.count)) }
        }
        func selections(_ count: Int) -> String {
            (0..<count).map { "sel\($0):\n    \(test(random.next(7)))\n" }.joined()
        }
        var rules: [String] = []
        for i in 0..<120 {
            let body: String
            switch i % 8 {
            case 0: body = "a:\n    destination.port: [\(list(4 + random.next(6)))]\ncondition: a"
            case 1:
                // Five or six different fields in one map: an `and` with lazy children among the plain ones.
                let kinds = distinct([0, 1, 2, 3, 4, 5, 6], 5 + random.next(2))
                body = "a:\n" + kinds.map { "    \(test($0))\n" }.joined() + "condition: a"
            case 2: body = selections(4 + random.next(4)) + "condition: 1 of sel*"
            case 3: body = selections(4 + random.next(3)) + "condition: all of sel*"
            case 4:
                let parts = (0..<(4 + random.next(3))).map { _ in "'\(random.pick(["a", "b", "zz", "1:", "=", "c"]))'" }
                body = "a:\n    network.community_id|contains|all: [\(parts.joined(separator: ", "))]\ncondition: a"
            case 5:
                body = "a:\n    \(test(0))\nf:\n    destination.port: [\(list(5))]\ncondition: a and not f"
            case 6: body = selections(5) + "condition: not 1 of sel* or (sel0 and sel1)"
            default:
                body = "a:\n    network.state: [\(distinct(Self.states, 4).joined(separator: ", "))]\n"
                    + "b:\n    destination.port: [\(list(4))]\ncondition: a and b"
            }
            rules.append(flowRule(body, title: "r\(i)"))
        }
        let (set, errors) = RuleSet.parse(yaml: rules.joined(separator: "\n---\n"), file: "counted.yml")
        #expect(errors.isEmpty, "\(errors)")

        let program = CompiledProgram(set)
        let plainAtoms = program.nodes.map { node -> Int32 in
            if case .atom(let atom) = node, !program.atomIsLazy[Int(atom)] { return atom }
            return -1
        }
        let counted = CountedNodes(nodes: program.nodes, children: program.children, plainAtom: plainAtoms,
                                   atomCount: program.atoms.count)
        var countedAnds = 0, countedOrs = 0, withOthers = 0
        for (n, node) in program.nodes.enumerated() where counted.plainCount[n] >= 0 {
            if case .and = node { countedAnds += 1 } else { countedOrs += 1 }
            if counted.otherStart[n + 1] > counted.otherStart[n] { withOthers += 1 }
        }
        #expect(countedAnds > 10 && countedOrs > 10 && withOthers > 5,
                "\(countedAnds) counted ands, \(countedOrs) ors, \(withOthers) with other children")

        let counting = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true)
        let reference = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true,
                                        countedNodes: false)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for n in 0..<4000 {
            if n % 89 == 7 {
                bytes += Array(random.pick(GeneratedFlowRules.hostileLines).utf8)
            } else {
                let transport = random.next(10) < 8 ? "tcp" : random.pick(Self.transports)
                let port = random.next(10) < 6 ? 443 : random.pick(Self.ports)
                var network: [String: EventValue] = ["transport": .string(transport),
                                                     "community_id": .string("1:\(random.pick(["a", "b", "ab", "zz", "abc=", ""]))=")]
                if random.next(3) > 0 { network["state"] = .string(random.pick(Self.states)) }
                let event: [String: EventValue] = [
                    "@timestamp": "2026-01-02T03:04:05.000000006Z",
                    "event": ["dataset": "network.flow", "duration": .int(Int64(random.next(150)))],
                    "source": ["ip": .string("10.\(random.next(3)).\(random.next(5)).1"), "port": 40000],
                    "destination": ["ip": .string("10.\(random.next(4)).0.\(random.next(9))"), "port": .int(Int64(port))],
                    "network": .object(network),
                ]
                EventValue.object(event).appendJSON(to: &bytes)
            }
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let expected = bytes.withUnsafeBufferPointer { reference.matches(in: $0, ends: ends) }
        let actual = bytes.withUnsafeBufferPointer { counting.matches(in: $0, ends: ends) }
        #expect(expected.count > 2000)
        #expect(Set(expected.map(\.ruleIndex)).count > 40)
        expectSameMatches(actual, expected)
        #expect(counting.malformedRecords > 0)
    }

    /// An atom listed twice in one node counts twice, so that an `and` holds only when every listing fired; a node
    /// with few plain children keeps its loop.
    @Test func repeatedAtomsCountOncePerListing() {
        let nodes: [CompiledProgram.Node] = [
            .atom(0), .atom(1), .atom(2), .atom(0), .and(0..<4), .or(4..<6), .atom(1),
        ]
        // Children: the `and` lists nodes 0, 1, 2, 3 (atoms 0, 1, 2, 0); the `or` lists nodes 2 and 6.
        let children: [Int32] = [0, 1, 2, 3, 2, 6]
        let plain: [Int32] = [0, 1, 2, 0, -1, -1, 1]
        let counted = CountedNodes(nodes: nodes, children: children, plainAtom: plain, atomCount: 3)
        #expect(counted.plainCount == [-1, -1, -1, -1, 4, -1, -1])
        #expect(Array(counted.parentList[Int(counted.parentStart[0])..<Int(counted.parentStart[1])]) == [4, 4])
        #expect(Array(counted.parentList[Int(counted.parentStart[1])..<Int(counted.parentStart[2])]) == [4])
        #expect(counted.otherStart[5] == counted.otherStart[4])
        let disabled = CountedNodes(nodes: nodes, children: children, plainAtom: plain, atomCount: 3, enabled: false)
        #expect(disabled.plainCount.allSatisfy { $0 < 0 } && disabled.parentList.isEmpty)
    }
}

import Testing
@testable import HydrantDetect
import HydrantRecords

/// Nested `or`s (keyword lists, `1 of` selections of lists) and nested `and`s compiled as one node: the same
/// matches as the nested program, with fewer nodes to visit.
@Suite struct ConditionFlatteningTests {
    private static let methods = ["GET", "POST", "PUT", "get"]
    private static let hosts = ["example.com", "evil.test", "cdn.example.net", "EVIL.test", "a.b.c.d.e"]
    private static let paths = ["/", "/index.html", "/q?id=1%20union%20select", "/admin/login.php", "/x?cmd=whoami",
                                "/search?q=select * from", "/%2e%2e/etc/passwd", "/img/logo.png", ""]
    private static let agents = ["Mozilla/5.0", "curl/8.5.0", "python-requests/2.31", "sqlmap/1.7", "Wget/1.21",
                                 "MOZILLA/4.0 (compatible)"]
    private static let words = ["select", "union", "whoami", "admin", "evil", "curl", "sqlmap", ".php", "%20", "Mozilla",
                                "passwd", "cmd=", "logo", "x", "zz-none"]

    private func httpRule(_ detection: String, title: String) -> String {
        """
        title: \(title)
        logsource: {category: network, service: http}
        detection:
        \(detection.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// A keyword list is one `or` of every keyword's test of every keyword field, and `1 of` selections that are
    /// lists join it: no `or` node sits directly below another.
    @Test func keywordListsAndSelectionListsBecomeOneNode() throws {
        let rule = httpRule("""
            method:
                http.request.method: GET
            keywords:
                - 'union select'
                - 'whoami'
                - 'select * from'
            paths:
                - url.original|endswith: '.php'
                - url.original|contains: 'admin'
            condition: method and (keywords or 1 of paths*)
            """, title: "nested")
        let (set, errors) = RuleSet.parse(yaml: rule, file: "flat.yml")
        #expect(errors.isEmpty, "\(errors)")
        let keywordFields = DatasetCatalogue.keywordFields(of: .networkHTTP).count
        for flatten in [true, false] {
            let program = CompiledProgram(set, flatten: flatten)
            var orBelowOr = 0
            var widestOr = 0
            for node in program.nodes {
                guard case .or(let range) = node else { continue }
                widestOr = max(widestOr, range.count)
                for i in range {
                    if case .or = program.nodes[Int(program.children[Int(i)])] { orBelowOr += 1 }
                }
            }
            if flatten {
                #expect(orBelowOr == 0)
                #expect(widestOr == 3 * keywordFields + 2)
            } else {
                #expect(orBelowOr > 0)
                #expect(widestOr < 3 * keywordFields)
            }
        }
    }

    /// Generated HTTP rules mixing keyword lists, `1 of`/`all of` selections that are lists of maps, nested
    /// parentheses, `not`, globs and regexes among plain tests, over generated HTTP records with hostile lines among
    /// them: the flattened program reports exactly the matches of the nested one, and in the same order.
    @Test func flatteningNeverChangesMatches() {
        var random = PrefilterTests.Generator(state: 77)
        func word() -> String { random.pick(Self.words) }
        func test() -> String {
            switch random.next(9) {
            case 0: return "http.request.method: \(random.pick(Self.methods))"
            case 1: return "url.domain|endswith: '\(random.pick(["evil.test", ".net", "com", "e"]))'"
            case 2: return "url.original|contains: '\(word())'"
            case 3: return "user_agent.original|startswith: '\(random.pick(["Mozilla", "curl", "sqlmap", "py"]))'"
            case 4: return "url.original|contains|all: ['\(word())', '\(word())']"
            case 5: return "user_agent.original: '*\(random.pick(["/1", "5.0", "ap/"]))*'"
            case 6: return "url.original|re: '\(random.pick(["select.+from", "^/admin", "cmd=[a-z]+", "\\.png$"]))'"
            case 7: return "destination.port: \(random.pick([80, 8080, 443]))"
            default: return "http.request.method|cased: \(random.pick(Self.methods))"
            }
        }
        func keywords() -> String {
            "    - '\(word())'\n" + (0..<random.next(5)).map { _ in "    - '\(word())'\n" }.joined()
        }
        func selection(_ name: String) -> String {
            switch random.next(3) {
            case 0: return "\(name):\n    \(test())\n"
            case 1: return "\(name):\n    - \(test())\n    - \(test())\n"
            default:
                // A list of maps: an `or` of `and`s, the first map of two different fields.
                return "\(name):\n    - http.request.method: \(random.pick(Self.methods))\n"
                    + "      url.original|contains: '\(word())'\n    - \(test())\n"
            }
        }
        let conditions = [
            "1 of sel*", "all of sel*", "kw and 1 of sel*", "kw or (sel0 and (sel1 or (sel2 or kw)))",
            "not kw and sel0", "(sel0 or sel1) and (sel1 or sel2) and not (kw or sel2)", "1 of them",
            "kw", "not 1 of sel* or kw", "sel0 and (sel1 and (sel2 and kw))",
        ]
        var rules: [String] = []
        for i in 0..<160 {
            var body = "kw:\n" + keywords()
            for s in 0..<3 { body += selection("sel\(s)") }
            body += "condition: \(conditions[i % conditions.count])"
            rules.append(httpRule(body, title: "r\(i)"))
        }
        let (set, errors) = RuleSet.parse(yaml: rules.joined(separator: "\n---\n"), file: "flat.yml")
        #expect(errors.isEmpty, "\(errors)")
        #expect(set.detections.count == 160)
        #expect(CompiledProgram(set).nodes.count < CompiledProgram(set, flatten: false).nodes.count)

        let flat = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true)
        let nested = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true,
                                     flatten: false)
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for n in 0..<4000 {
            if n % 97 == 11 {
                bytes += Array(random.pick([
                    "{\"event\":{\"dataset\":\"network.http\"},\"url\":{\"original\":\"/x?cmd=whoami",
                    "{\"event\":{\"dataset\":\"network.http\"},\"url\":{\"original\":[\"/admin\",1,null]}}",
                    "{\"event\":{\"dataset\":\"network.http\"},\"user_agent\":{\"original\":{\"x\":\"curl\"}}}",
                    "[]", "{}",
                ]).utf8)
            } else {
                var url: [String: EventValue] = ["original": .string(random.pick(Self.paths) + random.pick(["", "?" + word()]))]
                if random.next(4) > 0 { url["domain"] = .string(random.pick(Self.hosts)) }
                var event: [String: EventValue] = [
                    "@timestamp": "2026-01-02T03:04:05.000000006Z",
                    "event": ["dataset": "network.http"],
                    "destination": ["ip": "192.0.2.1", "port": .int(Int64(random.pick([80, 8080, 443])))],
                    "http": ["request": ["method": .string(random.pick(Self.methods))]],
                    "url": .object(url),
                ]
                if random.next(5) > 0 { event["user_agent"] = ["original": .string(random.pick(Self.agents))] }
                EventValue.object(event).appendJSON(to: &bytes)
            }
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let expected = bytes.withUnsafeBufferPointer { nested.matches(in: $0, ends: ends) }
        let actual = bytes.withUnsafeBufferPointer { flat.matches(in: $0, ends: ends) }
        #expect(expected.count > 3000)
        #expect(Set(expected.map(\.ruleIndex)).count > 60)
        expectSameMatches(actual, expected)
        #expect(flat.malformedRecords > 0)
    }
}

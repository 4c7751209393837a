import Testing
@testable import HydrantDetect

@Suite struct ConditionTests {
    private func parse(_ condition: String, _ names: [String] = ["s", "t", "u", "sel_a", "sel_b", "_hidden"]) throws(ConditionParser.Failure) -> DetectionExpression {
        var parser = ConditionParser(identifiers: names.map { ($0, DetectionExpression.test(field: $0, matcher: .exists(true))) })
        return try parser.parse(condition)
    }

    private func id(_ name: String) -> DetectionExpression { .test(field: name, matcher: .exists(true)) }

    @Test func notBindsTighterThanAndTighterThanOr() throws {
        #expect(try parse("not s and t or u") == .or([.and([.not(id("s")), id("t")]), id("u")]))
        #expect(try parse("s or t and u") == .or([id("s"), .and([id("t"), id("u")])]))
        #expect(try parse("not (s or t)") == .not(.or([id("s"), id("t")])))
    }

    @Test func selectorsMatchPatternsAndThemSkipsUnderscore() throws {
        #expect(try parse("1 of sel_*") == .or([id("sel_a"), id("sel_b")]))
        #expect(try parse("any of sel_*") == .or([id("sel_a"), id("sel_b")]))
        #expect(try parse("all of sel_*") == .and([id("sel_a"), id("sel_b")]))
        #expect(try parse("all of them") == .and([id("s"), id("t"), id("u"), id("sel_a"), id("sel_b")]))
        #expect(try parse("1 of _*") == id("_hidden"))
        #expect(try parse("1 of sel_a") == id("sel_a"))
        #expect(try parse("not 1 of sel_* and s") == .and([.not(.or([id("sel_a"), id("sel_b")])), id("s")]))
    }

    @Test func errorsNameTheProblem() {
        func message(_ text: String) -> String {
            do { _ = try parse(text); return "" } catch { return error.message }
        }
        #expect(message("s AND t").contains("uppercase \"AND\""))
        #expect(message("1 of nomatch*").contains("matches no search identifier"))
        #expect(message("s and missing").contains("undefined identifier \"missing\""))
        #expect(message("s | count() > 5").contains("legacy pipe"))
        #expect(message("(s and t").contains("missing \")\""))
        #expect(message("s t").contains("unexpected"))
    }

    @Test func conditionListIsOr() throws {
        let (set, errors) = RuleSet.parse(yaml: dnsRule("a:\n    dns.question.name: x\nb:\n    dns.question.name: y\ncondition:\n    - a\n    - b"))
        #expect(errors.isEmpty)
        let e = DetectionEngine(rules: set)
        #expect(!e.matchingTitles(event: dnsEvent("x")).isEmpty)
        #expect(!e.matchingTitles(event: dnsEvent("y")).isEmpty)
    }
}

import Testing
@testable import HydrantDetect
import HydrantRecords

@Suite struct MatchingTests {
    @Test func plainValuesMatchWholeValueCaseInsensitively() {
        let rule = dnsRule("sel:\n    dns.question.name: Evil.Example.com\ncondition: sel")
        #expect(matches(rule, dnsEvent("evil.example.COM")))
        #expect(!matches(rule, dnsEvent("x.evil.example.com")))
        #expect(!matches(rule, dnsEvent("evil.example.com.x")))
    }

    @Test func unicodeCaseFolding() {
        let rule = dnsRule("sel:\n    dns.question.name|contains: 'ÉTÉ'\ncondition: sel")
        #expect(matches(rule, dnsEvent("xn--ÉtÉ.example")))
        #expect(!matches(rule, dnsEvent("xn--ete.example")))
    }

    @Test func containsStartsWithEndsWith() {
        let contains = dnsRule("sel:\n    dns.question.name|contains: evil\ncondition: sel")
        let starts = dnsRule("sel:\n    dns.question.name|startswith: evil\ncondition: sel")
        let ends = dnsRule("sel:\n    dns.question.name|endswith: '.onion'\ncondition: sel")
        #expect(matches(contains, dnsEvent("a.EVIL.b")))
        #expect(!matches(contains, dnsEvent("a.evi.l")))
        #expect(matches(starts, dnsEvent("evil.b")))
        #expect(!matches(starts, dnsEvent("a.evil")))
        #expect(matches(ends, dnsEvent("x.ONION")))
        #expect(!matches(ends, dnsEvent("onion.x")))
    }

    @Test func innerWildcardsAndQuestionMark() {
        let rule = dnsRule("sel:\n    dns.question.name: 'a*.ex?mple.com'\ncondition: sel")
        #expect(matches(rule, dnsEvent("abc.example.com")))
        #expect(matches(rule, dnsEvent("a.exAmple.com")))
        #expect(!matches(rule, dnsEvent("b.example.com")))
    }

    @Test func casedModifierIsCaseSensitive() {
        let rule = dnsRule("sel:\n    dns.question.name|contains|cased: Evil\ncondition: sel")
        #expect(matches(rule, dnsEvent("x.Evil.y")))
        #expect(!matches(rule, dnsEvent("x.evil.y")))
    }

    @Test func listsAreOrAndAllIsAnd() {
        let any = dnsRule("sel:\n    dns.question.name|contains: [foo, bar]\ncondition: sel")
        let all = dnsRule("sel:\n    dns.question.name|contains|all: [foo, bar]\ncondition: sel")
        #expect(matches(any, dnsEvent("foo.x")))
        #expect(!matches(all, dnsEvent("foo.x")))
        #expect(matches(all, dnsEvent("bar.foo.x")))
    }

    @Test func mapsAreAndListOfMapsIsOr() {
        let rule = dnsRule("""
        sel:
            - dns.question.name: a.com
              dns.question.type: TXT
            - dns.question.name: b.com
        condition: sel
        """)
        #expect(!matches(rule, dnsEvent("a.com")))  // type is A
        #expect(matches(rule, dnsEvent("b.com")))
        #expect(matches(rule, dnsEvent("a.com", ["dns": ["question": ["name": "a.com", "type": "txt"]]])))
    }

    @Test func listFieldsMatchWhenAnyElementMatches() {
        let rule = dnsRule("sel:\n    dns.answers.data|endswith: '.bad'\ncondition: sel")
        #expect(matches(rule, dnsEvent("q.com", ["dns": ["answers": ["data": ["1.2.3.4", "cname.bad"]]]])))
        #expect(!matches(rule, dnsEvent("q.com", ["dns": ["answers": ["data": ["1.2.3.4"]]]])))
    }

    @Test func regexWithFlags() {
        let plain = dnsRule("sel:\n    dns.question.name|re: '^[a-z0-9]{20,}\\.'\ncondition: sel")
        let caseless = dnsRule("sel:\n    dns.question.name|re|i: 'EVIL'\ncondition: sel")
        let dotall = dnsRule("sel:\n    dns.answers.data|re|s: 'a.b'\ncondition: sel")
        let multiline = dnsRule("sel:\n    dns.answers.data|re|m: '^b$'\ncondition: sel")
        #expect(matches(plain, dnsEvent("abcdefghijabcdefghijk.example")))
        #expect(!matches(plain, dnsEvent("short.example")))
        #expect(!matches(dnsRule("sel:\n    dns.question.name|re: 'EVIL'\ncondition: sel"), dnsEvent("evil")))
        #expect(matches(caseless, dnsEvent("x.evil")))
        #expect(matches(dotall, dnsEvent("q", ["dns": ["answers": ["data": ["a\nb"]]]])))
        #expect(!matches(dnsRule("sel:\n    dns.answers.data|re: 'a.b'\ncondition: sel"), dnsEvent("q", ["dns": ["answers": ["data": ["a\nb"]]]])))
        #expect(matches(multiline, dnsEvent("q", ["dns": ["answers": ["data": ["a\nb\nc"]]]])))
        #expect(!matches(dnsRule("sel:\n    dns.answers.data|re: '^b$'\ncondition: sel"), dnsEvent("q", ["dns": ["answers": ["data": ["a\nb\nc"]]]])))
    }

    @Test func cidrOnAddresses() {
        let rule = dnsRule("sel:\n    source.ip|cidr: ['10.0.0.0/8', 'fd00::/8']\ncondition: sel")
        #expect(matches(rule, dnsEvent("q")))
        #expect(!matches(rule, dnsEvent("q", ["source": ["ip": "192.168.1.1"]])))
        #expect(matches(rule, dnsEvent("q", ["source": ["ip": "fd12::1"]])))
    }

    @Test func nullMeansAbsentAndEmptyMeansPresentAndEmpty() {
        let null = dnsRule("sel:\n    dns.response_code: null\ncondition: sel")
        let empty = dnsRule("sel:\n    dns.response_code: ''\ncondition: sel")
        #expect(matches(null, dnsEvent("q")))
        #expect(!matches(empty, dnsEvent("q")))
        #expect(matches(empty, dnsEvent("q", ["dns": ["response_code": ""]])))
        #expect(!matches(null, dnsEvent("q", ["dns": ["response_code": ""]])))
    }

    @Test func existsChecksPresenceOnly() {
        let present = dnsRule("sel:\n    dns.response_code|exists: true\ncondition: sel")
        let absent = dnsRule("sel:\n    dns.response_code|exists: false\ncondition: sel")
        #expect(!matches(present, dnsEvent("q")))
        #expect(matches(absent, dnsEvent("q")))
        #expect(matches(present, dnsEvent("q", ["dns": ["response_code": ""]])))
    }

    @Test func predicatesOnMissingFieldsAreFalseAndNotAppliesOnTop() {
        let rule = dnsRule("sel:\n    dns.response_code: NXDOMAIN\ncondition: not sel")
        #expect(matches(rule, dnsEvent("q")))
        #expect(!matches(rule, dnsEvent("q", ["dns": ["response_code": "NXDOMAIN"]])))
    }

    @Test func neqIsNotOfTheOrOfTheValues() {
        let rule = dnsRule("sel:\n    dns.question.type|neq: [A, AAAA]\ncondition: sel")
        #expect(!matches(rule, dnsEvent("q")))
        #expect(matches(rule, dnsEvent("q", ["dns": ["question": ["name": "q", "type": "TXT"]]])))
    }

    @Test func numericComparisonsAndNumericEquality() {
        let gt = dnsRule("sel:\n    destination.port|gt: 1024\ncondition: sel")
        let eq = dnsRule("sel:\n    destination.port: [53, 5353]\ncondition: sel")
        #expect(!matches(gt, dnsEvent("q")))
        #expect(matches(gt, dnsEvent("q", ["destination": ["ip": "1.1.1.1", "port": 5353]])))
        #expect(matches(eq, dnsEvent("q")))
        #expect(matches(eq, dnsEvent("q", ["destination": ["ip": "1.1.1.1", "port": "5353"]])))
    }

    @Test func fieldReferenceComparesTwoFields() {
        let rule = dnsRule("sel:\n    dns.question.name|fieldref: dns.answers.data\ncondition: sel")
        #expect(matches(rule, dnsEvent("a.com", ["dns": ["answers": ["data": ["A.com"]]]])))
        #expect(!matches(rule, dnsEvent("a.com", ["dns": ["answers": ["data": ["b.com"]]]])))
        let contains = dnsRule("sel:\n    dns.question.name|fieldref|endswith: dns.answers.data\ncondition: sel")
        #expect(matches(contains, dnsEvent("x.a.com", ["dns": ["answers": ["data": ["a.com"]]]])))
    }

    @Test func keywordsSearchTheDatasetTextFields() {
        let rule = dnsRule("keywords:\n    - 'badword'\n    - '*tunnel*'\ncondition: keywords")
        #expect(matches(rule, dnsEvent("badword")))
        #expect(matches(rule, dnsEvent("q", ["dns": ["answers": ["data": ["my.tunnel.net"]]]])))
        #expect(!matches(rule, dnsEvent("clean.example")))
    }

    @Test func base64OffsetContainsAndWindash() {
        let b64 = dnsRule("sel:\n    dns.answers.data|base64offset|contains: 'foobar'\ncondition: sel")
        #expect(matches(b64, dnsEvent("q", ["dns": ["answers": ["data": ["xxZvb2Jhcgyy"]]]])))
        #expect(!matches(b64, dnsEvent("q", ["dns": ["answers": ["data": ["ZVB2JHCG"]]]])))
        let windash = dnsRule("sel:\n    dns.answers.data|windash|contains: ' -enc '\ncondition: sel")
        #expect(matches(windash, dnsEvent("q", ["dns": ["answers": ["data": ["cmd /enc x"]]]])))
        #expect(matches(windash, dnsEvent("q", ["dns": ["answers": ["data": ["cmd \u{2014}enc x"]]]])))
    }

    @Test func expandUsesConfiguredPlaceholders() {
        let yaml = dnsRule("sel:\n    source.ip|expand: '%servers%'\ncondition: sel")
        let options = RuleLoadOptions(placeholders: ["servers": ["10.0.0.1", "10.0.0.2"]])
        let e = engine(yaml, options: options)
        #expect(!e.matchingTitles(event: dnsEvent("q")).isEmpty)
        let errors = loadErrors(yaml)
        #expect(errors.map(\.reason) == [.placeholder])
    }

    @Test func flatDottedKeysAreReadLikeNestedOnes() {
        let rule = dnsRule("sel:\n    dns.question.name: flat.example\ncondition: sel")
        var event = dnsEvent("other")
        event["dns.question.name"] = "flat.example"
        event.removeValue(forKey: "dns")
        #expect(matches(rule, event))
    }

    @Test func rulesRunOnlyOnTheirDatasets() {
        let rule = dnsRule("sel:\n    source.ip: 10.0.0.1\ncondition: sel")
        var event = dnsEvent("q")
        event["event"] = ["dataset": "network.flow"]
        #expect(!matches(rule, event))
    }

    @Test func manyRulesShareIndexesAndEachFiresOnItsOwnValue() {
        var yaml = ""
        for i in 0..<300 {
            yaml += dnsRule("sel:\n    dns.question.name|endswith: '.d\(i).com'\ncondition: sel", title: "suffix \(i)") + "\n---\n"
            yaml += dnsRule("sel:\n    dns.question.name|contains: 'word\(i)x'\ncondition: sel", title: "contains \(i)") + "\n---\n"
            yaml += dnsRule("sel:\n    dns.question.name: 'exact\(i).com'\ncondition: sel", title: "exact \(i)") + "\n---\n"
        }
        let e = engine(yaml)
        #expect(e.rules.detections.count == 900)
        #expect(e.matchingTitles(event: dnsEvent("a.d17.com")) == ["suffix 17"])
        #expect(e.matchingTitles(event: dnsEvent("aword250xb")) == ["contains 250"])
        #expect(e.matchingTitles(event: dnsEvent("EXACT3.com")) == ["exact 3"])
        #expect(e.matchingTitles(event: dnsEvent("nothing")) == [])
    }

    /// Two records exactly as `hydrant replay captures/mixed-2k.pcap` writes them.
    static let replayLines = #"""
    {"@timestamp":"2024-01-01T00:00:00.008150777Z","event":{"dataset":"network.dns","duration":14682507},"observer":{"name":"vm"},"source":{"ip":"10.10.146.168","port":36328},"destination":{"ip":"10.0.0.53","port":53},"network":{"transport":"udp","iana_number":17,"type":"ipv4","community_id":"1:bBiFoGgA1tiAs978QPQV79s8wxY="},"dns":{"id":64252,"question":{"name":"s128.example.com","type":"A","class":"IN"},"response_code":"NOERROR","header_flags":["RD","RA"],"answers":{"data":["202.196.230.97"],"type":["A"],"ttl":[2463]},"resolved_ip":["202.196.230.97"]}}
    {"@timestamp":"2024-01-01T00:00:00.023112907Z","event":{"dataset":"network.dns","duration":665558},"observer":{"name":"vm"},"source":{"ip":"2001:db8:a0a:0:200:ff:fe00:a5c6","port":57896},"destination":{"ip":"2001:db8:a00::53","port":53},"network":{"transport":"udp","iana_number":17,"type":"ipv6","community_id":"1:LoAlQsnT6Ap3W9zFpz4/fzxjjcE="},"dns":{"id":60847,"question":{"name":"mail.example.org","type":"A","class":"IN"},"response_code":"NOERROR","header_flags":["RD","RA"],"answers":{"data":["81.2.69.166","175.16.199.1"],"type":["A","A"],"ttl":[3393,3393]},"resolved_ip":["81.2.69.166","175.16.199.1"]}}

    """#

    @Test func realReplayRecords() throws {
        let yaml = """
        title: answer in range
        logsource: {category: network, service: dns}
        detection:
            sel:
                dns.answers.data|cidr: 175.16.0.0/12
            condition: sel
        ---
        title: zeek style
        logsource: {product: zeek, service: dns}
        detection:
            sel:
                query|endswith: '.example.com'
                TTLs|gt: 1000
                id.resp_p: 53
            condition: sel
        ---
        title: ipv6 clients
        logsource: {category: dns}
        detection:
            sel:
                src_ip|cidr: '2001:db8::/32'
            condition: sel
        """
        let e = engine(yaml)
        let alerts = e.evaluate(jsonLines: Self.replayLines)
        #expect(alerts.map(\.ruleName) == ["zeek style", "answer in range", "ipv6 clients"])
        #expect(alerts.map(\.communityIDs) == [["1:bBiFoGgA1tiAs978QPQV79s8wxY="], ["1:LoAlQsnT6Ap3W9zFpz4/fzxjjcE="],
                                                ["1:LoAlQsnT6Ap3W9zFpz4/fzxjjcE="]])
        #expect(alerts.first?.timestamp == Timestamp(parsingRFC3339: "2024-01-01T00:00:00.008150777Z"))
        #expect(alerts.last?.sourceIP == IPAddress("2001:db8:a0a:0:200:ff:fe00:a5c6"))
        #expect(e.malformedRecords == 0)
        #expect(e.evaluatedRecords == 2)
    }

    @Test func malformedRecordsAreCountedAndSkipped() {
        let e = engine(dnsRule("sel:\n    dns.question.name: x\ncondition: sel"))
        let alerts = e.evaluate(jsonLines: "{\"event\":{\"dataset\":\"network.dns\"},\"dns\":{\"question\":{\"name\":\"x\"}}}\n{bad json\n[1,2]\n")
        #expect(alerts.count == 1)
        #expect(e.malformedRecords == 2)
    }
}

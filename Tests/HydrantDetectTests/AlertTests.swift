import Testing
@testable import HydrantDetect
import HydrantRecords

@Suite struct AlertTests {
    private let rule = """
    title: Tor domain
    id: 0b5e4d6c-2f5e-4a53-9a5e-111111111111
    description: a query for an onion name
    level: high
    tags: [attack.t1090, attack.command-and-control]
    logsource: {category: dns}
    detection:
        sel:
            query|endswith: '.onion'
        condition: sel
    """

    @Test func alertsCarryRuleAndRecordFields() throws {
        let e = engine(rule)
        let alerts = e.evaluate(event: dnsEvent("abc.onion"))
        let alert = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(alert.ruleID == "0b5e4d6c-2f5e-4a53-9a5e-111111111111")
        #expect(alert.ruleName == "Tor domain")
        #expect(alert.level == "high")
        #expect(alert.severity == 4)
        #expect(alert.tags == ["attack.t1090", "attack.command-and-control"])
        #expect(alert.kind == .detection)
        #expect(alert.count == 1)
        #expect(alert.timestamp == Timestamp(parsingRFC3339: "2026-01-02T03:04:05.000000006Z"))
        #expect(alert.sourceIP == IPAddress("10.0.0.1"))
        #expect(alert.destinationPort == 53)
        #expect(alert.communityIDs == ["1:abc="])
        #expect(alert.id.count == 32)
    }

    @Test func alertIDsAreStableAndDistinct() {
        let first = engine(rule).evaluate(event: dnsEvent("abc.onion"))
        let again = engine(rule).evaluate(event: dnsEvent("abc.onion"))
        let other = engine(rule).evaluate(event: dnsEvent("xyz.onion"))
        #expect(first.map(\.id) == again.map(\.id))
        #expect(first.map(\.id) != other.map(\.id))
    }

    @Test func alertsEncodeAsNestedJSONLines() throws {
        let alerts = engine(rule).evaluate(event: dnsEvent("abc.onion"))
        let text = String(decoding: AlertEncoding.jsonLines(alerts), as: UTF8.self)
        #expect(text.hasSuffix("}\n"))
        #expect(text.contains("\"rule\":{\"id\":\"0b5e4d6c-2f5e-4a53-9a5e-111111111111\",\"name\":\"Tor domain\""))
        #expect(text.contains("\"alert\":{\"id\":\"\(alerts[0].id)\",\"kind\":\"detection\""))
        #expect(text.contains("\"event\":{\"dataset\":\"alert\",\"kind\":\"alert\",\"severity\":4}"))
        #expect(text.contains("\"evidence\":{\"community_ids\":[\"1:abc=\"],\"dataset\":\"network.dns\"}"))
        #expect(text.contains("\"source\":{\"ip\":\"10.0.0.1\",\"port\":40000}"))
    }
}

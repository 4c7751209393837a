import Foundation
import Testing
import HydrantRecords
@testable import HydrantAlert

@Suite struct AlertPayloadTests {
    @Test func jsonPayloadCarriesTheAlertVerbatim() throws {
        var alert = AlertFixtures.alert(id: "a-1")
        alert.suppressed = 41
        let body = AlertPayload.render(alert, format: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object["version"] as? Int == 1)
        #expect(object["suppressed"] as? Int == 41)
        let inner = try #require(object["alert"] as? [String: Any])
        #expect(inner["alert.id"] as? String == "a-1")
        #expect(inner["rule.id"] as? String == "rule-portscan")
        // Verbatim: the engine's bytes appear unchanged inside the payload.
        #expect(String(decoding: body, as: UTF8.self).contains(String(decoding: alert.body, as: UTF8.self)))
    }

    @Test func slackPayloadIsAReadableSummary() throws {
        var alert = AlertFixtures.alert(id: "a-2", group: "source.ip=10.0.0.5", level: .critical,
                                        tags: ["attack.t1046", "attack.discovery"],
                                        eventTime: Timestamp(seconds: 1_714_564_800, nanoseconds: 5))
        alert.ruleName = "Port scan \"wide\""
        alert.suppressed = 3
        let body = AlertPayload.render(alert, format: .slack)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(object.count == 1)
        let text = try #require(object["text"] as? String)
        #expect(text == "[CRITICAL] Port scan \"wide\" (rule rule-portscan) · source.ip=10.0.0.5 · 2024-05-01T12:00:00Z"
            + " · attack.t1046, attack.discovery · +3 similar alerts suppressed · alert a-2")
    }
}

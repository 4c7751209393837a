import Testing
import HydrantRecords
@testable import HydrantAlert

/// The throttle group of detection and correlation alerts (`AlertRecord.notificationGroup`).
@Suite struct NotificationGroupTests {
    static func detection(id: String, source: String?, port: Int64, time: Timestamp) -> AlertRecord {
        var alert = AlertRecord(timestamp: time, id: id, kind: .detection, ruleID: "scan", ruleName: "Port scan",
                                count: 1, windowStart: time, windowEnd: time)
        alert.sourceIP = source.flatMap { IPAddress($0) }
        alert.destinationIP = IPAddress("10.0.9.9")
        alert.destinationPort = port
        return alert
    }

    static func notification(_ alert: AlertRecord) -> AlertNotification {
        AlertNotification(id: alert.id, ruleID: alert.ruleID, ruleName: alert.ruleName, level: .high, tags: [],
                          group: alert.notificationGroup, eventTime: alert.timestamp, body: [])
    }

    @Test func detectionsGroupBySourceAddressCorrelationsByTheirGroup() {
        let t = Timestamp(seconds: 1, nanoseconds: 0)
        #expect(Self.detection(id: "a", source: "10.0.0.5", port: 22, time: t).notificationGroup == "source.ip=10.0.0.5")
        #expect(Self.detection(id: "b", source: "2001:db8::1", port: 22, time: t).notificationGroup == "source.ip=2001:db8::1")
        #expect(Self.detection(id: "c", source: nil, port: 22, time: t).notificationGroup == "")
        var correlation = AlertRecord(timestamp: t, id: "d", kind: .correlation, ruleID: "r", ruleName: "R", count: 9,
                                      windowStart: t, windowEnd: t)
        correlation.sourceIP = IPAddress("10.0.0.5")
        #expect(correlation.notificationGroup == "")
        correlation.group = "source.ip=10.0.0.7,destination.ip=10.0.9.9"
        #expect(correlation.notificationGroup == "source.ip=10.0.0.7,destination.ip=10.0.9.9")
    }

    /// A port scan of 10,000 ports from one source as single-record detections: one notification per window for
    /// that source, while another source raising the same rule meanwhile is notified at once.
    @Test func portScanDetectionsAreThrottledPerSource() {
        var throttle = AlertThrottle(window: .seconds(300))
        let start: Int64 = 1_714_564_800_000_000_000
        var sent: [AlertNotification] = []
        for index in 0..<10_000 {
            let time = Timestamp(nanoseconds: start + Int64(index) * 60_000_000)
            let alert = Self.detection(id: "scan-\(index)", source: "10.0.0.5", port: Int64(index + 1), time: time)
            if let notification = throttle.admit(Self.notification(alert)) { sent.append(notification) }
            if index == 5000 {
                let other = Self.detection(id: "other", source: "10.0.0.6", port: 22, time: time)
                if let notification = throttle.admit(Self.notification(other)) { sent.append(notification) }
            }
        }
        // 10,000 alerts 60 ms apart span 600 s: windows at 0, 300 s (and the other source once).
        #expect(sent.filter { $0.group == "source.ip=10.0.0.5" }.map(\.id) == ["scan-0", "scan-5000"])
        #expect(sent.filter { $0.group == "source.ip=10.0.0.6" }.map(\.id) == ["other"])
        #expect(sent.first { $0.id == "scan-5000" }?.suppressed == 4999)
    }
}

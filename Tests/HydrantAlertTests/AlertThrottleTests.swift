import Testing
import HydrantRecords
@testable import HydrantAlert

@Suite struct AlertThrottleTests {
    /// A port scan: 10,000 alerts of one rule and group spread over 50 minutes of event time (one every 0.3 s)
    /// give one notification per 5-minute window, each carrying the alerts held back before it.
    @Test func portScanGivesOneNotificationPerWindow() {
        var throttle = AlertThrottle(window: .seconds(300))
        let start: Int64 = 1_714_564_800_000_000_000
        var sent: [AlertNotification] = []
        for index in 0..<10_000 {
            let time = Timestamp(nanoseconds: start + Int64(index) * 300_000_000)
            if let notification = throttle.admit(AlertFixtures.alert(id: "scan-\(index)", eventTime: time)) {
                sent.append(notification)
            }
        }
        #expect(sent.count == 10)
        #expect(sent.map(\.id) == (0..<10).map { "scan-\($0 * 1000)" })
        #expect(sent.first?.suppressed == 0)
        #expect(sent.dropFirst().allSatisfy { $0.suppressed == 999 })
        #expect(throttle.heldBack == 999)
        #expect(sent.reduce(0) { $0 + $1.suppressed } + sent.count + throttle.heldBack == 10_000)
    }

    @Test func groupsAndRulesAreThrottledSeparately() {
        var throttle = AlertThrottle(window: .seconds(300))
        let t = Timestamp(seconds: 1000, nanoseconds: 0)
        #expect(throttle.admit(AlertFixtures.alert(id: "1", rule: "a", group: "g1", eventTime: t)) != nil)
        #expect(throttle.admit(AlertFixtures.alert(id: "2", rule: "a", group: "g2", eventTime: t)) != nil)
        #expect(throttle.admit(AlertFixtures.alert(id: "3", rule: "b", group: "g1", eventTime: t)) != nil)
        #expect(throttle.admit(AlertFixtures.alert(id: "4", rule: "a", group: "g1", eventTime: t)) == nil)
        let later = Timestamp(seconds: 1300, nanoseconds: 0)
        #expect(throttle.admit(AlertFixtures.alert(id: "5", rule: "a", group: "g1", eventTime: later))?.suppressed == 1)
    }

    @Test func zeroWindowDisablesAndCapacityFailsOpen() {
        var off = AlertThrottle(window: .zero)
        let t = Timestamp(seconds: 1, nanoseconds: 0)
        #expect((0..<5).compactMap { off.admit(AlertFixtures.alert(id: "\($0)", eventTime: t)) }.count == 5)
        var small = AlertThrottle(window: .seconds(60), capacity: 2)
        #expect(small.admit(AlertFixtures.alert(id: "1", group: "g1", eventTime: t)) != nil)
        #expect(small.admit(AlertFixtures.alert(id: "2", group: "g2", eventTime: t)) != nil)
        // Full and nothing expired: a third group passes unthrottled rather than being dropped.
        #expect(small.admit(AlertFixtures.alert(id: "3", group: "g3", eventTime: t)) != nil)
        #expect(small.admit(AlertFixtures.alert(id: "4", group: "g3", eventTime: t)) != nil)
        // Once the old windows expire they are forgotten and the new group is tracked again.
        let later = Timestamp(seconds: 120, nanoseconds: 0)
        #expect(small.admit(AlertFixtures.alert(id: "5", group: "g3", eventTime: later)) != nil)
        #expect(small.admit(AlertFixtures.alert(id: "6", group: "g3", eventTime: later)) == nil)
    }
}

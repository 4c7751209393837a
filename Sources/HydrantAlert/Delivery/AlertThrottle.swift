/// At most one notification per rule and group per window of event time; the alerts held back in a window are
/// counted and carried in the next notification of that rule and group (`suppressed`).
///
/// Windows run on the alerts' event time, so a replay throttles exactly as the live traffic did. Memory is bounded:
/// beyond `capacity` keys, expired windows are forgotten, and if none has expired alerts pass unthrottled (a
/// notification too many beats a lost one).
public struct AlertThrottle: Sendable {
    /// The window length in nanoseconds; zero disables throttling.
    public let window: Int64
    /// The most rule-and-group keys remembered.
    public let capacity: Int

    private struct Key: Hashable {
        var rule: String
        var group: String
    }

    private struct State {
        var windowStart: Int64
        var suppressed: Int
    }

    private var states: [Key: State] = [:]

    /// A throttle with `window` (zero disables it).
    public init(window: Duration, capacity: Int = 100_000) {
        let parts = window.components
        self.window = max(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000, 0)
        self.capacity = max(capacity, 1)
    }

    /// The notification to send for `alert` (with `suppressed` set to the alerts held back since the last one), or
    /// nil when `alert` is held back.
    public mutating func admit(_ alert: AlertNotification) -> AlertNotification? {
        guard window > 0 else { return alert }
        let key = Key(rule: alert.ruleID, group: alert.group)
        let time = alert.eventTime.nanoseconds
        if var state = states[key] {
            if time < state.windowStart &+ window {
                state.suppressed += 1
                states[key] = state
                return nil
            }
            var notification = alert
            notification.suppressed += state.suppressed
            states[key] = State(windowStart: time, suppressed: 0)
            return notification
        }
        if states.count >= capacity {
            states = states.filter { time < $0.value.windowStart &+ window }
            guard states.count < capacity else { return alert }
        }
        states[key] = State(windowStart: time, suppressed: 0)
        return alert
    }

    /// Alerts held back and not yet carried by a notification, over all keys.
    public var heldBack: Int { states.values.reduce(0) { $0 + $1.suppressed } }
}

/// Delays between attempts at a failed delivery: exponential growth with full jitter (a uniformly random delay up
/// to the exponential bound), so that many buffers failing at once do not retry in lockstep.
public struct BackoffSchedule: Hashable, Sendable {
    /// The bound of the first retry's delay.
    public let initial: Duration
    /// The largest bound any retry waits for.
    public let maximum: Duration

    /// A schedule doubling from `initial` up to `maximum`.
    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// The upper bound of the delay before retry number `attempt` (1 = the first retry).
    public func bound(forAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let scaled = initial * (1 << exponent)
        return min(scaled, maximum)
    }

    /// The delay before retry number `attempt`: uniformly random in 0…`bound(forAttempt:)`.
    public func delay(forAttempt attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let bound = bound(forAttempt: attempt)
        let nanoseconds = bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000
        guard nanoseconds > 0 else { return .zero }
        return .nanoseconds(Int64.random(in: 0...nanoseconds, using: &random))
    }

    /// The delay before retry number `attempt`, with the system's random numbers.
    public func delay(forAttempt attempt: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(forAttempt: attempt, using: &random)
    }
}

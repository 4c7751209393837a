/// When a failed delivery is tried again: exponential backoff from `initial`, doubling per retry, with ±`jitter`
/// (a fraction) applied, capped at `maximum`; retries stop once `duration` of waiting has been spent.
///
/// The defaults are Firehose's (1 s, ×2, ±15 %, 2 min cap) and the retry duration (3600 s). As in
/// Firehose, the retry duration counts time spent waiting between attempts, not time waiting for responses.
public struct RetryPolicy: Hashable, Sendable {
    /// The delay before the first retry, before jitter.
    public var initial: Duration
    /// The longest delay between attempts (after jitter).
    public var maximum: Duration
    /// The jitter fraction: each delay is multiplied by a uniform factor in `1-jitter … 1+jitter`.
    public var jitter: Double
    /// The total waiting time retries may spend; zero means a failed attempt is final.
    public var duration: Duration

    /// Firehose's schedule with a retry duration of one hour.
    public static let `default` = RetryPolicy()

    /// A policy; every value is clamped to be non-negative and `jitter` to 0…1.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(120), jitter: Double = 0.15,
                duration: Duration = .seconds(3600)) {
        self.initial = max(initial, .zero)
        self.maximum = max(maximum, .zero)
        self.jitter = jitter.isFinite ? min(max(jitter, 0), 1) : 0
        self.duration = max(duration, .zero)
    }

    /// The delay before retry number `retry` (1 = the first retry) for a jitter draw `unit` in -1…1 (the factor
    /// applied is `1 + unit × jitter`).
    public func delay(forRetry retry: Int, unit: Double) -> Duration {
        let exponent = min(max(retry - 1, 0), 40)
        let factor = 1 + min(max(unit, -1), 1) * jitter
        let nominal = initial.seconds * Double(UInt64(1) << UInt64(exponent))
        return min(.seconds(nominal * factor), maximum)
    }

    /// The delay before retry number `retry`, with a jitter draw from `random`.
    public func delay(forRetry retry: Int, using random: inout some RandomNumberGenerator) -> Duration {
        delay(forRetry: retry, unit: Double.random(in: -1...1, using: &random))
    }

    /// The delay before retry number `retry`, with the system's random numbers.
    public func delay(forRetry retry: Int) -> Duration {
        var random = SystemRandomNumberGenerator()
        return delay(forRetry: retry, using: &random)
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

import CoreMetrics
import Synchronization

/// A metrics backend that keeps counter totals by label and dimensions, so tests read what the code counted.
final class CountingMetrics: MetricsFactory {
    private let totals = Mutex<[String: Int64]>([:])

    /// The total of counter `label` with `dimensions`.
    func total(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        totals.withLock { $0[Self.key(label, dimensions)] ?? 0 }
    }

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + "|" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        CountingCounter(key: Self.key(label, dimensions), totals: self)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        IgnoredMetric()
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { IgnoredMetric() }

    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    fileprivate func add(_ amount: Int64, to key: String) { totals.withLock { $0[key, default: 0] += amount } }
    fileprivate func reset(_ key: String) { totals.withLock { $0[key] = 0 } }
}

private final class CountingCounter: CounterHandler {
    let key: String
    let totals: CountingMetrics

    init(key: String, totals: CountingMetrics) {
        self.key = key
        self.totals = totals
    }

    func increment(by amount: Int64) { totals.add(amount, to: key) }
    func reset() { totals.reset(key) }
}

private final class IgnoredMetric: RecorderHandler, TimerHandler {
    func record(_ value: Int64) {}
    func record(_ value: Double) {}
    func recordNanoseconds(_ duration: Int64) {}
}

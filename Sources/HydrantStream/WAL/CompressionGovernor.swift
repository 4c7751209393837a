import Foundation

/// Decides, put by put, whether `log_compression: auto` compresses: compressing spends CPU to write fewer bytes,
/// which pays only while the machine has CPU to spare.
///
/// Every `interval` it reads the machine's idle share since the last reading. With at least `raiseAbove` idle
/// (requests waiting on the disk leave the CPUs idle) it compresses a larger share of puts; below `lowerBelow` (the
/// CPUs are the limit, and compressing would slow every request) a smaller one; in between it holds. The share
/// moves in steps of `step` between 0 and 1, and puts are picked evenly (a running credit), so a disk-bound log
/// converges to the mix that keeps the CPUs just busy. Where the CPU times cannot be read it compresses every put.
final class CompressionGovernor: @unchecked Sendable {
    /// The machine's CPU times, or nil when unknown.
    typealias Sampler = @Sendable () -> CPUTimes?

    /// How often the idle share is read.
    let interval: Duration
    /// An idle share at or above this raises the compressed share.
    let raiseAbove: Double
    /// An idle share below this lowers the compressed share.
    let lowerBelow: Double
    /// How far one reading moves the compressed share.
    let step: Double

    private let sampler: Sampler
    private let lock = NSLock()
    // Guarded by `lock`.
    private var share = 1.0
    private var credit = 0.0
    private var lastTimes: CPUTimes?
    private var nextSample: ContinuousClock.Instant?
    private var sampling = false
    private var compressedPuts = 0
    private var plainPuts = 0

    /// A governor reading `sampler` every `interval`; the defaults suit `/proc/stat`'s 10-ms ticks.
    init(interval: Duration = .milliseconds(500), raiseAbove: Double = 0.20, lowerBelow: Double = 0.10,
         step: Double = 0.25, sampler: @escaping Sampler = { CPUTimes.current() }) {
        self.interval = interval
        self.raiseAbove = raiseAbove
        self.lowerBelow = lowerBelow
        self.step = step
        self.sampler = sampler
    }

    /// The share of puts being compressed now, between 0 and 1.
    var compressedShare: Double {
        lock.withLock { share }
    }

    /// Puts compressed and puts stored plainly so far.
    var decisions: (compressed: Int, plain: Int) {
        lock.withLock { (compressedPuts, plainPuts) }
    }

    /// Whether the put arriving at `now` should be compressed; reads the CPU times when the interval has passed.
    func shouldCompress(now: ContinuousClock.Instant = .now) -> Bool {
        lock.lock()
        let due = !sampling && (nextSample.map { now >= $0 } ?? true)
        if due { sampling = true }
        lock.unlock()
        // The file is read outside the lock: other puts go on deciding with the current share meanwhile.
        let times = due ? sampler() : nil
        lock.lock()
        defer { lock.unlock() }
        if due {
            sampling = false
            nextSample = now + interval
            if let times {
                if let earlier = lastTimes, let idle = times.idleShare(since: earlier) { adjust(idle: idle) }
                lastTimes = times
            }
        }
        credit += share
        if credit >= 1 - 1e-9 {
            credit -= 1
            compressedPuts += 1
            return true
        }
        plainPuts += 1
        return false
    }

    /// Moves the compressed share by one step toward what an idle share of `idle` calls for.
    private func adjust(idle: Double) {
        if idle >= raiseAbove {
            share = min(1, share + step)
        } else if idle < lowerBelow {
            share = max(0, share - step)
            // A share cut to nothing must not leave credit behind that compresses one more put.
            if share == 0 { credit = 0 }
        }
    }
}

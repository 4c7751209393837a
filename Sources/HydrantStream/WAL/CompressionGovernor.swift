import Foundation

/// Decides, put by put, whether `log_compression: auto` compresses: compressing spends CPU to write fewer bytes,
/// which pays while the machine has CPU to spare, and also while the disk would be the limit without it.
///
/// Every `interval` it reads the machine's idle CPU share and the record bytes appended since the last reading.
/// - At least `raiseAbove` idle in two readings running (requests wait on the disk and leave the CPUs idle; one
///   reading may be a passing stall): it compresses a larger share.
/// - Below `lowerBelow` idle (the CPUs are the limit): it tries a smaller share. One reading lets the requests
///   compressed at the old share drain; the two after it give the new rate of appended bytes. The smaller share is
///   kept unless that rate is more than `tolerance` below the rate of the two readings before the step. If it is,
///   the disk is the limit without that compression: the share goes back and stays for `hold` before the step is
///   tried again, twice as long after each step undone in a row (up to `longestHold`), so that a rate that dipped for
///   another reason (a large object's sync) costs seconds, and a disk that is truly the limit is rarely probed.
/// - In between it holds.
/// The share moves in steps of `step` between 0 and 1, and puts are picked evenly (a running credit). Where the CPU
/// times cannot be read it compresses every put.
final class CompressionGovernor: @unchecked Sendable {
    /// The machine's CPU times, or nil when unknown.
    typealias Sampler = @Sendable () -> CPUTimes?

    /// How often the idle share and the rate are read.
    let interval: Duration
    /// An idle share at or above this raises the compressed share.
    let raiseAbove: Double
    /// An idle share below this tries a lower compressed share.
    let lowerBelow: Double
    /// How far one decision moves the compressed share.
    let step: Double
    /// How much lower the rate may be after a step down for the step to be kept.
    let tolerance: Double
    /// How long a share that a step down proved necessary is first kept before the step is tried again.
    let hold: Duration
    /// The longest such hold, reached by doubling after each step undone in a row.
    let longestHold: Duration

    /// A step down being tried: the share and rate before it, and the readings taken since.
    private struct Trial {
        let previousShare: Double
        let previousRate: Double
        var readings = 0
        var firstRate = 0.0
    }

    private let sampler: Sampler
    private let lock = NSLock()
    // Guarded by `lock`.
    private var share = 1.0
    private var credit = 0.0
    private var lastTimes: CPUTimes?
    private var lastSample: ContinuousClock.Instant?
    private var sampling = false
    private var intervalBytes = 0
    private var trial: Trial?
    private var lastRate: Double?
    private var idleStreak = 0
    private var heldUntil: ContinuousClock.Instant?
    private var nextHold: Duration
    private var compressedPuts = 0
    private var plainPuts = 0

    /// A governor reading `sampler` every `interval`; the defaults suit `/proc/stat`'s 10-ms ticks.
    init(interval: Duration = .milliseconds(500), raiseAbove: Double = 0.20, lowerBelow: Double = 0.10,
         step: Double = 0.5, tolerance: Double = 0.05, hold: Duration = .seconds(3),
         longestHold: Duration = .seconds(60), sampler: @escaping Sampler = { CPUTimes.current() }) {
        self.interval = interval
        self.raiseAbove = raiseAbove
        self.lowerBelow = lowerBelow
        self.step = step
        self.tolerance = tolerance
        self.hold = hold
        self.longestHold = max(hold, longestHold)
        nextHold = hold
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

    /// Whether a put of `bytes` record bytes arriving at `now` should be compressed; reads the CPU times and
    /// decides on the share when the interval has passed.
    func shouldCompress(bytes: Int, now: ContinuousClock.Instant = .now) -> Bool {
        lock.lock()
        intervalBytes += bytes
        let due = !sampling && (lastSample.map { now - $0 >= interval } ?? true)
        if due { sampling = true }
        lock.unlock()
        // The file is read outside the lock: other puts go on deciding with the current share meanwhile.
        let times = due ? sampler() : nil
        lock.lock()
        defer { lock.unlock() }
        if due {
            sampling = false
            if let times, let earlier = lastTimes, let idle = times.idleShare(since: earlier), let since = lastSample {
                let elapsed = (now - since).components
                let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
                decide(idle: idle, rate: seconds > 0 ? Double(intervalBytes) / seconds : 0, now: now)
            }
            if times != nil { lastTimes = times }
            lastSample = now
            intervalBytes = 0
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

    /// One decision on the share, from the idle share and the rate of appended bytes of the interval just ended.
    private func decide(idle: Double, rate: Double, now: ContinuousClock.Instant) {
        let recentRate = ((lastRate ?? rate) + rate) / 2
        lastRate = rate
        idleStreak = idle >= raiseAbove ? idleStreak + 1 : 0
        if var current = trial {
            current.readings += 1
            switch current.readings {
            case 1:
                trial = current  // settling
                return
            case 2:
                current.firstRate = rate
                trial = current
                return
            default:
                trial = nil
                if (current.firstRate + rate) / 2 < current.previousRate * (1 - tolerance) {
                    // Less compression, less throughput: the disk is the limit below the previous share.
                    share = current.previousShare
                    heldUntil = now + nextHold
                    nextHold = min(longestHold, nextHold * 2)
                    return
                }
                nextHold = hold
            }
        }
        if idleStreak >= 2 {
            share = min(1, share + step)
        } else if idle < lowerBelow && share > 0 && heldUntil.map({ now >= $0 }) ?? true {
            trial = Trial(previousShare: share, previousRate: recentRate)
            share = max(0, share - step)
            // A share cut to nothing must not leave credit behind that compresses one more put.
            if share == 0 { credit = 0 }
        }
    }
}

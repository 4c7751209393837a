import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantStream

/// CPU times handed out one reading at a time: each reading is 1,000 ticks after the one before, of which the
/// share `idle` (set before the reading) were idle.
private final class ScriptedCPU: @unchecked Sendable {
    private let lock = NSLock()
    private var times = CPUTimes(busy: 50_000, idle: 50_000)
    private var queued: [Double]
    private(set) var readings = 0
    /// The idle share of the next reading once the queued ones are used up.
    var idle = 0.5 {
        didSet { lock.withLock { queued = [] } }
    }

    init(_ idleShares: [Double] = []) { queued = idleShares }

    func read() -> CPUTimes? {
        lock.withLock {
            readings += 1
            let share = queued.isEmpty ? idle : queued.removeFirst()
            let idleTicks = UInt64((share * 1000).rounded())
            times = CPUTimes(busy: times.busy + 1000 - idleTicks, idle: times.idle + idleTicks)
            return times
        }
    }
}

/// A machine whose throughput depends on the compressed share: the CPUs manage `cpu(share)` bytes a second and the
/// disk `disk(share)`; the lower of the two is the rate, and the CPUs idle (30%) only when the disk is the limit.
/// Runs `intervals` sampling intervals and returns the share after each.
private func simulate(_ governor: CompressionGovernor, _ cpu: ScriptedCPU, intervals: Int,
                      cpuRate: (Double) -> Double, diskRate: (Double) -> Double) -> [Double] {
    var now = ContinuousClock.now
    var shares: [Double] = []
    for _ in 0..<intervals {
        let share = governor.compressedShare
        let (onCPU, onDisk) = (cpuRate(share), diskRate(share))
        cpu.idle = onCPU <= onDisk ? 0.03 : 0.30
        now += governor.interval
        _ = governor.shouldCompress(bytes: Int(min(onCPU, onDisk) * 0.5), now: now)
        shares.append(governor.compressedShare)
    }
    return shares
}

/// Asks `governor` about `puts` puts spread over one sampling interval starting at `start`; counts the compressed.
private func decide(_ governor: CompressionGovernor, puts: Int, at start: ContinuousClock.Instant) -> Int {
    (0..<puts).reduce(0) { count, put in
        let now = start + governor.interval * (Double(put) / Double(puts))
        return count + (governor.shouldCompress(bytes: 500_000, now: now) ? 1 : 0)
    }
}

/// CPU work per byte grows with the share compressed (compressing costs about as much again as the rest).
private func cpuBound(_ share: Double) -> Double { 1_000_000 / (1 + 0.3 * share) }

@Suite("Write-ahead log compression governor (log_compression: auto)")
struct CompressionGovernorTests {
    @Test("the aggregate cpu line of /proc/stat is read as busy and idle ticks; anything else is refused")
    func parsesProcStat() {
        let text = "cpu  4705 356 584 3699 23 0 11 7 0 0\ncpu0 1393 280 283 1805 12 0 6 3 0 0\nintr 1\n"
        // idle = idle + iowait; busy = user + nice + system + irq + softirq + steal.
        #expect(CPUTimes.parse(procStat: text[...]) == CPUTimes(busy: 4705 + 356 + 584 + 0 + 11 + 7, idle: 3699 + 23))
        #expect(CPUTimes.parse(procStat: "cpu 1 2 3 4 5"[...]) == CPUTimes(busy: 6, idle: 9))
        for hostile in ["", "cpu", "cpu 1 2 3 4", "cpu0 1 2 3 4 5 6", "cpu 1 2 x 4 5", "cpu -1 2 3 4 5",
                        "cpu 18446744073709551615 1 0 0 0", "cpu 1 2 3 18446744073709551615 1",
                        "intr 1 2 3 4 5\ncpu 1 2 3 4 5", "cpu 1 2 3 4 99999999999999999999"] {
            #expect(CPUTimes.parse(procStat: hostile[...]) == nil, "accepted \(hostile.debugDescription)")
        }
    }

    @Test("the idle share between two readings; none when no tick passed or the counters went back")
    func idleShare() {
        let earlier = CPUTimes(busy: 100, idle: 100)
        #expect(CPUTimes(busy: 175, idle: 125).idleShare(since: earlier) == 0.25)
        #expect(CPUTimes(busy: 100, idle: 100).idleShare(since: earlier) == nil)
        #expect(CPUTimes(busy: 90, idle: 200).idleShare(since: earlier) == nil)
    }

    #if os(Linux)
    @Test("this machine's /proc/stat reads, and its counters only grow")
    func readsThisMachine() throws {
        let first = try #require(CPUTimes.current())
        Thread.sleep(forTimeInterval: 0.05)
        let second = try #require(CPUTimes.current())
        #expect(second.busy >= first.busy && second.idle >= first.idle)
    }
    #endif

    @Test("with spare CPU every put is compressed")
    func idleMachineCompresses() {
        let idle = ScriptedCPU()
        idle.idle = 0.6
        let relaxed = CompressionGovernor(step: 0.25, sampler: { idle.read() })
        var now = ContinuousClock.now
        for _ in 0..<20 {
            now += relaxed.interval
            _ = relaxed.shouldCompress(bytes: 1000, now: now)
            #expect(relaxed.compressedShare == 1)
        }
    }

    @Test("busy CPUs and a fast disk: each step down raises the rate, so the share goes down to nothing")
    func cpuBoundGoesPlain() {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(step: 0.25, sampler: { cpu.read() })
        let shares = simulate(governor, cpu, intervals: 15, cpuRate: cpuBound, diskRate: { _ in 1e12 })
        // Reading 1 sets the baseline; each step down is followed by a settling reading and two measured ones.
        #expect(shares == [1, 0.75, 0.75, 0.75, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0, 0, 0, 0, 0])
    }

    @Test("by default the share moves in halves: a CPU-bound machine on a fast disk goes plain in two steps")
    func defaultStepsAreHalves() {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(sampler: { cpu.read() })
        let shares = simulate(governor, cpu, intervals: 9, cpuRate: cpuBound, diskRate: { _ in 1e12 })
        #expect(shares == [1, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0])
    }

    @Test("a step down that lowers the rate (the disk becomes the limit) is undone and held, twice as long each time")
    func diskBoundKeepsCompressing() {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(step: 0.25, hold: .seconds(15), longestHold: .seconds(30),
                                           sampler: { cpu.read() })
        // Fully compressed the CPUs are the limit (769,231 B/s against the disk's 850,000); at 0.75 the disk is
        // (717,431 B/s), 6.7% less.
        let disk = { (share: Double) in 977_500 / (2 - 0.85 * share) }
        let shares = simulate(governor, cpu, intervals: 170, cpuRate: cpuBound, diskRate: disk)
        #expect(Array(shares[0..<4]) == [1, 0.75, 0.75, 0.75])
        // Judged at the fifth reading: back to 1 and held for 15 s (30 readings), then tried again.
        #expect(shares[4...33].allSatisfy { $0 == 1 }, "\(shares)")
        #expect(shares[34] == 0.75)
        // Undone again at reading 38, now held for 30 s (60 readings); then, at the longest hold, 30 s again.
        #expect(shares[37...96].allSatisfy { $0 == 1 }, "\(shares)")
        #expect(shares[97] == 0.75)
        #expect(shares[100...159].allSatisfy { $0 == 1 }, "\(shares)")
        #expect(shares[160] == 0.75)
    }

    @Test("where the best mix is in between, the share settles there")
    func settlesOnTheBestMix() {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(step: 0.25, hold: .seconds(15), sampler: { cpu.read() })
        // 1: CPU-bound 769,231 B/s; 0.75: CPU-bound 816,327 (better); 0.5: disk-bound 761,905 (worse than 0.75).
        let disk = { (share: Double) in 1_200_000 / (2 - 0.85 * share) }
        let shares = simulate(governor, cpu, intervals: 30, cpuRate: cpuBound, diskRate: disk)
        #expect(Array(shares[0..<8]) == [1, 0.75, 0.75, 0.75, 0.5, 0.5, 0.5, 0.75])
        #expect(shares[7...].allSatisfy { $0 == 0.75 }, "\(shares)")
    }

    @Test("idle CPUs in two readings running raise the share a step per reading; one idle reading does not")
    func idleRaises() {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(step: 0.25, sampler: { cpu.read() })
        _ = simulate(governor, cpu, intervals: 15, cpuRate: cpuBound, diskRate: { _ in 1e12 })
        #expect(governor.compressedShare == 0)
        var now = ContinuousClock.now + .seconds(60)
        var shares: [Double] = []
        for idle in [0.25, 0.05, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25] {
            cpu.idle = idle
            now += governor.interval
            _ = governor.shouldCompress(bytes: 1000, now: now)
            shares.append(governor.compressedShare)
        }
        #expect(shares == [0, 0, 0, 0.25, 0.5, 0.75, 1, 1])
    }

    @Test("the CPU times are read once per interval, not per put")
    func readsOncePerInterval() {
        let cpu = ScriptedCPU([])
        let governor = CompressionGovernor(step: 0.25, sampler: { cpu.read() })
        let start = ContinuousClock.now
        for round in 0..<4 { _ = decide(governor, puts: 1000, at: start + governor.interval * round) }
        #expect(cpu.readings == 4)
    }

    @Test("a share of puts is compressed evenly, exactly that share of every run of puts", arguments: [1, 2, 3, 4])
    func evenPicks(steps: Int) {
        let cpu = ScriptedCPU()
        let governor = CompressionGovernor(step: 0.25, sampler: { cpu.read() })
        // The first step down comes at the second reading, each further one three readings later.
        let shares = simulate(governor, cpu, intervals: 3 * steps - 1, cpuRate: cpuBound, diskRate: { _ in 1e12 })
        let share = governor.compressedShare
        #expect(share == 1 - 0.25 * Double(steps), "\(shares)")
        // 400 puts inside one interval, long after the last reading: the first samples (the step down just made
        // settles, the share stays); the 400 after it follow the share exactly.
        let start = ContinuousClock.now + .seconds(3600)
        _ = governor.shouldCompress(bytes: 0, now: start)
        let current = governor.compressedShare
        let before = governor.decisions
        var picks: [Bool] = []
        for put in 0..<400 { picks.append(governor.shouldCompress(bytes: 1000, now: start + .nanoseconds(put + 1))) }
        let after = governor.decisions
        #expect(picks.filter { $0 }.count == Int(400 * current))
        #expect(after.compressed - before.compressed == Int(400 * current))
        // Evenly: every four consecutive puts hold the share's quarters, never a burst of compressions.
        for first in stride(from: 0, to: 400, by: 4) {
            #expect(picks[first..<first + 4].filter { $0 }.count == Int(4 * current))
        }
    }

    @Test("where the CPU times cannot be read, every put is compressed")
    func unknownCPUCompresses() {
        let governor = CompressionGovernor(sampler: { nil })
        #expect(decide(governor, puts: 1000, at: .now) == 1000)
        #expect(governor.compressedShare == 1)
    }

    @Test("with the CPUs busy an auto log stores puts plainly; with them idle it compresses; both replay")
    func autoLogFollowsTheGovernor() async throws {
        for (idle, compressed) in [(0.0, false), (0.9, true)] {
            let directory = try ScratchDirectory("walauto")
            defer { directory.remove() }
            let cpu = ScriptedCPU(Array(repeating: idle, count: 64))
            // No tolerance for the rate: the wall clock between appends says nothing here, only the CPU share counts.
            let governor = CompressionGovernor(interval: .zero, tolerance: 1, sampler: { cpu.read() })
            let log = try WriteAheadLog(directory: directory.path + "/wal",
                                        options: .init(maximumBacklogBytes: 1 << 30, compression: .auto),
                                        governor: governor, onCommit: { _ in })
            var written: [String] = []
            for put in 0..<12 {
                let records = (0..<200).map { #"{"event":{"dataset":"network.flow"},"n":\#(put * 1000 + $0),"pad":"network flow record"}"# }
                written += records
                #expect(await log.append(batch(records), arrival: .zero) != .throttled)
            }
            log.close()
            let recordBytes = written.reduce(0) { $0 + $1.utf8.count }
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/wal")
                .filter { $0.hasSuffix(".wal") }
                .reduce(0) { $0 + ((try FileManager.default.attributesOfItem(atPath: directory.path + "/wal/" + $1)[.size] as? Int) ?? 0) }
            // After the first readings the share is 0 (busy) or 1 (idle): most puts follow it.
            if compressed {
                #expect(onDisk * 3 < recordBytes, "idle CPUs: \(onDisk) bytes on disk for \(recordBytes)")
            } else {
                #expect(onDisk > recordBytes / 2, "busy CPUs: \(onDisk) bytes on disk for \(recordBytes)")
            }
            let reopened = try WriteAheadLog(directory: directory.path + "/wal",
                                             options: .init(maximumBacklogBytes: 1 << 30, compression: .none),
                                             onCommit: { _ in })
            defer { reopened.close() }
            let frames = try reopened.takeReplayedFrames()
            #expect(frames.flatMap { frame in (0..<frame.records.count).map { String(decoding: frame.records[$0], as: UTF8.self) } } == written)
        }
    }
}

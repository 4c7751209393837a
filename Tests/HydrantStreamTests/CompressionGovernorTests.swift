import Foundation
import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantStream

/// CPU times handed out one reading at a time, each `idle` share of 1,000 ticks after the one before.
private final class ScriptedCPU: @unchecked Sendable {
    private let lock = NSLock()
    private var times = CPUTimes(busy: 50_000, idle: 50_000)
    private var idleShares: [Double]
    private(set) var readings = 0

    init(_ idleShares: [Double]) { self.idleShares = idleShares }

    /// The next reading; after the script ends the machine stays as it was last (nothing passes: no share).
    func read() -> CPUTimes? {
        lock.withLock {
            readings += 1
            guard !idleShares.isEmpty else { return times }
            let idle = idleShares.removeFirst()
            let idleTicks = UInt64((idle * 1000).rounded())
            times = CPUTimes(busy: times.busy + 1000 - idleTicks, idle: times.idle + idleTicks)
            return times
        }
    }
}

/// Asks `governor` about `puts` puts spread over one sampling interval starting at `start`; counts the compressed.
private func decide(_ governor: CompressionGovernor, puts: Int, at start: ContinuousClock.Instant) -> Int {
    (0..<puts).reduce(0) { count, put in
        let now = start + governor.interval * (Double(put) / Double(puts))
        return count + (governor.shouldCompress(now: now) ? 1 : 0)
    }
}

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

    @Test("busy CPUs step the compressed share down to nothing, spare CPUs step it back up, in between it holds")
    func stepsWithIdleShare() {
        // First reading only sets the baseline; each later one moves the share.
        let cpu = ScriptedCPU([0.5, 0.02, 0.02, 0.15, 0.02, 0.02, 0.05, 0.15, 0.30, 0.60, 0.10, 0.25, 0.25])
        let governor = CompressionGovernor(sampler: { cpu.read() })
        var now = ContinuousClock.now
        var shares: [Double] = []
        for _ in 0..<13 {
            _ = governor.shouldCompress(now: now)
            shares.append(governor.compressedShare)
            now += governor.interval
        }
        #expect(shares == [1, 0.75, 0.5, 0.5, 0.25, 0, 0, 0, 0.25, 0.5, 0.5, 0.75, 1])
        #expect(cpu.readings == 13)
    }

    @Test("the CPU times are read once per interval, not per put")
    func readsOncePerInterval() {
        let cpu = ScriptedCPU([])
        let governor = CompressionGovernor(sampler: { cpu.read() })
        let start = ContinuousClock.now
        for round in 0..<4 { _ = decide(governor, puts: 1000, at: start + governor.interval * round) }
        #expect(cpu.readings == 4)
    }

    @Test("a share of puts is compressed evenly, exactly that share of every run of puts", arguments: [1, 2, 3, 4])
    func evenPicks(steps: Int) {
        // Every reading after the first is busy: each lowers the share by a quarter.
        let cpu = ScriptedCPU([0.5] + Array(repeating: 0.0, count: steps))
        let governor = CompressionGovernor(sampler: { cpu.read() })
        var now = ContinuousClock.now
        for _ in 0...steps {
            _ = governor.shouldCompress(now: now)
            now += governor.interval
        }
        let share = governor.compressedShare
        #expect(share == 1 - 0.25 * Double(steps))
        // The sampling instant is past; 400 puts inside the next interval follow the share exactly.
        let before = governor.decisions
        var picks: [Bool] = []
        for put in 0..<400 { picks.append(governor.shouldCompress(now: now - .nanoseconds(400 - put))) }
        let after = governor.decisions
        #expect(picks.filter { $0 }.count == Int(400 * share))
        #expect(after.compressed - before.compressed == Int(400 * share))
        // Evenly: every four consecutive puts hold the share's quarters, never a burst of compressions.
        for start in stride(from: 0, to: 400, by: 4) {
            #expect(picks[start..<start + 4].filter { $0 }.count == Int(4 * share))
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
            let governor = CompressionGovernor(interval: .zero, sampler: { cpu.read() })
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

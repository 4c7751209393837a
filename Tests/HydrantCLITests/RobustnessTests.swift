import Foundation
import Testing

/// Every capture of tcpdump's test corpus (truncated, malformed and fuzz-found files of many link types) goes
/// through `hydrant replay` in its own process: no crash, no hang, bounded memory. `make asan` runs this suite
/// again against a binary built with AddressSanitizer, which turns any out-of-bounds read into a crash.
@Suite struct RobustnessTests {
    @Test func everyTcpdumpCaptureIsProcessedWithoutCrashHangOrMemoryGrowth() async throws {
        guard let folder = HydrantProcess.conformance("robustness/tcpdump-captures") else {
            Issue.record(Comment(rawValue: "../shared/conformance/robustness/tcpdump-captures is absent; skipped"), severity: .warning)
            return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .map { folder.appendingPathComponent($0).path }
        #expect(files.count > 800)
        let timeBound: Double = HydrantProcess.isSanitized ? 120 : 30
        let memoryBound = HydrantProcess.isSanitized ? 2_048 << 20 : 256 << 20
        // Two at a time: the machine has two cores.
        let lanes = 2
        let outcomes = try await withThrowingTaskGroup(of: [(String, HydrantProcess.Outcome)].self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var results: [(String, HydrantProcess.Outcome)] = []
                    for index in stride(from: lane, to: files.count, by: lanes) {
                        // A small flow table makes eviction part of the exercise.
                        let outcome = try HydrantProcess.run(["replay", files[index], "--output", "/dev/null", "--max-flows", "1000"],
                                                             timeout: timeBound)
                        results.append((files[index], outcome))
                    }
                    return results
                }
            }
            var all: [(String, HydrantProcess.Outcome)] = []
            for try await part in group { all += part }
            return all
        }
        #expect(outcomes.count == files.count)
        var unreadable = 0
        var decodeErrors = 0
        for (file, outcome) in outcomes {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(!outcome.timedOut, "\(name): no result within \(Int(timeBound)) s")
            #expect(outcome.signal == nil, "\(name): killed by signal \(outcome.signal ?? 0)\n\(outcome.stderr.suffix(2000))")
            #expect(outcome.exitStatus == 0 || outcome.exitStatus == 1, "\(name): exit \(String(describing: outcome.exitStatus))\n\(outcome.stderr.suffix(500))")
            #expect(outcome.peakResidentBytes < memoryBound, "\(name): peak RSS \(outcome.peakResidentBytes >> 20) MiB")
            #expect(outcome.stdout.isEmpty, "\(name): records went to stdout despite --output")
            if outcome.exitStatus == 1 {
                unreadable += 1
                #expect(outcome.stderr.contains(file), "\(name): the failure must name the file: \(outcome.stderr.prefix(300))")
            }
            if outcome.stderr.contains("decode errors:"), !outcome.stderr.contains("decode errors: 0") { decodeErrors += 1 }
            #expect(outcome.stderr.contains(" packets, "), "\(name): no summary on stderr")
        }
        print("robustness: \(files.count) captures, \(unreadable) rejected by libpcap with a reason, \(decodeErrors) with counted decode errors\(HydrantProcess.isSanitized ? " (AddressSanitizer build)" : "")")
    }
}

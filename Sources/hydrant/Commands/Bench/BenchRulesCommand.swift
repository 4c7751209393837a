import ArgumentParser
import Foundation
import HydrantDetect
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant bench rules`: detection throughput of a rule set over a JSON-lines file, on one thread.
struct BenchRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Measure rule evaluation: records/s of a rule set over JSON-lines records, and peak memory.",
        discussion: """
            Streams the input in 4 MiB chunks and evaluates each chunk's records
            with one DetectionEngine on this thread (as the record writer does).
            Reports the compile time, records/s over the time spent inside the
            engine and over the whole run (reading included), alerts raised, and
            the process's peak resident memory. Without --rules the engine has no
            rules: the cost of reading and splitting the input. The last line,
            starting with RESULT, is for scripts.

            Example:
              hydrant bench rules --rules rules/ --input records.jsonl
            """
    )

    @Option(name: .customLong("rules"), help: ArgumentHelp("Sigma rule file or directory; repeat for several.",
                                                          valueName: "path"))
    var rules: [String] = []

    @Option(help: "A JSON-lines file of records (hydrant replay -o).")
    var input: String

    @Option(help: "Read the input this many times (to lengthen a short run).")
    var passes: Int = 1

    @Flag(help: "List the rules evaluated on every record of their dataset (no index or prefilter rules them out).")
    var verbose = false

    func validate() throws {
        guard (1...1000).contains(passes) else { throw ValidationError("--passes must be 1…1000") }
    }

    func run() throws {
        let compileStarted = monotonicSeconds()
        var ruleSet = RuleSet()
        var rejected = 0
        if !rules.isEmpty {
            do {
                let (loaded, errors) = try RuleSet.load(paths: rules)
                ruleSet = loaded
                rejected = errors.count
            } catch {
                throw ValidationError("--rules: \(error)")
            }
        }
        let engine = DetectionEngine(rules: ruleSet)
        let compileSeconds = monotonicSeconds() - compileStarted
        let rssAfterCompile = peakResidentBytes()
        var alerts = 0
        var engineSeconds = 0.0
        var engineCPUSeconds = 0.0
        let started = monotonicSeconds()
        for _ in 0..<passes {
            do {
                _ = try JSONLinesFile.forEachBatch(input) { bytes, ends in
                    let before = monotonicSeconds()
                    let cpuBefore = threadCPUSeconds()
                    alerts += engine.evaluate(bytes, ends: ends).count
                    engineSeconds += monotonicSeconds() - before
                    engineCPUSeconds += threadCPUSeconds() - cpuBefore
                }
            } catch let error as InputError {
                writeStandardError("hydrant: \(error)\n")
                throw ExitCode.failure
            }
        }
        alerts += engine.finish().count
        let wallSeconds = monotonicSeconds() - started
        let records = engine.evaluatedRecords + engine.malformedRecords
        let engineRate = engineSeconds > 0 ? Double(records) / engineSeconds : 0
        let engineCPURate = engineCPUSeconds > 0 ? Double(records) / engineCPUSeconds : 0
        let conditions = engine.evaluatedRecords > 0
            ? Double(engine.evaluatedConditions) / Double(engine.evaluatedRecords) : 0
        let wallRate = wallSeconds > 0 ? Double(records) / wallSeconds : 0
        let peak = peakResidentBytes()
        var out = "hydrant bench rules: \(ruleSet.detections.count) detection rules, \(ruleSet.correlations.count) "
            + "correlations (\(rejected) rejected), compiled in \(String(format: "%.2f", compileSeconds)) s\n"
        out += "  records      \(records) (\(engine.malformedRecords) malformed), \(passes) passes\n"
        out += "  engine       \(String(format: "%.0f", engineRate)) records/s (\(String(format: "%.2f", engineSeconds)) s in evaluate)\n"
        out += "  engine CPU   \(String(format: "%.0f", engineCPURate)) records per CPU s (\(String(format: "%.2f", engineCPUSeconds)) CPU s in evaluate)\n"
        out += "  conditions   \(String(format: "%.2f", conditions)) rule conditions evaluated per record\n"
        if verbose {
            for (dataset, titles) in engine.rulesEvaluatedOnEveryRecord {
                out += "  every \(dataset.rawValue) record: \(titles.count) rules\n"
                for title in titles { out += "    \(title)\n" }
            }
        }
        out += "  overall      \(String(format: "%.0f", wallRate)) records/s (reading included, \(String(format: "%.2f", wallSeconds)) s)\n"
        out += "  alerts       \(alerts)\n"
        out += "  peak RSS     \(peak / 1_048_576) MiB (\(rssAfterCompile / 1_048_576) MiB after compiling)\n"
        out += "RESULT rules=\(ruleSet.detections.count) correlations=\(ruleSet.correlations.count) records=\(records) "
            + "engine_records_per_s=\(String(format: "%.0f", engineRate)) "
            + "engine_records_per_cpu_s=\(String(format: "%.0f", engineCPURate)) "
            + "overall_records_per_s=\(String(format: "%.0f", wallRate)) alerts=\(alerts) "
            + "peak_rss_mib=\(peak / 1_048_576) compile_s=\(String(format: "%.2f", compileSeconds))\n"
        print(out, terminator: "")
    }

    /// CPU time of this thread (the engine runs on it): on a shared machine, rates per CPU second move less with
    /// the neighbours' load than rates per wall second.
    private func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}

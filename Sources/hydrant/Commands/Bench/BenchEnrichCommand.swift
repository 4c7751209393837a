import ArgumentParser
import Foundation
import HydrantCapture
import HydrantEnrich
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant bench enrich`: enrichment throughput over generated flow records, on one thread.
struct BenchEnrichCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrich",
        abstract: "Measure enrichment: records/s of GeoIP, assets, intel and direction over flow records, and memory.",
        discussion: """
            Generates flow records in memory (seeded, half from private addresses
            inside the asset blocks to public ones, half the other way), writes
            an asset inventory of --assets /24 blocks and an intel feed of
            --indicators random IPv4 addresses into a scratch directory, and
            enriches the records in batches of 500 with one Enricher on this
            thread: first with no resources (walking and copying only), then
            direction only, then everything. Reports records/s (wall clock and
            per second of this thread's CPU time) for each, the
            time to load the tables, and the memory the intel feed took. The
            lines starting with RESULT are for scripts.

            Example:
              hydrant bench enrich --city GeoLite2-City.mmdb --asn GeoLite2-ASN.mmdb
            """
    )

    @Option(help: "A MaxMind City (or Country) database.")
    var city: String

    @Option(help: "A MaxMind ASN database.")
    var asn: String

    @Option(help: "Flow records to enrich.")
    var records: Int = 2_000_000

    @Option(help: "Asset inventory entries (/24 blocks inside 10.0.0.0/8).")
    var assets: Int = 10_000

    @Option(help: "Intel indicators (IPv4 addresses).")
    var indicators: Int = 1_000_000

    @Option(help: "Seed of the generated input.")
    var seed: UInt64 = 1

    @Option(help: "Run only this configuration: none, direction or all (to profile one).")
    var only: String?

    @Option(help: "Write each configuration's enriched records to PATH.<configuration>, to compare builds byte for byte (the rates then include the writing).")
    var output: String?

    func validate() throws {
        guard (1...100_000_000).contains(records) else { throw ValidationError("--records must be 1…100000000") }
        guard (0...65_536).contains(assets) else { throw ValidationError("--assets must be 0…65536") }
        guard (0...50_000_000).contains(indicators) else { throw ValidationError("--indicators must be 0…50000000") }
        if let only, !["none", "direction", "all"].contains(only) {
            throw ValidationError("--only must be none, direction or all")
        }
    }

    func run() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-bench-enrich-\(getpid())").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var generator = SeededGenerator(seed: seed)

        var assetText = "cidr,name,zone,owner,criticality\n"
        for index in 0..<assets { assetText += "10.\(index / 256 % 256).\(index % 256).0/24,host-\(index),dc,ops,high\n" }
        try Data(assetText.utf8).write(to: URL(fileURLWithPath: scratch + "/assets.csv"))
        var intelText = ""
        intelText.reserveCapacity(indicators * 16)
        for _ in 0..<indicators {
            let value = generator.next()
            intelText += "\(value >> 24 & 0xFF).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)\n"
        }
        try Data(intelText.utf8).write(to: URL(fileURLWithPath: scratch + "/intel.txt"))
        intelText = ""

        let batches = Self.flowBatches(records, generator: &generator)
        let inputBytes = batches.reduce(0) { $0 + $1.bytes.count }

        var out = "hydrant bench enrich: \(records) flow records (\(inputBytes / 1_048_576) MiB), \(assets) assets, "
            + "\(indicators) intel indicators\n"
        var results: [String] = []

        let rssBeforeTables = residentBytes()
        let loadStarted = monotonicSeconds()
        let everything = EnrichmentResources(
            geoIP: [try EnrichmentResources.geoIPDatabase(path: city), try EnrichmentResources.geoIPDatabase(path: asn)],
            assets: try EnrichmentResources.assetInventory(path: scratch + "/assets.csv"),
            homeNetworks: try HomeNetworks(),
            intel: try EnrichmentResources.threatIntel(sources: [IntelFeedSource(feed: "bench", path: scratch + "/intel.txt")]))
        let loadSeconds = monotonicSeconds() - loadStarted
        let tableBytes = residentBytes() - rssBeforeTables

        for (label, resources) in [
            ("none", EnrichmentResources()),
            ("direction", EnrichmentResources(homeNetworks: try HomeNetworks())),
            ("all", everything),
        ] where only == nil || only == label {
            let enricher = Enricher(resources: resources, reloadInterval: .seconds(3600))
            var bytes: [UInt8] = []
            var ends: [Int] = []
            var outputBytes = 0
            var outputFile: UnsafeMutablePointer<FILE>?
            if let output {
                guard let file = fopen(output + "." + label, "w") else {
                    throw ValidationError("cannot write \(output).\(label): \(String(cString: strerror(errno)))")
                }
                outputFile = file
            }
            let started = monotonicSeconds()
            let cpuStarted = threadCPUSeconds()
            for batch in batches {
                bytes.removeAll(keepingCapacity: true)
                ends.removeAll(keepingCapacity: true)
                enricher.enrich(batch.bytes, ends: batch.ends, into: &bytes, ends: &ends)
                outputBytes += bytes.count
                if let outputFile { _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, outputFile) } }
            }
            if let outputFile { fclose(outputFile) }
            let cpuSeconds = threadCPUSeconds() - cpuStarted
            let seconds = monotonicSeconds() - started
            let rate = Double(records) / max(seconds, 1e-9)
            let cpuRate = Double(records) / max(cpuSeconds, 1e-9)
            let statistics = enricher.statistics
            out += "  \(label.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%10.0f", rate)) records/s "
                + "(\(String(format: "%.2f", seconds)) s wall; \(String(format: "%.0f", cpuRate)) records per CPU second; "
                + "\(statistics.enriched) enriched, \(statistics.intelMatches) intel matches; \(inputBytes) → \(outputBytes) bytes)\n"
            results.append("RESULT enrich=\(label) records=\(records) records_per_s=\(String(format: "%.0f", rate)) "
                + "records_per_cpu_s=\(String(format: "%.0f", cpuRate)) "
                + "enriched=\(statistics.enriched) intel_matches=\(statistics.intelMatches)")
        }
        let perIndicator = indicators > 0 ? Double(tableBytes) / Double(indicators) : 0
        out += "  tables     loaded in \(String(format: "%.2f", loadSeconds)) s, \(tableBytes / 1_048_576) MiB resident "
            + "(\(String(format: "%.1f", perIndicator)) bytes per intel indicator, assets and GeoIP included)\n"
        out += "  peak RSS   \(peakResidentBytes() / 1_048_576) MiB\n"
        out += results.joined(separator: "\n") + "\n"
        out += "RESULT tables_load_s=\(String(format: "%.2f", loadSeconds)) bytes_per_indicator=\(String(format: "%.1f", perIndicator)) "
            + "peak_rss_mib=\(peakResidentBytes() / 1_048_576)\n"
        print(out, terminator: "")
    }

    /// Flow records as the capture agent writes them, 500 to a batch.
    private static func flowBatches(_ total: Int, generator: inout SeededGenerator) -> [(bytes: [UInt8], ends: [Int])] {
        // Public addresses inside the networks of MaxMind's test databases.
        let publics = ["81.2.69.142", "1.128.0.1", "89.160.20.112", "216.160.83.56", "2.125.160.216", "67.43.156.1",
                       "175.16.199.1", "202.196.224.1", "149.101.100.1", "12.81.92.1"]
        var batches: [(bytes: [UInt8], ends: [Int])] = []
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for index in 0..<total {
            let value = generator.next()
            let inside = "10.\(value >> 8 & 0x27).\(value & 0xFF).\(value >> 16 & 0xFF)"
            let outside = publics[Int(value >> 32 % 10) % publics.count]
            let (source, destination) = index % 2 == 0 ? (inside, outside) : (outside, inside)
            let line = #"{"@timestamp":"2024-05-01T13:45:00.000000000Z","event":{"dataset":"network.flow","action":"flow_end"},"#
                + #""source":{"ip":"\#(source)","port":\#(1024 + index % 60000),"bytes":1200,"packets":4},"#
                + #""destination":{"ip":"\#(destination)","port":443,"bytes":5400,"packets":6},"#
                + #""network":{"transport":"tcp","iana_number":6,"type":"ipv4","community_id":"1:abcdefghijklmnopqrstuvwxyz0="}}"#
            bytes.append(contentsOf: line.utf8)
            ends.append(bytes.count)
            if ends.count == 500 {
                batches.append((bytes, ends))
                bytes = []
                ends = []
            }
        }
        if !ends.isEmpty { batches.append((bytes, ends)) }
        return batches
    }

    /// CPU time this thread has used: the rate on one core, whatever else the machine runs.
    private func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    /// Current resident memory, from /proc/self/statm (0 where it is not available).
    private func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

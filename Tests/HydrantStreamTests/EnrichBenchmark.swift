import Foundation
import HydrantRecords
import Testing
@testable import HydrantStream

#if canImport(Glibc)
import Glibc
#endif

/// `bench/enrich.sh`: flow records through a stream's processing stage with GeoIP (City + ASN), 10,000 assets,
/// 1,000,000 intel indicators and direction, beside the same records with no enrichment. Runs only when
/// `HYDRANT_BENCH_ENRICH` is set (the record count, e.g. 2000000); prints records/s and peak memory.
@Suite struct EnrichBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HYDRANT_BENCH_ENRICH"] != nil))
    func enrichThroughput() async throws {
        let total = Int(ProcessInfo.processInfo.environment["HYDRANT_BENCH_ENRICH"] ?? "") ?? 2_000_000
        guard let city = conformanceDatabase("GeoLite2-City-Test.mmdb"), let asn = conformanceDatabase("GeoLite2-ASN-Test.mmdb") else {
            return
        }
        let directory = try ScratchDirectory("bench-enrich")
        defer { directory.remove() }
        var generator = SplitMix(seed: 1)
        var assets = "cidr,name,zone,owner,criticality\n"
        for index in 0..<10_000 { assets += "10.\(index / 256 % 256).\(index % 256).0/24,host-\(index),dc,ops,high\n" }
        try Data(assets.utf8).write(to: URL(fileURLWithPath: directory.path + "/assets.csv"))
        var intel = ""
        intel.reserveCapacity(16_000_000)
        for _ in 0..<1_000_000 {
            let value = generator.next()
            intel += "\(value >> 24 & 0xFF).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)\n"
        }
        try Data(intel.utf8).write(to: URL(fileURLWithPath: directory.path + "/intel.txt"))
        // Public addresses from the test databases' networks, and private ones inside the asset blocks.
        let publics = ["81.2.69.142", "1.128.0.1", "89.160.20.112", "216.160.83.56", "2.125.160.216", "67.43.156.1",
                       "175.16.199.1", "202.196.224.1", "149.101.100.1", "12.81.92.1"]
        var frames: [WALFrame] = []
        var batch = IngestBatch(reservingRecords: 500, bytes: 500 * 260)
        var bytes = 0
        for index in 0..<total {
            let value = generator.next()
            let inside = "10.\(value >> 8 & 0x27).\(value & 0xFF).\(value >> 16 & 0xFF)"
            let outside = publics[Int(value >> 32 % 10) % publics.count]
            let (source, destination) = index % 2 == 0 ? (inside, outside) : (outside, inside)
            let line = #"{"@timestamp":"2024-05-01T13:45:00.000Z","event":{"dataset":"network.flow"},"source":{"ip":"\#(source)","port":\#(1024 + index % 60000),"bytes":1200,"packets":4},"destination":{"ip":"\#(destination)","port":443,"bytes":5400,"packets":6},"network":{"transport":"tcp","community_id":"1:abcdefghijklmnopqrstuvwxyz0="}}"#
            batch.append(Array(line.utf8))
            bytes += line.utf8.count
            if batch.count == 500 {
                frames.append(WALFrame(segment: 1, firstSequence: UInt64(index), arrival: .zero, records: batch))
                batch = IngestBatch(reservingRecords: 500, bytes: 500 * 260)
            }
        }
        if !batch.isEmpty { frames.append(WALFrame(segment: 1, firstSequence: 0, arrival: .zero, records: batch)) }
        let baseline = Self.peakRSS()
        do {
            // No enrichment: what the stream does with a frame when it has no processors (wrap it for routing).
            let start = ContinuousClock.now
            var count = 0
            for chunk in stride(from: 0, to: frames.count, by: 64) {
                count += frames[chunk..<min(chunk + 64, frames.count)].map(ProcessedFrame.init).reduce(0) { $0 + $1.records.count }
            }
            print("enrich-bench no processors: \(count) records, \(Self.rate(count, ContinuousClock.now - start)) records/s")
        }
        for (label, processors) in [
            ("direction only", "[direction]"),
            ("geoip+assets+intel+direction", "[{geoip: {city: \(city), asn: \(asn)}}, {assets: {path: \(directory.path)/assets.csv}}, {intel: [{feed: bench, path: \(directory.path)/intel.txt}]}, direction]"),
        ] {
            let configuration = try streamConfiguration(in: directory, "processors: \(processors)")
            let before = Self.peakRSS()
            let loadStart = ContinuousClock.now
            let stage = try RecordProcessingStage(stream: configuration.streams[0], alerts: nil)
            let loaded = ContinuousClock.now - loadStart
            let start = ContinuousClock.now
            var count = 0
            var outBytes = 0
            for chunk in stride(from: 0, to: frames.count, by: 64) {
                let processed = await stage.process(Array(frames[chunk..<min(chunk + 64, frames.count)]))
                count += processed.reduce(0) { $0 + $1.records.count }
                outBytes += processed.reduce(0) { $0 + $1.records.byteCount }
            }
            let elapsed = ContinuousClock.now - start
            print("enrich-bench \(label): \(count) records (\(bytes) → \(outBytes) bytes), \(Self.rate(count, elapsed)) records/s, "
                + "tables loaded in \(loaded), peak RSS \(Self.peakRSS() / 1024) MiB (input frames \(baseline / 1024) MiB, "
                + "before the tables \(before / 1024) MiB)")
            #expect(count == total)
        }
    }

    private static func rate(_ count: Int, _ elapsed: Duration) -> Int {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Int(Double(count) / max(seconds, 1e-9))
    }

    /// Peak resident memory of this process, in KiB.
    private static func peakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
    }
}

/// A small deterministic generator for benchmark input.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

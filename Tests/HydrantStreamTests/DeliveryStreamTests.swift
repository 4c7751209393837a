import Foundation
import HydrantArchive
import HydrantRecords
import Testing
@testable import HydrantStream

/// The `n` of every data record line under `lake/`, with the compression extension each object had.
private func deliveredNumbers(_ directory: ScratchDirectory, excluding excluded: [String] = ["errors/", "backup/"]) throws
    -> (numbers: [Int], files: [String]) {
    var numbers: [Int] = []
    var files: [String] = []
    for (file, lines) in try objectLines(in: directory) where !excluded.contains(where: { file.hasPrefix($0) }) {
        files.append(file)
        for line in lines {
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            numbers.append(try #require(fields["n"] as? Int))
        }
    }
    return (numbers.sorted(), files)
}

/// Waits until `condition` holds, up to `seconds`.
private func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}

private func put(_ stream: DeliveryStream, _ range: Range<Int>, datasets: [String] = ["network.flow", "network.dns"],
                 size: Int = 0) async throws {
    var start = range.lowerBound
    while start < range.upperBound {
        let end = min(start + 500, range.upperBound)
        let outcomes = try await stream.put(batch((start..<end).map {
            record($0, dataset: datasets[$0 % datasets.count], padTo: size)
        }))
        #expect(outcomes.count == end - start)
        #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
        start = end
    }
}

@Suite("Delivery stream, end to end with a file destination")
struct DeliveryStreamTests {
    @Test("every record put is delivered exactly once, in gzip objects named per Firehose", arguments: ["gzip", "zstd", "none"])
    func exactlyOnce(compression: String) async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, "compression: \(compression)"))
        try await withRunningStream(stream) {
            try await put(stream, 0..<2000)
            await stream.flushAll()
        }
        let (numbers, files) = try deliveredNumbers(directory)
        #expect(numbers == Array(0..<2000))
        let suffix = compression == "gzip" ? ".json.gz" : compression == "zstd" ? ".json.zst" : ".json"
        #expect(files.count == 2)
        for file in files {
            #expect(file.hasSuffix(suffix))
            let name = (file as NSString).lastPathComponent
            #expect(name.hasPrefix("s-1-"))
            #expect(try ObjectName(stream: "s", time: .zero, uuid: String(name.dropFirst(24).prefix(36)),
                                   fileExtension: suffix).description.count == name.count)
        }
        #expect(Set(files.map { ($0 as NSString).deletingLastPathComponent })
                == ["network.flow/dt=2024-05-01/hour=13", "network.dns/dt=2024-05-01/hour=13"])
        let status = stream.status()
        #expect(status.deliveredRecords == 2000)
        #expect(status.acceptedRecords == 2000)
        #expect(status.oldestUndeliveredArrival == nil)
        // Every record was released, and the stop sealed the active segment: no log file is left.
        #expect(status.segments == 0)
        #expect(directory.files(under: "storage/s/wal").isEmpty)
    }

    @Test("a buffer reaching size_mb is delivered without waiting for the interval")
    func sizeFlush() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, """
        buffering: {size_mb: 1, interval_s: 900}
        prefix: "all/"
        """))
        try await withRunningStream(stream) {
            try await put(stream, 0..<1500, size: 1024)
            let delivered = await eventually { stream.status().deliveredObjects >= 1 }
            #expect(delivered)
            let status = stream.status()
            #expect(status.deliveredRecords >= 1000 && status.deliveredRecords < 1500)
            #expect(status.partitionCount == 1, "the rest is still buffered")
        }
        // The graceful stop delivered the rest.
        #expect(try deliveredNumbers(directory).numbers == Array(0..<1500))
    }

    @Test("a buffer is delivered interval_s after its first record")
    func intervalFlush() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, "buffering: {size_mb: 5, interval_s: 1}"))
        try await withRunningStream(stream) {
            let started = ContinuousClock.now
            try await put(stream, 0..<10)
            let delivered = await eventually(5) { stream.status().deliveredRecords == 10 }
            #expect(delivered)
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
        #expect(try deliveredNumbers(directory).numbers == Array(0..<10))
    }

    @Test("interval_s 0 delivers as soon as records are logged")
    func zeroInterval() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, "buffering: {size_mb: 5, interval_s: 0}"))
        try await withRunningStream(stream) {
            try await put(stream, 0..<10)
            #expect(await eventually(5) { stream.status().deliveredRecords == 10 })
        }
    }

    @Test("graceful stop flushes every buffer, delivers it and leaves an empty log")
    func gracefulStop() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, "buffering: {size_mb: 128, interval_s: 900}")
        let stream = try openStream(configuration)
        let runner = Task { await stream.run() }
        try await put(stream, 0..<700)
        stream.stop()
        await runner.value
        #expect(try deliveredNumbers(directory).numbers == Array(0..<700))
        let outcomes = try await stream.put(batch(["late"]))
        #expect(outcomes == [.throttled])
        #expect(directory.files(under: "storage/s/wal").isEmpty)
        // Nothing to replay on the next start.
        let reopened = try openStream(configuration)
        #expect(reopened.replayReport.records == 0)
        reopened.abandon()
    }

    @Test("after an unclean stop the log is replayed and its records delivered")
    func uncleanStop() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        // A 2 MiB backlog bound makes 256 KiB segments, so the replay spans several segments (plain frames: the
        // padded records would compress into one).
        let configuration = try streamConfiguration(in: directory, """
        buffering: {size_mb: 1, interval_s: 900}
        max_backlog_mb: 2
        log_compression: none
        """)
        let first = try openStream(configuration)
        let created = first.createdAt
        try await put(first, 0..<1200, size: 1000)
        first.abandon()  // as after kill -9: logged, never delivered
        #expect(directory.files(under: "lake").isEmpty)
        #expect(directory.files(under: "storage/s/wal").count >= 3)

        let second = try openStream(configuration)
        #expect(second.createdAt == created)
        #expect(second.replayReport.records == 1200)
        #expect(second.status().replayedRecords == 1200)
        try await withRunningStream(second) {
            try await put(second, 1200..<1300)
            await second.flushAll()
        }
        #expect(try deliveredNumbers(directory).numbers == Array(0..<1300))
    }

    @Test("source record backup writes the untransformed records")
    func sourceBackup() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, """
        processors: [deaggregate_json]
        source_record_backup: {prefix: "backup/"}
        """))
        let combined = record(1) + record(2)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([combined, record(3)]))
            await stream.flushAll()
        }
        #expect(try deliveredNumbers(directory).numbers == [1, 2, 3])
        let backup = try objectLines(in: directory, under: "backup").values.flatMap { $0 }
        #expect(backup.sorted() == [combined, record(3)].sorted())
        // Each source record was released twice (backup and data) before its segment went.
        #expect(stream.status().segments == 0)
    }

    @Test("a failing destination is retried until it recovers; nothing is lost")
    func retries() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, "prefix: \"p/\"")
        // A destination root that is a file: every put fails until it is replaced by a directory.
        let root = directory.path + "/lake"
        FileManager.default.createFile(atPath: root, contents: Data())
        let stream = try openStream(configuration, backoff: BackoffSchedule(initial: .milliseconds(10), maximum: .milliseconds(50)))
        try await withRunningStream(stream) {
            try await put(stream, 0..<50)
            let flushing = Task { await stream.flushAll() }
            #expect(await eventually(5) { stream.status().deliveryFailures >= 2 })
            #expect(stream.status().oldestUndeliveredArrival != nil)
            try FileManager.default.removeItem(atPath: root)
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: false)
            await flushing.value
        }
        #expect(try deliveredNumbers(directory).numbers == Array(0..<50))
        #expect(stream.status().oldestUndeliveredArrival == nil)
    }

    @Test("DeliveryStreams routes puts by name and refuses unknown streams")
    func streams() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory)
        let streams = try DeliveryStreams(configuration: configuration,
                                          secrets: try configuration.resolveSecrets(environment: [:]))
        #expect(streams.streamNames == ["s"])
        #expect(streams.describeStream(named: "s")?.configuration.name == "s")
        #expect(streams.describeStream(named: "nope") == nil)
        await #expect(throws: IngestError.streamNotFound("nope")) { _ = try await streams.put(batch(["x"]), toStream: "nope") }
        let runner = Task { try await streams.run() }
        let outcomes = try await streams.put(batch([record(1), record(2)]), toStream: "s")
        guard case .accepted(let first) = outcomes[0], case .accepted(let second) = outcomes[1] else {
            Issue.record("not accepted: \(outcomes)")
            return
        }
        #expect(first != second)
        #expect(streams.health().acceptingRecords)
        await streams.flushAll()
        streams.stop()
        try await runner.value
        #expect(try deliveredNumbers(directory).numbers == [1, 2])
        #expect(streams.health().acceptingRecords == false)
    }
}

@Suite("Delivery stream under concurrent load")
struct ConcurrentDeliveryTests {
    @Test("concurrent puts while buffers flush by size are each delivered exactly once")
    func concurrentPuts() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, """
        buffering: {size_mb: 1, interval_s: 1}
        compression: zstd
        """))
        try await withRunningStream(stream) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for round in 0..<10 {
                            let base = (worker * 10 + round) * 100
                            let records = (base..<(base + 100)).map { record($0, dataset: ["a", "b", "c"][$0 % 3], padTo: 700) }
                            let outcomes = try await stream.put(batch(records))
                            #expect(outcomes.allSatisfy { if case .accepted = $0 { true } else { false } })
                        }
                    }
                }
                try await group.waitForAll()
            }
            await stream.flushAll()
        }
        var numbers: [Int] = []
        for (_, lines) in try objectLines(in: directory) {
            for line in lines {
                let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                numbers.append(try #require(fields["n"] as? Int))
            }
        }
        #expect(numbers.sorted() == Array(0..<8000))
        #expect(stream.status().deliveredObjects >= 6)
    }

    @Test("a configured prefix with an empty segment is repaired rather than retried forever")
    func repairedPrefix() async throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, #"prefix: "logs//x/""#))
        try await withRunningStream(stream) {
            _ = try await stream.put(batch(["one"]))
            await stream.flushAll()
        }
        let files = directory.files(under: "lake")
        #expect(files.count == 1)
        #expect(files.first?.hasPrefix("logs/x/") == true)
        #expect(stream.status().deliveryFailures == 0)
    }
}

import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The SeaweedFS of a suite, replaceable: the outage test kills it and starts a new process on the same ports and
/// directory, and later tests use the new one.
final class SeaweedFSHolder: @unchecked Sendable {
    /// Where the server stores its data.
    let directory: String
    private let lock = NSLock()
    private var current: SeaweedFS

    /// Starts SeaweedFS storing under `directory` on fresh ports.
    init(directory: String) throws {
        self.directory = directory
        current = try SeaweedFS.start(directory: directory)
    }

    /// The running server.
    var server: SeaweedFS { lock.withLock { current } }

    /// Kills the server (SIGKILL), as a crash or a pulled cable would.
    func kill() { server.stop() }

    /// Starts the server again on the same ports and directory and waits until it accepts writes.
    func restart() throws {
        let old = server
        let restarted = try SeaweedFS.start(directory: directory, ports: old.ports)
        lock.withLock { current = restarted }
    }

    /// Stops the server for good.
    func shutdown() { server.stop() }
}

/// One real SeaweedFS for the whole suite (it takes seconds to start); tests reach it through
/// `ServeSeaweedFSScope.current`, nil when `weed` is absent.
struct ServeSeaweedFSScope: SuiteTrait, TestScoping {
    /// The suite's server.
    @TaskLocal static var current: SeaweedFSHolder?

    func provideScope(for test: Test, testCase: Test.Case?,
                      performing function: @Sendable () async throws -> Void) async throws {
        guard SeaweedFS.unavailableReason == nil else {
            try await function()
            return
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-serve-s3-\(UUID().uuidString)").path
        let holder = try SeaweedFSHolder(directory: directory)
        defer {
            holder.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await Self.$current.withValue(holder) { try await function() }
    }
}

extension Trait where Self == ServeSeaweedFSScope {
    /// Runs the suite against one real SeaweedFS.
    static var serveSeaweedFS: Self { Self() }
}

/// `hydrant serve` with an S3 destination end to end: boto3 puts records through the Firehose API, a real SeaweedFS
/// stores the objects, and boto3's S3 client reads them back.
@Suite("hydrant serve with an S3 destination", .serialized, .serveSeaweedFS)
struct ServeS3Tests {
    /// The helper script beside this file.
    static let script = HydrantProcess.packageRoot.appendingPathComponent("Tests/HydrantCLITests/Scripts/s3_serve_client.py").path

    /// Environment variables the configurations name for the S3 credentials (not the AWS defaults, so that the
    /// test proves `access_key_env`/`secret_key_env` are honoured).
    static let keyVariable = "HYDRANT_TEST_S3_KEY"
    static let secretVariable = "HYDRANT_TEST_S3_SECRET"

    /// The suite's SeaweedFS, or nil after recording why the test is skipped.
    private func seaweed() -> SeaweedFSHolder? {
        if let holder = ServeSeaweedFSScope.current { return holder }
        Issue.record(Comment(rawValue: SeaweedFS.unavailableReason ?? "SeaweedFS absent; skipped"), severity: .warning)
        return nil
    }

    /// A stream entry for hydrant.yaml delivering to `bucket` of `server`, with `extra` lines (buffering, …).
    private static func s3Stream(_ name: String, server: SeaweedFS, bucket: String, _ extra: String) -> String {
        """
          - name: \(name)
            destination:
              s3: {endpoint: "http://127.0.0.1:\(server.s3Port)", bucket: \(bucket), region: us-east-1,
                   access_key_env: \(keyVariable), secret_key_env: \(secretVariable)}
        \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// A hydrant.yaml with `streams` (entries of `streams:`), the API on `PORT` and the log under `./wal`.
    private static func config(_ streams: String...) -> String {
        """
        server:
          listen: 127.0.0.1:PORT
        storage:
          dir: ./wal
        streams:
        \(streams.joined(separator: "\n"))
        """
    }

    /// A `hydrant serve` whose S3 credentials come from the variables the configuration names.
    private static func serve(_ config: String, server: SeaweedFS) throws -> ServeHarness {
        try ServeHarness(config: config, environment: [keyVariable: server.accessKey, secretVariable: server.secretKey])
    }

    /// Runs a subcommand of the helper script; S3 calls sign with SeaweedFS's credentials.
    private static func run(_ command: String, _ arguments: [String], server: SeaweedFS? = nil) throws -> Any {
        var environment: [String: String] = [:]
        if let server {
            environment = ["AWS_ACCESS_KEY_ID": server.accessKey, "AWS_SECRET_ACCESS_KEY": server.secretKey]
        }
        let result = Python.run([script, command] + arguments, environment: environment)
        guard result.status == 0 else {
            throw ServiceProcess.Failure(description: "\(command) failed (\(result.status)): \(result.stderr.suffix(3000))")
        }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// An object read back: its lines (decompressed), ETag and stored size.
    struct StoredObject {
        var lines: [String]
        var etag: String
        var size: Int
    }

    /// Every object of `bucket`, read with boto3.
    private static func objects(_ server: SeaweedFS, bucket: String) throws -> [String: StoredObject] {
        let answer = try run("s3-objects", [server.endpoint, bucket], server: server) as? [String: [String: Any]] ?? [:]
        return answer.mapValues {
            StoredObject(lines: $0["lines"] as? [String] ?? [], etag: $0["etag"] as? String ?? "", size: $0["size"] as? Int ?? -1)
        }
    }

    /// The `id` of each JSON line, or nil for a line without one.
    private static func id(of line: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
    }

    /// Polls `bucket` until every id of `ids` is in it, up to `timeout` seconds; returns the last listing.
    private static func waitForObjects(_ server: SeaweedFS, bucket: String, ids: Set<String>,
                                       timeout: Double = 30) throws -> [String: StoredObject] {
        let deadline = Date().addingTimeInterval(timeout)
        var stored: [String: StoredObject] = [:]
        repeat {
            stored = try objects(server, bucket: bucket)
            let found = Set(stored.values.flatMap { $0.lines.compactMap(Self.id(of:)) })
            if ids.isSubset(of: found) { return stored }
            usleep(500_000)
        } while Date() < deadline
        return stored
    }

    /// `<dataset>/dt=YYYY-MM-DD/hour=HH/` then `<stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`: prefix and time.
    private static func splitKey(_ key: String, stream: String, fileExtension: String) -> (prefix: String, time: Date)? {
        let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
        let escapedExtension = NSRegularExpression.escapedPattern(for: fileExtension)
        let pattern = "^(.*/)\(NSRegularExpression.escapedPattern(for: stream))-1-"
            + "([0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2})-\(uuid)\(escapedExtension)$"
        guard let expression = try? NSRegularExpression(pattern: pattern),
              let match = expression.firstMatch(in: key, range: NSRange(key.startIndex..., in: key)),
              let prefixRange = Range(match.range(at: 1), in: key), let timeRange = Range(match.range(at: 2), in: key)
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd-HH-mm-ss"
        guard let time = formatter.date(from: String(key[timeRange])) else { return nil }
        return (String(key[prefixRange]), time)
    }

    // MARK: - Round trip

    @Test("records of several datasets and event times: keys follow the default prefix, gzip objects hold exactly the records put")
    func roundTrip() throws {
        guard let holder = seaweed() else { return }
        let server = holder.server
        let bucket = "serve-roundtrip"
        try server.inspector.createBucket(bucket)
        let stream = "s3-roundtrip"
        let serve = try Self.serve(Self.config(Self.s3Stream(stream, server: server, bucket: bucket, """
            buffering: {size_mb: 1, interval_s: 1}
            compression: gzip
            """)), server: server)
        try serve.start()
        let started = Date()
        let put = try #require(try Self.run("put-datasets", [serve.endpoint, stream]) as? [String: [String: String]])
        let finishedPutting = Date()
        #expect(put.count == 540)
        let stored = try Self.waitForObjects(server, bucket: bucket, ids: Set(put.keys))

        var found: [String: Int] = [:]
        for (key, object) in stored {
            guard let (prefix, time) = Self.splitKey(key, stream: stream, fileExtension: ".json.gz") else {
                Issue.record("key \(key) does not follow <prefix><stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>.json.gz")
                continue
            }
            // The name's time is the arrival of the object's oldest record (second precision), not the event time.
            #expect(time >= started.addingTimeInterval(-1) && time <= finishedPutting.addingTimeInterval(1),
                    "\(key): name time \(time) outside the puts (\(started)…\(finishedPutting))")
            for line in object.lines {
                guard let id = Self.id(of: line), let expected = put[id] else {
                    Issue.record("\(key) holds a line that was never put: \(line.prefix(200))")
                    continue
                }
                found[id, default: 0] += 1
                #expect(line == expected["line"], "\(key): record \(id) changed on the way")
                #expect(prefix == expected["prefix"], "record \(id) is under \(prefix), expected \(expected["prefix"] ?? "?")")
            }
        }
        let missing = Set(put.keys).subtracting(found.keys)
        #expect(missing.isEmpty, "\(missing.count) records not in the bucket\n\(serve.logs.suffix(3000))")
        #expect(found.values.allSatisfy { $0 == 1 }, "every record is stored exactly once")
        // Three datasets × three event hours, each hour's records in one object (they arrive within a second).
        let prefixes = Set(stored.keys.compactMap { Self.splitKey($0, stream: stream, fileExtension: ".json.gz")?.prefix })
        #expect(prefixes == Set(put.values.compactMap { $0["prefix"] }), "\(prefixes.sorted())")
        #expect(serve.stop(signal: SIGTERM) == 0, "\(serve.logs.suffix(3000))")
    }

    // MARK: - Multipart

    @Test("a 20 MiB object is uploaded with multipart (ETag ends -N) and holds every record")
    func multipart() throws {
        guard let holder = seaweed() else { return }
        let server = holder.server
        let bucket = "serve-multipart"
        try server.inspector.createBucket(bucket)
        let stream = "s3-multipart"
        // The interval is long and the size above what is put, so the one buffer is delivered by SIGTERM's flush,
        // however fast the client puts: one object, larger than the 16 MiB single-PUT threshold.
        let serve = try Self.serve(Self.config(Self.s3Stream(stream, server: server, bucket: bucket, """
            buffering: {size_mb: 32, interval_s: 120}
            compression: none
            """)), server: server)
        try serve.start()
        let put = try #require(try Self.run("put-large", [serve.endpoint, stream, "20"]) as? [String: Any])
        let ids = put["ids"] as? [String] ?? []
        let bytes = put["bytes"] as? Int ?? 0
        #expect(bytes >= 20 << 20)
        #expect(try server.inspector.listKeys(bucket: bucket).isEmpty, "nothing is delivered before the buffer is full or flushed")
        let status = serve.stop(signal: SIGTERM)
        #expect(status == 0, "SIGTERM flushes and exits cleanly (wait status \(status))\n\(serve.logs.suffix(3000))")

        let stored = try Self.objects(server, bucket: bucket)
        #expect(stored.count == 1, "one object: \(stored.keys.sorted())")
        for (key, object) in stored {
            #expect(Self.splitKey(key, stream: stream, fileExtension: ".json")?.prefix.hasPrefix("bulk.large/dt=") == true, "\(key)")
            #expect(object.size == bytes, "the object holds the records, one per line (\(object.size) of \(bytes) bytes)")
            #expect(object.size > 16 << 20)
            // S3's ETag of a multipart object is "<md5 of the parts' md5s>-<part count>".
            let unquoted = object.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let parts = unquoted.contains("-") ? unquoted.split(separator: "-").last.flatMap { Int($0) } : nil
            #expect((parts ?? 0) >= 2, "ETag \(object.etag) is not a multipart one")
        }
        let lines = stored.values.flatMap(\.lines)
        #expect(lines.compactMap(Self.id(of:)).sorted() == ids.sorted(), "every record, once")
        #expect(try server.inspector.pendingMultipartUploads(bucket: bucket).isEmpty, "no upload left incomplete")
    }

    // MARK: - Hostile partition keys

    @Test("hostile partition keys (../../etc, a/b, empty, 10 KB, escapes, NUL) go to the error output, to files and to S3")
    func hostilePartitionKeys() throws {
        guard let holder = seaweed() else { return }
        let server = holder.server
        let bucket = "serve-hostile"
        try server.inspector.createBucket(bucket)
        let fileStream = """
              - name: hostile-file
                buffering: {size_mb: 1, interval_s: 1}
                destination:
                  file: {root: ./lake}
            """
        let s3Stream = Self.s3Stream("hostile-s3", server: server, bucket: bucket, "buffering: {size_mb: 1, interval_s: 1}")
        let serve = try Self.serve(Self.config(fileStream, s3Stream), server: server)
        try serve.start()
        let put = try #require(try Self.run("put-hostile", [serve.endpoint, "hostile-file", "hostile-s3"]) as? [String: Any])
        let good = Set(put["good"] as? [String] ?? [])
        let bad = put["bad"] as? [String: String] ?? [:]
        #expect(good.count == 10 && bad.count == 14)

        let stored = try Self.waitForObjects(server, bucket: bucket, ids: good)
        var s3Lines: [String: [String]] = [:]
        for (key, object) in stored { s3Lines[key] = object.lines }
        // The error output is delivered as any object; wait for it too.
        let deadline = Date().addingTimeInterval(30)
        var fileLines: [String: [String]] = [:]
        var s3Errors = s3Lines
        repeat {
            fileLines = Self.fileArchive(serve.directory + "/lake")
            s3Errors = try Self.objects(server, bucket: bucket).mapValues(\.lines)
            if Self.errorRecordCount(fileLines) >= bad.count && Self.errorRecordCount(s3Errors) >= bad.count { break }
            usleep(500_000)
        } while Date() < deadline

        for (what, archive, stream) in [("file", fileLines, "hostile-file"), ("S3", s3Errors, "hostile-s3")] {
            var goodFound: [String: Int] = [:]
            var badFound: [String: Int] = [:]
            for (key, lines) in archive {
                let isError = key.hasPrefix("errors/")
                if isError {
                    #expect(key.range(of: #"^errors/partitioning-failed/dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/"# + stream + "-1-", options: .regularExpression) != nil,
                            "\(what): error object \(key)")
                } else {
                    #expect(key.hasPrefix("good.dataset/dt="), "\(what): only the good dataset makes a partition: \(key)")
                }
                for line in lines {
                    if !isError {
                        if let id = Self.id(of: line) { goodFound[id, default: 0] += 1 }
                        continue
                    }
                    guard let envelope = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                          let raw = envelope["rawData"] as? String, let decoded = Data(base64Encoded: raw) else {
                        Issue.record("\(what): \(key) holds a line that is not an error envelope: \(line.prefix(200))")
                        continue
                    }
                    let original = String(decoding: decoded, as: UTF8.self)
                    guard let id = Self.id(of: original), bad[id] == original else {
                        Issue.record("\(what): \(key) holds an error record that was never put: \(original.prefix(200))")
                        continue
                    }
                    badFound[id, default: 0] += 1
                    #expect(envelope["attemptsMade"] as? Int == 1)
                    #expect(envelope["arrivalTimestamp"] is Int && envelope["attemptEndingTimestamp"] is Int, "\(envelope)")
                    let code = envelope["errorCode"] as? String ?? ""
                    #expect(["DynamicPartitioning.InvalidPartitionKeyValue", "DynamicPartitioning.MetadataExtractionFailed"].contains(code),
                            "\(what): errorCode \(code)")
                    #expect((envelope["errorMessage"] as? String)?.isEmpty == false)
                }
            }
            #expect(goodFound.keys.sorted() == good.sorted() && goodFound.values.allSatisfy { $0 == 1 },
                    "\(what): the good records, each once")
            #expect(badFound.keys.sorted() == bad.keys.sorted() && badFound.values.allSatisfy { $0 == 1 },
                    "\(what): every hostile record in the error output once; missing: \(Set(bad.keys).subtracting(badFound.keys).map { bad[$0]?.prefix(80) ?? "" })")
        }
        // Nothing was written anywhere but the archive root and the log directory.
        let enumerator = FileManager.default.enumerator(atPath: serve.directory)
        var strays: [String] = []
        while let path = enumerator?.nextObject() as? String {
            let top = path.split(separator: "/").first.map(String.init) ?? path
            if !["lake", "wal", "hydrant.yaml"].contains(top) && !top.hasPrefix("serve-") { strays.append(path) }
        }
        #expect(strays.isEmpty, "files outside lake/ and wal/: \(strays)")
        let lakeTop = (try? FileManager.default.contentsOfDirectory(atPath: serve.directory + "/lake")) ?? []
        #expect(Set(lakeTop) == ["good.dataset", "errors"], "\(lakeTop)")
        #expect(serve.stop(signal: SIGTERM) == 0, "\(serve.logs.suffix(3000))")
    }

    /// Relative path → lines of every file under `root` (uncompressed archive).
    private static func fileArchive(_ root: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
            out[path] = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        return out
    }

    /// Lines under `errors/` in an archive listing.
    private static func errorRecordCount(_ archive: [String: [String]]) -> Int {
        archive.filter { $0.key.hasPrefix("errors/") }.reduce(0) { $0 + $1.value.count }
    }

    // MARK: - Destination outage

    /// One `GET /metrics` sample of the stream.
    struct MetricsSample {
        var time: Date
        var freshness: Double?
        var backlog: Double?
        var failures: Double?
        var throttled: Double?
    }

    /// The samples the `sample-metrics` helper wrote to `path` so far.
    private static func samples(_ path: String) -> [MetricsSample] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let time = object["t"] as? Double else { return nil }
            return MetricsSample(time: Date(timeIntervalSince1970: time), freshness: object["freshness"] as? Double,
                                 backlog: object["backlog"] as? Double, failures: object["failures"] as? Double,
                                 throttled: object["throttled"] as? Double)
        }
    }

    @Test("SeaweedFS down for 30 s during ingest: nothing lost, the backlog drains, DataFreshness rises and falls")
    func destinationOutage() throws {
        guard let holder = seaweed() else { return }
        let bucket = "serve-outage"
        try holder.server.inspector.createBucket(bucket)
        let stream = "s3-outage"
        let serve = try Self.serve(Self.config(Self.s3Stream(stream, server: holder.server, bucket: bucket, """
            buffering: {size_mb: 1, interval_s: 1}
            compression: gzip
            max_backlog_mb: 64
            """)), server: holder.server)
        try serve.start()
        let acked = serve.directory + "/acked.txt"
        let samplesPath = serve.directory + "/metrics.jsonl"
        let client = try ServiceProcess(executable: "/usr/bin/env", arguments: ["python3", Python.clientScript, "load", serve.endpoint, stream, acked],
                                        environment: ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1"],
                                        logPath: serve.directory + "/client.log")
        let sampler = try ServiceProcess(executable: "/usr/bin/env",
                                         arguments: ["python3", Self.script, "sample-metrics", serve.endpoint + "/metrics", stream, samplesPath],
                                         logPath: serve.directory + "/sampler.log")
        defer {
            client.stop(signal: SIGKILL)
            sampler.stop(signal: SIGKILL)
        }
        sleep(3)
        let killedAt = Date()
        holder.kill()
        sleep(30)
        try holder.restart()
        let restartedAt = Date()
        sleep(5)
        client.stop(signal: SIGKILL)
        let server = holder.server

        let result = try #require(try Self.run("s3-wait", [server.endpoint, bucket, acked, "90"], server: server) as? [String: Any])
        let acknowledged = result["acknowledged"] as? Int ?? 0
        let delivered = result["delivered"] as? Int ?? 0
        let duplicates = result["duplicates"] as? Int ?? 0
        let missing = result["missing"] as? Int ?? -1
        let drainedAt = Date()
        // The gauges are published every 100 ms; give the last deliveries' effect a few samples.
        let settle = Date().addingTimeInterval(15)
        while Date() < settle {
            if let last = Self.samples(samplesPath).last, let freshness = last.freshness, freshness < 3,
               last.time > drainedAt { break }
            usleep(500_000)
        }
        sampler.stop(signal: SIGKILL)
        let samples = Self.samples(samplesPath)
        let during = samples.filter { $0.time > killedAt && $0.time <= restartedAt }
        let after = samples.filter { $0.time > restartedAt }
        let peak = during.compactMap(\.freshness).max() ?? 0
        let backlogPeak = during.compactMap(\.backlog).max() ?? 0
        let recovered = after.first { ($0.freshness ?? .infinity) < 5 }
        let final = samples.last
        let failures = samples.compactMap(\.failures).max() ?? 0
        let throttled = samples.compactMap(\.throttled).max() ?? 0
        print("""
            outage test: acknowledged \(acknowledged), delivered \(delivered), duplicates \(duplicates), \
            missing \(missing), objects \(result["objects"] as? Int ?? 0); DataFreshness peak \(peak) s, back under 5 s \
            \(recovered.map { String(format: "%.1f", $0.time.timeIntervalSince(restartedAt)) } ?? "never") s after \
            SeaweedFS was writable again (final \(final?.freshness ?? -1) s); backlog peak \(Int(backlogPeak)) bytes, \
            final \(Int(final?.backlog ?? -1)); delivery failures \(Int(failures)); throttled \(Int(throttled)); \
            \(samples.count) samples
            """)

        try #require(acknowledged > 1000, "the client got records acknowledged (\(acknowledged))\n\(client.logTail())")
        #expect(missing == 0, "\(missing) acknowledged records lost, e.g. \(result["missing_sample"] ?? [])\n\(serve.logs.suffix(3000))")
        #expect(during.count >= 20, "metrics were served throughout the outage (\(during.count) samples)")
        #expect(peak > 10, "DataFreshness rose during the outage (peak \(peak) s)")
        #expect(recovered != nil, "DataFreshness fell below 5 s after the outage")
        #expect((final?.freshness ?? .infinity) < 3, "DataFreshness at the end: \(final?.freshness ?? -1)")
        #expect(failures > 0, "failed deliveries are counted in hydrant_delivery_failures_total")
        // The active segment is not released until it fills, so at most one segment (1/8 of the bound) remains.
        #expect((final?.backlog ?? .infinity) <= Double(8 << 20), "the backlog drained (final \(final?.backlog ?? -1), peak \(backlogPeak))")
        #expect(backlogPeak > (final?.backlog ?? 0), "the backlog grew during the outage")
        #expect(serve.stop(signal: SIGTERM) == 0, "\(serve.logs.suffix(3000))")
    }
}

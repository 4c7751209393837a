import Foundation
import HydrantArchive
import HydrantParquet
import HydrantRecords
import Testing
@testable import HydrantStream

/// `format: parquet` on a stream: configuration, and objects delivered by an in-process stream.
@Suite("Parquet format in the delivery stream")
struct ParquetStreamTests {
    @Test("format: parquet defaults to Snappy and Firehose's 128 MiB buffer, and objects are not compressed whole")
    func defaults() throws {
        let configuration = try load(stream("format: parquet")).streams[0]
        let format = try #require(configuration.format.parquet)
        #expect(format.compression == .snappy)
        #expect(format.rowGroupMB == 256)
        #expect(format.dictionary)
        #expect(format.declaredSchema == nil)
        #expect(configuration.compression == .none)
        #expect(configuration.buffering.sizeMB == 128)
        #expect(configuration.buffering.intervalSeconds == 300)
        #expect(try load(stream("")).streams[0].format == .jsonLines)
        #expect(try load(stream("")).streams[0].buffering.sizeMB == 5)
    }

    @Test("compression names the Parquet codec; parquet options and a declared schema are read")
    func options() throws {
        let configuration = try load(stream("""
        format: parquet
        compression: zstd
        buffering: {size_mb: 8, interval_s: 60}
        parquet: {row_group_rows: 1000, row_group_mb: 64, page_kb: 128, dictionary: false}
        schema:
          - {name: ts, type: timestamp, path: .time, required: true}
          - {name: user.name, type: string}
          - {name: tags, type: "array<string>"}
        """)).streams[0]
        let format = try #require(configuration.format.parquet)
        #expect(format.compression == .zstd())
        #expect(format.rowGroupRows == 1000)
        #expect(format.rowGroupMB == 64)
        #expect(format.pageKB == 128)
        #expect(!format.dictionary)
        #expect(configuration.buffering.sizeMB == 8)
        let schema = try #require(format.declaredSchema)
        #expect(schema.columns.map(\.name) == ["ts", "user.name", "tags"])
        #expect(schema.columns[0].path == ["time"])
        #expect(schema.columns[0].required)
        #expect(schema.columns[2].type == .list(.string))
        for codec in ["snappy", "gzip", "none"] {
            #expect(try load(stream("format: parquet\ncompression: \(codec)")).streams[0].format.parquet?.compression
                == ParquetFormat.codec(named: codec))
        }
    }

    @Test("invalid format settings are reported with their key paths")
    func invalid() {
        let cases: [(String, String)] = [
            ("format: orc", "streams[0].format"),
            ("format: parquet\ncompression: lz4", "streams[0].compression"),
            ("compression: snappy", "streams[0].compression"),
            ("parquet: {row_group_rows: 10}", "streams[0].parquet"),
            ("schema: [{name: a, type: int}]", "streams[0].schema"),
            ("format: parquet\nparquet: {page_kb: 1}", "streams[0].parquet.page_kb"),
            ("format: parquet\nparquet: {bogus: 1}", "streams[0].parquet.bogus"),
            ("format: parquet\nschema: [{name: a, type: map}]", "streams[0].schema[0].type"),
            ("format: parquet\nschema: [{name: a}]", "streams[0].schema[0].type"),
            ("format: parquet\nschema: [{name: a, type: int, path: a.b}]", "streams[0].schema[0].path"),
            ("format: parquet\nschema: [{name: a, type: int}, {name: a, type: string}]", "streams[0].schema"),
            ("format: parquet\nschema: []", "streams[0].schema"),
        ]
        for (extra, path) in cases {
            let found = errors(stream(extra))
            #expect(found.map(\.path).contains(path), "\(extra): \(found)")
        }
    }

    @Test("every generated table builds, the flow-log datasets included")
    func generatedTables() {
        #expect(StreamSchemas.buildErrors.isEmpty, "\(StreamSchemas.buildErrors)")
        #expect(Set(StreamSchemas.datasets.keys) == Set(Dataset.allCases.map(\.rawValue)))
    }

    @Test("a stream delivers .parquet objects per dataset and sends records that do not fit to format-conversion-failed")
    func delivery() async throws {
        guard StreamParquetPython.require() else { return }
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let stream = try openStream(try streamConfiguration(in: directory, "format: parquet\ncompression: zstd"))
        let bad = #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":{"port":"http"}}"#
        try await withRunningStream(stream) {
            var records = (0..<300).map { record($0, dataset: $0 % 3 == 0 ? "network.dns" : "network.flow") }
            records.insert(bad, at: 17)
            _ = try await stream.put(batch(records))
            await stream.flushAll()
        }
        let files = directory.files(under: "lake")
        let parquet = files.filter { $0.hasSuffix(".parquet") }
        #expect(parquet.count == 2, "\(files)")
        #expect(parquet.contains { $0.hasPrefix("network.flow/dt=2024-05-01/hour=13/s-") })
        #expect(parquet.contains { $0.hasPrefix("network.dns/dt=2024-05-01/hour=13/s-") })
        let counts = try StreamParquetPython.duckdb(
            "SELECT event.dataset, count(*), min(dt) FROM read_parquet('\(directory.path)/lake/*/*/*/*.parquet', "
                + "hive_partitioning = true) GROUP BY 1 ORDER BY 1")
        #expect(counts == [["network.dns", "100", "2024-05-01"], ["network.flow", "200", "2024-05-01"]])
        let errorFiles = files.filter { $0.hasPrefix("errors/format-conversion-failed/") }
        #expect(errorFiles.count == 1, "\(files)")
        let lines = try objectLines(in: directory, under: "errors")
        let envelope = try #require(lines.values.first?.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(envelope.utf8)) as? [String: Any])
        #expect(object["errorCode"] as? String == ParquetConverter.mismatchCode)
        #expect(object["errorMessage"] as? String == "source.port must be an integer, got a string")
        let rawText = try #require(object["rawData"] as? String)
        let raw = try #require(Data(base64Encoded: rawText))
        #expect(String(decoding: raw, as: UTF8.self) == bad)
        #expect(stream.status().errorOutputRecords == 1)
        #expect(stream.status().deliveredRecords == 301)
    }
}

/// DuckDB through python3, for the stream tests.
enum StreamParquetPython {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static let isAvailable: Bool = (try? run("import pyarrow, duckdb", [])) != nil

    static func require() -> Bool {
        if isAvailable { return true }
        Issue.record("python3 with pyarrow and duckdb is not installed (make test-deps); skipping", severity: .warning)
        return false
    }

    /// Rows of a DuckDB query, each value rendered with `str`.
    static func duckdb(_ sql: String) throws -> [[String]] {
        let script = #"""
        import json, sys, duckdb
        duckdb.sql("SET TimeZone = 'UTC'")
        rows = duckdb.sql(sys.argv[1]).fetchall()
        print(json.dumps([[str(v) for v in row] for row in rows]))
        """#
        return try JSONDecoder().decode([[String]].self, from: run(script, [sql]))
    }

    /// Runs `script` with `arguments`; returns its standard output.
    static func run(_ script: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 failed: " + String(decoding: errorData, as: UTF8.self))
        }
        return data
    }
}

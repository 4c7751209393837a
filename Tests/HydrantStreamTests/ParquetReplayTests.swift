import Foundation
import Testing

/// `hydrant replay captures/mixed-2k.pcap --config <yaml with format: parquet>` as a process, read back by DuckDB
/// and pyarrow and compared with the JSON-lines archive of the same replay.
@Suite("Parquet archive of a replay", .serialized)
struct ParquetReplayTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["HYDRANT_BIN"], !path.isEmpty {
            return path.hasPrefix("/") ? path : packageRoot.appendingPathComponent(path).path
        }
        let built = packageRoot.appendingPathComponent(".build/debug/hydrant").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }

    static var capture: String { packageRoot.appendingPathComponent("captures/mixed-2k.pcap").path }

    /// Replays the capture into `<dir>/lake` through one stream with `extra` settings; returns the lake path.
    static func replay(into directory: ScratchDirectory, _ extra: String) throws -> String {
        guard let binary else { throw StreamParquetPython.Failure(description: "hydrant is not built") }
        let yaml = """
        storage: {dir: \(directory.path)/storage}
        streams:
          - name: network
            buffering: {size_mb: 100, interval_s: 900}
            destination:
              file: {root: \(directory.path)/lake}
        \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
        let configPath = directory.path + "/hydrant.yaml"
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: directory.path + "/lake", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["replay", capture, "--config", configPath]
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: .seconds(180))
            kill(pid, SIGKILL)
        }
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationStatus == 0 else {
            throw StreamParquetPython.Failure(description: "hydrant replay failed: \(errorText)")
        }
        return directory.path + "/lake"
    }

    static func ready() -> Bool {
        guard binary != nil else {
            Issue.record(".build/debug/hydrant is not built; skipping", severity: .warning)
            return false
        }
        return StreamParquetPython.require()
    }

    @Test("DuckDB over the Parquet archive gives the same count and byte sum as over the JSON-lines archive")
    func sameAnswersAsJSONLines() throws {
        guard Self.ready() else { return }
        let json = try ScratchDirectory("replay-json")
        let parquet = try ScratchDirectory("replay-parquet")
        defer {
            json.remove()
            parquet.remove()
        }
        let jsonLake = try Self.replay(into: json, "")
        let parquetLake = try Self.replay(into: parquet, "format: parquet")
        #expect(!parquet.files(under: "lake").contains { $0.hasPrefix("errors/") }, "conversion failures")
        let days = try StreamParquetPython.duckdb(
            "SELECT DISTINCT CAST(dt AS VARCHAR) FROM read_parquet('\(parquetLake)/network.flow/**/*.parquet', "
                + "hive_partitioning = true) ORDER BY 1")
        let day = try #require(days.first?.first)
        let fromParquet = try StreamParquetPython.duckdb(
            "SELECT count(*), sum(source.bytes) FROM read_parquet('\(parquetLake)/network.flow/**/*.parquet', "
                + "hive_partitioning = true) WHERE dt = '\(day)'")
        let fromJSON = try StreamParquetPython.duckdb(
            "SELECT count(*), sum(source.bytes) FROM read_json_auto('\(jsonLake)/network.flow/**/*.json', "
                + "hive_partitioning = true) WHERE dt = '\(day)'")
        #expect(fromParquet == fromJSON)
        #expect(Int(fromParquet.first?.first ?? "") ?? 0 > 100)
        for dataset in ["network.dns", "network.http", "network.tls"] {
            let parquetCount = try StreamParquetPython.duckdb(
                "SELECT count(*) FROM read_parquet('\(parquetLake)/\(dataset)/**/*.parquet')")
            let jsonCount = try StreamParquetPython.duckdb(
                "SELECT count(*) FROM read_json_auto('\(jsonLake)/\(dataset)/**/*.json')")
            #expect(parquetCount == jsonCount, "\(dataset)")
        }
    }

    /// For each filter, from the footer statistics: row groups in all, row groups the statistics exclude, whether an
    /// excluded row group held a matching row (it must not), rows matching; and how many row groups pyarrow's
    /// dataset scan keeps for the same filter.
    static let pushdownScript = #"""
    import json, sys, glob
    import pyarrow as pa, pyarrow.parquet as pq, pyarrow.dataset as ds, pyarrow.compute as pc
    files = sorted(glob.glob(sys.argv[1] + "/network.flow/**/*.parquet", recursive=True))
    table = pq.ParquetDataset(files).read()
    def values(t, name):
        if name == "timestamp":
            return t.column("@timestamp").cast("int64")
        return pc.struct_field(t.column("destination"), "port")
    out = {}
    for name, column in [("timestamp", "@timestamp"), ("port", "destination.port")]:
        cut = int(pc.quantile(pc.fill_null(values(table, name), 0), q=0.9)[0].as_py())
        total = skipped = wrong = matching = 0
        for path in files:
            f = pq.ParquetFile(path)
            md = f.metadata
            index = [md.schema.column(i).path for i in range(md.num_columns)].index(column)
            for g in range(md.num_row_groups):
                total += 1
                st = md.row_group(g).column(index).statistics
                excluded = st is not None and st.has_min_max and st.max_raw <= cut
                hits = sum(1 for v in values(f.read_row_group(g), name).to_pylist() if v is not None and v > cut)
                matching += hits
                if excluded:
                    skipped += 1
                    wrong += 1 if hits else 0
        if name == "timestamp":
            expr = pc.field("@timestamp") > pc.scalar(cut).cast(pa.timestamp("ns", tz="UTC"))
        else:
            expr = pc.field(("destination", "port")) > cut
        kept = sum(len(fr.split_by_row_group(filter=expr)) for fr in ds.dataset(files, format="parquet").get_fragments())
        out[name] = {"total": total, "skipped": skipped, "wrong": wrong, "matching": matching, "kept_by_scan": kept}
    print(json.dumps(out))
    """#

    struct Pushdown: Decodable {
        var total: Int
        var skipped: Int
        var wrong: Int
        var matching: Int
        var kept_by_scan: Int
    }

    @Test("row-group statistics let readers skip row groups for selective filters on @timestamp and destination.port")
    func predicatePushdown() throws {
        guard Self.ready() else { return }
        let directory = try ScratchDirectory("replay-pushdown")
        defer { directory.remove() }
        let lake = try Self.replay(into: directory, "format: parquet\nparquet: {row_group_rows: 5}")
        let output = try StreamParquetPython.run(Self.pushdownScript, [lake])
        let result = try JSONDecoder().decode([String: Pushdown].self, from: output)
        print("pushdown: " + String(decoding: output, as: UTF8.self))
        for name in ["timestamp", "port"] {
            let pushdown = try #require(result[name])
            #expect(pushdown.total > 10, "\(name): \(pushdown)")
            #expect(pushdown.skipped > pushdown.total / 2, "\(name): \(pushdown)")
            #expect(pushdown.wrong == 0, "\(name): \(pushdown)")
            #expect(pushdown.matching > 0, "\(name): \(pushdown)")
            #expect(pushdown.kept_by_scan < pushdown.total, "\(name): \(pushdown)")
        }
    }

    @Test("every codec reads back with the flow count of the JSON-lines archive", arguments: ["snappy", "zstd", "gzip", "none"])
    func codecs(codec: String) throws {
        guard Self.ready() else { return }
        let directory = try ScratchDirectory("replay-\(codec)")
        defer { directory.remove() }
        let lake = try Self.replay(into: directory, "format: parquet\ncompression: \(codec)")
        let script = #"""
        import json, sys, glob
        import pyarrow.parquet as pq
        files = sorted(glob.glob(sys.argv[1] + "/network.flow/**/*.parquet", recursive=True))
        codecs = sorted({pq.ParquetFile(p).metadata.row_group(0).column(0).compression for p in files})
        print(json.dumps({"rows": sum(pq.ParquetFile(p).metadata.num_rows for p in files), "codecs": codecs}))
        """#
        struct Summary: Decodable { var rows: Int; var codecs: [String] }
        let summary = try JSONDecoder().decode(Summary.self, from: StreamParquetPython.run(script, [lake]))
        #expect(summary.codecs == [codec == "none" ? "UNCOMPRESSED" : codec.uppercased()])
        let duck = try StreamParquetPython.duckdb(
            "SELECT count(*) FROM read_parquet('\(lake)/network.flow/**/*.parquet')")
        #expect(duck == [[String(summary.rows)]])
        #expect(summary.rows > 100)
    }

    /// The flow columns excluded in the reduced archive: the three that other columns determine.
    static let derivable = "[network.community_id, \"@timestamp\", event.duration]"

    /// The DuckDB view docs/parquet.md gives for a reduced flow archive, read from the document itself so that the
    /// document cannot drift from what is tested; its `'lake/` path is replaced by `lake`.
    static func documentedView(lake: String) throws -> String {
        let document = try String(contentsOf: packageRoot.appendingPathComponent("docs/parquet.md"), encoding: .utf8)
        guard let start = document.range(of: "```sql\nCREATE VIEW flows AS"),
              let end = document.range(of: "```", range: start.upperBound..<document.endIndex) else {
            throw StreamParquetPython.Failure(description: "docs/parquet.md has no ```sql block with CREATE VIEW flows")
        }
        let sql = String(document[document.index(start.lowerBound, offsetBy: 7)..<end.lowerBound])
        guard sql.contains("'lake/") else {
            throw StreamParquetPython.Failure(description: "the documented view does not read 'lake/…'")
        }
        let statements = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        return statements.replacingOccurrences(of: "'lake/", with: "'\(lake)/") + (statements.hasSuffix(";") ? "" : ";")
    }

    /// Compares the full and the reduced archive's network.flow files with pyarrow: the columns only the full one
    /// has, and whether the rows agree on every other column (as multisets: file names and so order differ).
    static let compareScript = #"""
    import json, sys, glob
    import pyarrow.parquet as pq
    def read(lake, dataset):
        files = sorted(glob.glob(lake + "/" + dataset + "/**/*.parquet", recursive=True))
        return pq.ParquetDataset(files, partitioning=None).read().flatten()
    full, reduced = read(sys.argv[1], "network.flow"), read(sys.argv[2], "network.flow")
    shared = [n for n in full.column_names if n in reduced.column_names]
    order = [(n, "ascending") for n in shared]
    a, b = full.select(shared).sort_by(order), reduced.select(shared).sort_by(order)
    datasets = ["network.dns", "network.http", "network.tls"]
    same = {d: read(sys.argv[1], d).column_names == read(sys.argv[2], d).column_names for d in datasets}
    counts = {d: read(sys.argv[2], d).num_rows for d in datasets}
    print(json.dumps({"missing": [n for n in full.column_names if n not in reduced.column_names],
                      "extra": [n for n in reduced.column_names if n not in full.column_names],
                      "equal": a.equals(b) and a.schema == b.schema, "rows": [full.num_rows, reduced.num_rows],
                      "same_columns": same, "rows_of": counts}))
    """#

    struct Comparison: Decodable {
        var missing: [String]
        var extra: [String]
        var equal: Bool
        var rows: [Int]
        var same_columns: [String: Bool]
        var rows_of: [String: Int]
    }

    @Test("a flow archive without the derivable columns: pyarrow and DuckDB read every other column equal, the issue's query gives the same numbers, and the documented view recomputes the rest")
    func excludedColumns() throws {
        guard Self.ready() else { return }
        let full = try ScratchDirectory("replay-full")
        let reduced = try ScratchDirectory("replay-reduced")
        defer {
            full.remove()
            reduced.remove()
        }
        let fullLake = try Self.replay(into: full, "format: parquet\ncompression: zstd")
        let reducedLake = try Self.replay(into: reduced, """
            format: parquet
            compression: zstd
            parquet:
              exclude_columns:
                network.flow: \(Self.derivable)
            """)
        #expect(!reduced.files(under: "lake").contains { $0.hasPrefix("errors/") }, "conversion failures")

        let output = try StreamParquetPython.run(Self.compareScript, [fullLake, reducedLake])
        let comparison = try JSONDecoder().decode(Comparison.self, from: output)
        #expect(comparison.missing == ["@timestamp", "event.duration", "network.community_id"], "\(comparison)")
        #expect(comparison.extra.isEmpty)
        #expect(comparison.equal, "the shared columns differ")
        #expect(comparison.rows[0] == comparison.rows[1] && comparison.rows[0] > 100, "\(comparison.rows)")
        // The other datasets of the same stream keep their full tables.
        #expect(comparison.same_columns == ["network.dns": true, "network.http": true, "network.tls": true])
        #expect(comparison.rows_of.values.allSatisfy { $0 > 0 }, "\(comparison.rows_of)")

        // The issue's query, on both archives.
        let days = try StreamParquetPython.duckdb(
            "SELECT DISTINCT CAST(dt AS VARCHAR) FROM read_parquet('\(reducedLake)/network.flow/**/*.parquet', "
                + "hive_partitioning = true) ORDER BY 1")
        let day = try #require(days.first?.first)
        func issueQuery(_ lake: String) throws -> [[String]] {
            try StreamParquetPython.duckdb(
                "SELECT count(*), sum(source.bytes) FROM read_parquet('\(lake)/network.flow/**/*.parquet', "
                    + "hive_partitioning = true) WHERE dt = '\(day)'")
        }
        let fromReduced = try issueQuery(reducedLake)
        #expect(fromReduced == (try issueQuery(fullLake)))
        #expect(Int(fromReduced.first?.first ?? "") ?? 0 > 100)

        // The documented view gives back @timestamp and event.duration as the full archive stores them.
        let view = try Self.documentedView(lake: reducedLake)
        let columns = "\"@timestamp\", event.duration, event.start, event.end, source.ip, source.port, destination.ip, "
            + "destination.port, network.transport, dt"
        let differences = try StreamParquetPython.duckdb(view + """

            WITH f AS (SELECT \(columns) FROM read_parquet('\(fullLake)/network.flow/**/*.parquet', hive_partitioning = true)),
                 r AS (SELECT \(columns) FROM flows)
            SELECT (SELECT count(*) FROM (SELECT * FROM f EXCEPT ALL SELECT * FROM r)),
                   (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM f)),
                   (SELECT count(*) FROM r), (SELECT count(*) FROM r WHERE "@timestamp" IS NULL OR duration IS NULL)
            """)
        #expect(differences == [["0", "0", String(comparison.rows[0]), "0"]], "\(differences)")
    }
}

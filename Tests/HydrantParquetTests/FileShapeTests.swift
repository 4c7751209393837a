import Foundation
import HydrantParquet
import Testing

/// File shapes at the edges: no rows, one row, a row group per row, dictionary fallback, other sinks, and a
/// million rows with row-group statistics a reader can skip by.
@Suite struct FileShapeTests {
    static func simpleSchema() throws -> ParquetSchema {
        try ParquetSchema(fields: [
            .column("id", .int64, nullable: false),
            .column("name", .string),
            .column("score", .double),
        ])
    }

    @Test func emptyFileHasSchemaAndNoRows() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("empty.parquet")
        let writer = try ParquetFileWriter(schema: Self.simpleSchema(), path: path)
        let summary = try writer.close()
        #expect(summary.rows == 0)
        #expect(summary.rowGroups == 0)
        let dump = try PythonReader.dump(path)
        #expect(dump.metadata.num_rows == 0)
        #expect(dump.rows == ["id": [], "name": [], "score": []])
        #expect(dump.arrow_schema.contains("id: int64 not null"))
        let count = try PythonReader.duckdb(path, "SELECT count(*) FROM read_parquet('{file}')")
        #expect(count == [["0"]])
    }

    @Test func singleRow() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("one.parquet")
        let writer = try ParquetFileWriter(schema: Self.simpleSchema(), path: path)
        try writer.columns[0].append(Int64(42))
        try writer.columns[1].append("only")
        try writer.columns[2].appendNull()
        try writer.endBatch(rows: 1)
        try writer.close()
        let dump = try PythonReader.dump(path)
        #expect(dump.rows == ["id": ["42"], "name": ["\"only\""], "score": ["null"]])
        let score = dump.metadata.row_groups[0].columns[2].statistics
        #expect(score?.has_min_max == false)
        #expect(score?.null_count == 1)
    }

    @Test func rowGroupPerRow() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("groups.parquet")
        let writer = try ParquetFileWriter(
            schema: Self.simpleSchema(), options: ParquetWriterOptions(compression: .gzip(), rowGroupRows: 1),
            path: path)
        // One batch of five rows still yields five row groups: chunks close at exactly rowGroupRows.
        try writer.columns[0].append(contentsOf: [Int64](10..<15))
        try writer.columns[1].append(contentsOf: ["a", "b", nil, "d", "e"])
        try writer.columns[2].append(contentsOf: [1.5, -2.5, 0, nil, 4])
        try writer.endBatch(rows: 5)
        #expect(try writer.close().rowGroups == 5)
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["id"] == ["10", "11", "12", "13", "14"])
        #expect(dump.rows["name"] == ["\"a\"", "\"b\"", "null", "\"d\"", "\"e\""])
        #expect(dump.rows["score"] == ["1.5", "-2.5", "0.0", "null", "4.0"])
        let groups = dump.metadata.row_groups
        #expect(groups.count == 5)
        #expect(groups.map(\.num_rows) == [1, 1, 1, 1, 1])
        #expect(groups.map { $0.columns[0].statistics?.min } == ["10", "11", "12", "13", "14"])
        #expect(groups.map { $0.columns[0].statistics?.max } == ["10", "11", "12", "13", "14"])
        // A lone zero is written as min -0.0 and max +0.0.
        #expect(groups[2].columns[2].statistics?.min == "-0.0")
        #expect(groups[2].columns[2].statistics?.max == "0.0")
        #expect(groups[2].columns[1].statistics?.null_count == 1)
    }

    @Test func dictionaryFallsBackToPlain() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("fallback.parquet")
        let schema = try ParquetSchema(fields: [
            .column("unique", .string, nullable: false),
            .column("few", .string, nullable: false),
            .column("wide", .int64, nullable: false),
        ])
        let writer = try ParquetFileWriter(
            schema: schema, options: ParquetWriterOptions(pageRows: 500, dictionaryLimitBytes: 4096), path: path)
        let n = 5000
        let unique = (0..<n).map { "unique-value-\($0 * 7919 % n)" }
        let few = (0..<n).map { "few-\($0 % 5)" }
        let wide = (0..<n).map { Int64($0) * 1_000_003 }
        try writer.columns[0].append(contentsOf: unique)
        try writer.columns[1].append(contentsOf: few)
        try writer.columns[2].append(contentsOf: wide)
        try writer.endBatch(rows: n)
        try writer.close()
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["unique"] == unique.map { Canon.string($0) })
        #expect(dump.rows["few"] == few.map { Canon.string($0) })
        #expect(dump.rows["wide"] == wide.map { Canon.int($0) })
        let chunks = dump.metadata.row_groups[0].columns
        #expect(chunks[0].encodings == ["PLAIN", "RLE_DICTIONARY"])
        #expect(chunks[0].has_dictionary_page)
        #expect(chunks[0].statistics?.min == Canon.string(unique.min()))
        #expect(chunks[0].statistics?.max == Canon.string(unique.max()))
        #expect(chunks[1].encodings == ["PLAIN", "RLE_DICTIONARY"])
        #expect(chunks[2].statistics?.max == Canon.int(wide.max()))
        // The same data with the dictionary off: PLAIN only, no dictionary page, and a larger `unique` column
        // would not be smaller; values are still identical.
        let plainPath = dir.file("plain.parquet")
        let plain = try ParquetFileWriter(
            schema: schema, options: ParquetWriterOptions(dictionaryLimitBytes: 0), path: plainPath)
        try plain.columns[0].append(contentsOf: unique)
        try plain.columns[1].append(contentsOf: few)
        try plain.columns[2].append(contentsOf: wide)
        try plain.endBatch(rows: n)
        try plain.close()
        let plainDump = try PythonReader.dump(plainPath)
        #expect(plainDump.rows == dump.rows)
        #expect(plainDump.metadata.row_groups[0].columns.map(\.encodings) == [["PLAIN"], ["PLAIN"], ["PLAIN"]])
        #expect(plainDump.metadata.row_groups[0].columns.allSatisfy { !$0.has_dictionary_page })
    }

    @Test func memoryAndDescriptorSinksProduceTheSameFile() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        func fill(_ writer: ParquetFileWriter) throws {
            try writer.columns[0].append(contentsOf: [Int64](0..<100))
            try writer.columns[1].append(contentsOf: (0..<100).map { $0 % 3 == 0 ? nil : "n\($0)" })
            try writer.columns[2].append(contentsOf: (0..<100).map { Double($0) / 3 })
            try writer.endBatch(rows: 100)
            try writer.close()
        }
        let memory = ParquetMemorySink()
        try fill(ParquetFileWriter(schema: Self.simpleSchema(), sink: memory))
        let descriptorPath = dir.file("fd.parquet")
        let fd = open(descriptorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        try fill(ParquetFileWriter(
            schema: Self.simpleSchema(), sink: ParquetFileSink(fileDescriptor: fd, closeOnFinish: true)))
        let fromDescriptor = try Data(contentsOf: URL(fileURLWithPath: descriptorPath))
        #expect(Array(fromDescriptor) == memory.bytes)
        #expect(memory.bytes.prefix(4) == Array("PAR1".utf8)[...])
        #expect(memory.bytes.suffix(4) == Array("PAR1".utf8)[...])
        let dump = try PythonReader.dump(descriptorPath)
        #expect(dump.rows["score"] == (0..<100).map { Canon.double(Double($0) / 3) })
    }

    @Test func millionRowsWithSkippableRowGroups() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("million.parquet")
        let schema = try ParquetSchema(fields: [
            .column("@timestamp", .timestampNanos, nullable: false),
            .group("destination", [.column("port", .int(bitWidth: 16, signed: false))]),
            .column("id", .int64, nullable: false),
            .column("host", .string),
            .column("bytes", .double),
        ])
        let n = 1_000_000
        let batch = 65_536
        let base: Int64 = 1_750_000_000_000_000_000
        let writer = try ParquetFileWriter(
            schema: schema, options: ParquetWriterOptions(compression: .zstd(), rowGroupRows: 100_000), path: path)
        var ids = [Int64](), timestamps = [Int64](), ports = [UInt32?](), hosts = [String?](), bytes = [Double]()
        var start = 0
        var portSum = 0
        var nullHosts = 0
        while start < n {
            let end = min(start + batch, n)
            ids.removeAll(keepingCapacity: true)
            timestamps.removeAll(keepingCapacity: true)
            ports.removeAll(keepingCapacity: true)
            hosts.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
            for i in start..<end {
                ids.append(Int64(i))
                timestamps.append(base + Int64(i) * 1_000_000)
                let port: UInt32? = i % 10 == 9 ? nil : UInt32(i % 1000 == 0 ? 443 : 1024 + i % 60000)
                ports.append(port)
                portSum += Int(port ?? 0)
                let host: String? = i % 17 == 0 ? nil : "host-\(i % 1000)"
                if host == nil { nullHosts += 1 }
                hosts.append(host)
                bytes.append(Double(i % 5000))
            }
            try writer.columns[0].append(contentsOf: timestamps)
            try writer.columns[1].append(contentsOf: ports)
            try writer.columns[2].append(contentsOf: ids)
            try writer.columns[3].append(contentsOf: hosts)
            try writer.columns[4].append(contentsOf: bytes)
            try writer.endBatch(rows: end - start)
            start = end
        }
        let summary = try writer.close()
        #expect(summary.rows == Int64(n))
        #expect(summary.rowGroups == 10)

        let totals = try PythonReader.duckdb(path, """
            SELECT count(*), sum(id), min("@timestamp" IS NOT NULL), sum(destination.port), count(host),
                   count(DISTINCT host), sum(bytes)
            FROM read_parquet('{file}')
            """)
        let bytesSum = (0..<n).reduce(0.0) { $0 + Double($1 % 5000) }
        #expect(totals == [["1000000", Canon.int(n * (n - 1) / 2), "true", Canon.int(portSum),
                            Canon.int(n - nullHosts), "1000", Canon.double(bytesSum)]])
        let selective = try PythonReader.duckdb(path, """
            SELECT count(*), min(id), max(id) FROM read_parquet('{file}')
            WHERE epoch_ns("@timestamp") >= \(base + 500_000 * 1_000_000)
              AND epoch_ns("@timestamp") < \(base + 500_010 * 1_000_000) AND destination.port IS NOT NULL
            """)
        #expect(selective == [["9", "500000", "500008"]])
        // Row-group statistics on @timestamp are disjoint ranges, so a filter like the one above can skip all
        // row groups but one.
        let meta = try PythonReader.metadata(path)
        #expect(meta.num_row_groups == 10)
        for (g, group) in meta.row_groups.enumerated() {
            let ts = group.columns[0].statistics
            #expect(ts?.min == Canon.int(base + Int64(g * 100_000) * 1_000_000))
            #expect(ts?.max == Canon.int(base + Int64(g * 100_000 + 99_999) * 1_000_000))
            #expect(group.columns[1].statistics?.min == "443")
            #expect(group.columns[1].statistics?.null_count == 10_000)
        }
        let groupsMatching = meta.row_groups.filter { group in
            guard let lo = group.columns[0].statistics?.min.flatMap(Int64.init),
                  let hi = group.columns[0].statistics?.max.flatMap(Int64.init) else { return true }
            return hi >= base + 500_000 * 1_000_000 && lo < base + 500_010 * 1_000_000
        }
        #expect(groupsMatching.count == 1)
        // The size target: no more than 1.1 times what pyarrow writes for the same table.
        let sizes = try PythonReader.pyarrowRewriteSizes(path, codec: "zstd", rowGroupRows: 100_000)
        #expect(Double(sizes.ours) <= 1.1 * Double(sizes.pyarrow), "ours \(sizes.ours) B, pyarrow \(sizes.pyarrow) B")
    }
}

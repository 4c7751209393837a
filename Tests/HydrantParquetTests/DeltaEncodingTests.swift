import Foundation
import HydrantParquet
import Testing

/// DELTA_BINARY_PACKED pages (`deltaIntegers`) and the adaptive dictionary, read back by pyarrow and DuckDB.
@Suite struct DeltaEncodingTests {
    static let schema: ParquetSchema = {
        do {
            return try ParquetSchema(fields: [
                .column("i64", .int64),
                .column("i32", .int32),
                .column("u64", .int(bitWidth: 64, signed: false)),
                .column("ts", .timestampNanos, nullable: false),
            ])
        } catch {
            fatalError("test schema rejected: \(error)")
        }
    }()

    /// Values that stress the encoding: extremes next to each other (deltas that wrap and need the full width),
    /// descending runs (negative deltas), a constant run (width 0), and noise.
    static func values(_ n: Int) -> (i64: [Int64?], i32: [Int32?], u64: [UInt64?], ts: [Int64]) {
        var i64: [Int64?] = []
        var i32: [Int32?] = []
        var u64: [UInt64?] = []
        var ts: [Int64] = []
        var state: UInt64 = 0x1234_5678
        for i in 0..<n {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Int64(bitPattern: state >> 11)
            switch i % 10 {
            case 0: i64.append(Int64.min); i32.append(Int32.max); u64.append(UInt64.max)
            case 1: i64.append(Int64.max); i32.append(Int32.min); u64.append(0)
            case 2: i64.append(nil); i32.append(nil); u64.append(nil)
            case 3, 4: i64.append(Int64(1000 - i)); i32.append(Int32(-i)); u64.append(UInt64(n - i))
            case 5: i64.append(noise); i32.append(Int32(truncatingIfNeeded: noise)); u64.append(UInt64(bitPattern: noise))
            default: i64.append(7); i32.append(7); u64.append(7)
            }
            ts.append(1_704_067_200_000_000_000 + Int64(i) * 1_003_117 - (i % 3 == 0 ? 900_000 : 0))
        }
        return (i64, i32, u64, ts)
    }

    static func write(_ n: Int, to path: String, options: ParquetWriterOptions) throws {
        let v = values(n)
        let writer = try ParquetFileWriter(schema: schema, options: options, path: path)
        try writer.columns[0].append(contentsOf: v.i64)
        try writer.columns[1].append(contentsOf: v.i32)
        try writer.columns[2].append(contentsOf: v.u64)
        try writer.columns[3].append(contentsOf: v.ts)
        try writer.endBatch(rows: n)
        try writer.close()
    }

    /// Counts around the block (128) and miniblock (32) sizes: one value, partial miniblocks (padding), exact
    /// blocks, and several pages.
    @Test(arguments: [1, 2, 31, 32, 33, 127, 128, 129, 1000])
    func roundTripsThroughPyarrowAndDuckDB(count n: Int) throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("delta.parquet")
        // Dictionary off: every page is delta-encoded; small pages put several in one chunk.
        try Self.write(n, to: path, options: ParquetWriterOptions(
            compression: .zstd(), pageRows: 300, dictionaryLimitBytes: 0, deltaIntegers: true))
        let v = Self.values(n)
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["i64"] == v.i64.map { Canon.int($0) })
        #expect(dump.rows["i32"] == v.i32.map { Canon.int($0) })
        #expect(dump.rows["u64"] == v.u64.map { Canon.int($0) })
        #expect(dump.rows["ts"] == v.ts.map { Canon.int($0) })
        let chunks = dump.metadata.row_groups[0].columns
        let present = v.i64.contains { $0 != nil }
        #expect(chunks[0].encodings == (present ? ["RLE", "DELTA_BINARY_PACKED"] : ["PLAIN", "RLE"]))
        #expect(chunks[3].encodings == ["DELTA_BINARY_PACKED"])
        #expect(chunks.allSatisfy { !$0.has_dictionary_page })
        // Statistics are those of the values, whatever the encoding.
        #expect(chunks[0].statistics?.min == Canon.int(v.i64.compactMap { $0 }.min()))
        #expect(chunks[0].statistics?.max == Canon.int(v.i64.compactMap { $0 }.max()))
        #expect(chunks[2].statistics?.max == Canon.int(v.u64.compactMap { $0 }.max()))
        #expect(chunks[3].statistics?.min == Canon.int(v.ts.min()))

        // DuckDB decodes the same values (its own Parquet reader, not Arrow's).
        let rows = try PythonReader.duckdb(path, """
            SELECT i64, i32, u64, epoch_ns(ts) FROM read_parquet('{file}')
            """)
        #expect(rows.count == n)
        for (i, row) in rows.enumerated() where row.count == 4 {
            #expect(row == [Canon.int(v.i64[i]), Canon.int(v.i32[i]), Canon.int(v.u64[i]), Canon.int(v.ts[i])],
                    "row \(i)")
        }
    }

    @Test func smallerThanPlainForTimestamps() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let schema = try ParquetSchema(fields: [.column("ts", .timestampNanos, nullable: false)])
        let ts = Self.values(20_000).ts
        func write(_ path: String, delta: Bool) throws -> Int {
            let writer = try ParquetFileWriter(schema: schema, options: ParquetWriterOptions(
                compression: .none, dictionaryLimitBytes: 0, deltaIntegers: delta), path: path)
            try writer.columns[0].append(contentsOf: ts)
            try writer.endBatch(rows: ts.count)
            try writer.close()
            return try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
        }
        let deltaSize = try write(dir.file("delta.parquet"), delta: true)
        let plainSize = try write(dir.file("plain.parquet"), delta: false)
        // Steps of about a millisecond in nanoseconds: about 21 bits per value instead of 64.
        #expect(deltaSize > 0 && deltaSize < plainSize / 2, "delta \(deltaSize) B vs plain \(plainSize) B")
        let dump = try PythonReader.dump(dir.file("delta.parquet"))
        #expect(dump.rows["ts"] == ts.map { Canon.int($0) })
    }

    /// With `adaptiveDictionary`, a column whose first page is mostly distinct values gives its dictionary up;
    /// one with few values keeps it. A dictionary outgrowing its limit later falls back to DELTA for integers.
    @Test func adaptiveDictionaryGivesUpOnDistinctValues() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("adaptive.parquet")
        let schema = try ParquetSchema(fields: [
            .column("unique", .int64, nullable: false),
            .column("few", .int64, nullable: false),
            .column("text", .string),
            .column("grows", .int64, nullable: false),
        ])
        let writer = try ParquetFileWriter(schema: schema, options: ParquetWriterOptions(
            pageRows: 1000, dictionaryLimitBytes: 2048, deltaIntegers: true, adaptiveDictionary: true), path: path)
        let n = 5000
        let unique = (0..<n).map { Int64($0) * 7_919 % 100_003 - 50_000 }
        let few = (0..<n).map { Int64($0 % 4) * 1_000_000_000 }
        let text: [String?] = (0..<n).map { $0 % 5 == 0 ? nil : "id-\($0)" }
        // Repeats within the first page (kept), then new values outgrow the 2 KiB dictionary (fallback).
        let grows = (0..<n).map { Int64($0 < 1000 ? $0 % 100 : $0) }
        try writer.columns[0].append(contentsOf: unique)
        try writer.columns[1].append(contentsOf: few)
        try writer.columns[2].append(contentsOf: text)
        try writer.columns[3].append(contentsOf: grows)
        try writer.endBatch(rows: n)
        try writer.close()
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["unique"] == unique.map { Canon.int($0) })
        #expect(dump.rows["few"] == few.map { Canon.int($0) })
        #expect(dump.rows["text"] == text.map { Canon.string($0) })
        #expect(dump.rows["grows"] == grows.map { Canon.int($0) })
        let chunks = dump.metadata.row_groups[0].columns
        #expect(chunks[0].encodings == ["DELTA_BINARY_PACKED"])
        #expect(!chunks[0].has_dictionary_page)
        #expect(chunks[0].statistics?.min == Canon.int(unique.min()))
        #expect(chunks[0].statistics?.max == Canon.int(unique.max()))
        #expect(chunks[1].encodings == ["PLAIN", "RLE_DICTIONARY"])
        #expect(chunks[1].has_dictionary_page)
        #expect(chunks[2].encodings == ["PLAIN", "RLE"])
        #expect(!chunks[2].has_dictionary_page)
        #expect(chunks[2].statistics?.min == Canon.string(text.compactMap { $0 }.min()))
        #expect(chunks[2].statistics?.max == Canon.string(text.compactMap { $0 }.max()))
        #expect(chunks[2].statistics?.null_count == text.filter { $0 == nil }.count)
        #expect(chunks[3].encodings == ["PLAIN", "DELTA_BINARY_PACKED", "RLE_DICTIONARY"])
        #expect(chunks[3].has_dictionary_page)
        let sums = try PythonReader.duckdb(path, "SELECT sum(\"unique\"), sum(grows), count(text) FROM read_parquet('{file}')")
        #expect(sums == [[Canon.int(unique.reduce(0, +)), Canon.int(grows.reduce(0, +)),
                          Canon.int(text.compactMap { $0 }.count)]])
    }
}

import Foundation
import HydrantParquet
import Testing

/// Every primitive column type, nullable and required, through every codec, read back by pyarrow.
@Suite struct PrimitiveRoundTripTests {
    static let rowCount = 300

    /// Deterministic test data: row `i` of every column, nil where the nullable columns have a null.
    struct Row {
        var flag: Bool?
        var i32: Int32
        var i64: Int64?
        var i8: Int32?
        var u8: UInt32?
        var i16: Int32?
        var u16: UInt32?
        var i32a: Int32?
        var u32: UInt32?
        var i64a: Int64?
        var u64: UInt64?
        var real: Double?
        var text: String?
        var blob: [UInt8]?
        var fixed: [UInt8]?
        var ts: Int64

        init(_ i: Int) {
            let nullable = i % 7 == 3
            flag = nullable ? nil : i % 3 == 0
            i32 = i == 0 ? Int32.min : (i == 1 ? Int32.max : Int32(i * 1000 - 77))
            i64 = nullable ? nil : (i == 2 ? Int64.min : Int64(i) * 1_000_000_007)
            i8 = nullable ? nil : Int32(i % 256 - 128)
            u8 = nullable ? nil : UInt32(i % 256)
            i16 = nullable ? nil : Int32(i * 200 % 65536 - 32768)
            u16 = nullable ? nil : UInt32(i * 211 % 65536)
            i32a = nullable ? nil : Int32(-i * 3)
            // Values above Int32.max check that unsigned statistics are ordered as unsigned.
            u32 = nullable ? nil : (i == 5 ? UInt32.max : UInt32(i) * 7)
            i64a = nullable ? nil : Int64(i) - 150
            u64 = nullable ? nil : (i == 6 ? UInt64.max : UInt64(i) * 3)
            real = nullable ? nil : (i == 8 ? -0.0 : (i == 9 ? 1.7976931348623157e+308 : Double(i) * 0.25 - 20))
            text = nullable ? nil : "value-\(i % 40)-ü"
            blob = nullable ? nil : (i == 10 ? [] : [UInt8(i % 256), 0, 0xFF])
            fixed = nullable ? nil : [UInt8(i % 256), UInt8((i * 3) % 256), 0xAB, 0x01]
            ts = 1_700_000_000_000_000_000 + Int64(i) * 1_000_123
        }
    }

    static let schema: ParquetSchema = {
        do {
            return try ParquetSchema(fields: [
                .column("flag", .boolean),
                .column("i32", .int32, nullable: false),
                .column("i64", .int64),
                .column("i8", .int(bitWidth: 8, signed: true)),
                .column("u8", .int(bitWidth: 8, signed: false)),
                .column("i16", .int(bitWidth: 16, signed: true)),
                .column("u16", .int(bitWidth: 16, signed: false)),
                .column("i32a", .int(bitWidth: 32, signed: true)),
                .column("u32", .int(bitWidth: 32, signed: false)),
                .column("i64a", .int(bitWidth: 64, signed: true)),
                .column("u64", .int(bitWidth: 64, signed: false)),
                .column("real", .double),
                .column("text", .string),
                .column("blob", .binary),
                .column("fixed", .fixedLenByteArray(4)),
                .column("ts", .timestampNanos, nullable: false),
            ])
        } catch {
            fatalError("test schema rejected: \(error)")
        }
    }()

    static func write(to path: String, options: ParquetWriterOptions, rows: [Row]) throws {
        let writer = try ParquetFileWriter(schema: schema, options: options, path: path)
        let c = writer.columns
        // Column-major, in two batches, to exercise batch commits.
        for batch in [rows[..<(rows.count / 2)], rows[(rows.count / 2)...]] {
            try c[0].append(contentsOf: batch.map(\.flag))
            try c[1].append(contentsOf: batch.map(\.i32))
            try c[2].append(contentsOf: batch.map(\.i64))
            try c[3].append(contentsOf: batch.map(\.i8))
            try c[4].append(contentsOf: batch.map(\.u8))
            try c[5].append(contentsOf: batch.map(\.i16))
            try c[6].append(contentsOf: batch.map(\.u16))
            try c[7].append(contentsOf: batch.map(\.i32a))
            try c[8].append(contentsOf: batch.map(\.u32))
            try c[9].append(contentsOf: batch.map(\.i64a))
            try c[10].append(contentsOf: batch.map(\.u64))
            try c[11].append(contentsOf: batch.map(\.real))
            try c[12].append(contentsOf: batch.map(\.text))
            for row in batch {
                if let blob = row.blob { try c[13].append(bytes: blob) } else { try c[13].appendNull() }
                if let fixed = row.fixed { try c[14].append(bytes: fixed) } else { try c[14].appendNull() }
            }
            try c[15].append(contentsOf: batch.map(\.ts))
            try writer.endBatch(rows: batch.count)
        }
        let summary = try writer.close()
        #expect(summary.rows == Int64(rows.count))
    }

    static func expected(_ rows: [Row]) -> [String: [String]] {
        [
            "flag": rows.map { Canon.bool($0.flag) },
            "i32": rows.map { Canon.int($0.i32) },
            "i64": rows.map { Canon.int($0.i64) },
            "i8": rows.map { Canon.int($0.i8) },
            "u8": rows.map { Canon.int($0.u8) },
            "i16": rows.map { Canon.int($0.i16) },
            "u16": rows.map { Canon.int($0.u16) },
            "i32a": rows.map { Canon.int($0.i32a) },
            "u32": rows.map { Canon.int($0.u32) },
            "i64a": rows.map { Canon.int($0.i64a) },
            "u64": rows.map { Canon.int($0.u64) },
            "real": rows.map { Canon.double($0.real) },
            "text": rows.map { Canon.string($0.text) },
            "blob": rows.map { Canon.bytes($0.blob) },
            "fixed": rows.map { Canon.bytes($0.fixed) },
            "ts": rows.map { Canon.int($0.ts) },
        ]
    }

    static let compressions: [ParquetCompression] = [.none, .snappy, .gzip(), .zstd(), .zstd(level: 9)]

    @Test(arguments: compressions)
    func roundTripsEveryTypeAndCodec(compression: ParquetCompression) throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rows = (0..<Self.rowCount).map(Row.init)
        let path = dir.file("types.parquet")
        let options = ParquetWriterOptions(
            compression: compression, keyValueMetadata: [ParquetKeyValue("hydrant.schema", "test/1")])
        try Self.write(to: path, options: options, rows: rows)

        let dump = try PythonReader.dump(path)
        let expected = Self.expected(rows)
        #expect(dump.rows.keys.sorted() == expected.keys.sorted())
        for (name, values) in expected {
            #expect(dump.rows[name] == values, "column \(name)")
        }
        let meta = dump.metadata
        #expect(meta.num_rows == rows.count)
        #expect(meta.created_by == ParquetWriterOptions.defaultCreatedBy)
        #expect(meta.key_value["hydrant.schema"] == "test/1")
        for chunk in meta.row_groups.flatMap(\.columns) {
            #expect(chunk.compression == compression.description, "codec of \(chunk.path)")
        }
        // Logical types and their legacy converted types.
        let byPath = Dictionary(uniqueKeysWithValues: meta.columns.map { ($0.path, $0) })
        #expect(byPath["u8"]?.converted_type == "UINT_8")
        #expect(byPath["u8"]?.logical_type.contains("bitWidth=8, isSigned=false") == true)
        #expect(byPath["i16"]?.converted_type == "INT_16")
        #expect(byPath["text"]?.converted_type == "UTF8")
        #expect(byPath["text"]?.logical_type == "String")
        #expect(byPath["ts"]?.logical_type.contains("isAdjustedToUTC=true, timeUnit=nanoseconds") == true)
        #expect(byPath["fixed"]?.physical_type == "FIXED_LEN_BYTE_ARRAY")
        #expect(byPath["i32"]?.max_definition_level == 0)
        #expect(byPath["i64"]?.max_definition_level == 1)
        #expect(dump.arrow_schema.contains("u64: uint64"))
        #expect(dump.arrow_schema.contains("i8: int8"))
    }

    @Test func statisticsFollowTypeDefinedOrder() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let rows = (0..<Self.rowCount).map(Row.init)
        let path = dir.file("stats.parquet")
        try Self.write(to: path, options: ParquetWriterOptions(), rows: rows)
        let meta = try PythonReader.metadata(path)
        #expect(meta.num_row_groups == 1)
        let chunks = Dictionary(uniqueKeysWithValues: meta.row_groups[0].columns.map { ($0.path, $0) })

        func check<T: Comparable>(_ name: String, _ values: [T?], render: (T) -> String) {
            let present = values.compactMap { $0 }
            let stats = chunks[name]?.statistics
            #expect(stats?.null_count == values.count - present.count, "null_count of \(name)")
            #expect(stats?.has_min_max == true, "min/max of \(name)")
            #expect(stats?.min == present.min().map(render), "min of \(name)")
            #expect(stats?.max == present.max().map(render), "max of \(name)")
        }
        check("i32", rows.map(\.i32), render: { Canon.int($0) })
        check("i64", rows.map(\.i64), render: { Canon.int($0) })
        check("i8", rows.map(\.i8), render: { Canon.int($0) })
        check("u8", rows.map(\.u8), render: { Canon.int($0) })
        check("u32", rows.map(\.u32), render: { Canon.int($0) })
        check("u64", rows.map(\.u64), render: { Canon.int($0) })
        check("i64a", rows.map(\.i64a), render: { Canon.int($0) })
        check("ts", rows.map(\.ts), render: { Canon.int($0) })
        check("text", rows.map(\.text), render: { Canon.string($0) })
        check("blob", rows.map { $0.blob.map(ByteString.init) }, render: { Canon.bytes($0.bytes) })
        check("fixed", rows.map { $0.fixed.map(ByteString.init) }, render: { Canon.bytes($0.bytes) })
        // DOUBLE: the maximum is the largest finite value; zero minima would be written as -0.0.
        let reals = rows.compactMap(\.real)
        #expect(chunks["real"]?.statistics?.max == Canon.double(reals.max()))
        #expect(chunks["real"]?.statistics?.min == Canon.double(reals.min()))
        let flags = rows.compactMap(\.flag)
        #expect(chunks["flag"]?.statistics?.min == "false")
        #expect(chunks["flag"]?.statistics?.max == "true")
        #expect(chunks["flag"]?.statistics?.null_count == rows.count - flags.count)
        // Claimed encodings: dictionary pages for low-cardinality text, PLAIN pages for booleans.
        #expect(chunks["text"]?.encodings == ["PLAIN", "RLE", "RLE_DICTIONARY"])
        #expect(chunks["text"]?.has_dictionary_page == true)
        #expect(chunks["flag"]?.encodings == ["PLAIN", "RLE"])
        #expect(chunks["flag"]?.has_dictionary_page == false)
        #expect(chunks["i32"]?.encodings == ["PLAIN", "RLE_DICTIONARY"])
    }
}

/// Bytes in unsigned lexicographic order, the order Parquet defines for byte arrays.
struct ByteString: Comparable {
    var bytes: [UInt8]

    static func < (lhs: ByteString, rhs: ByteString) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}

import HydrantParquet
import Testing

/// Schemas and values a writer must refuse with a precise error, and odd-but-valid input it must accept.
@Suite struct HostileInputTests {
    @Test func schemaWithoutColumnsIsRejected() {
        #expect(throws: ParquetSchemaError.noColumns) { try ParquetSchema(fields: []) }
        #expect(throws: ParquetSchemaError.emptyGroup("source")) {
            try ParquetSchema(fields: [.group("source", [])])
        }
    }

    @Test func duplicateNamesAreRejectedPerLevel() throws {
        #expect(throws: ParquetSchemaError.duplicateName("a", parent: nil)) {
            try ParquetSchema(fields: [.column("a", .int64), .column("b", .string), .list("a", of: .string)])
        }
        #expect(throws: ParquetSchemaError.duplicateName("ip", parent: "source")) {
            try ParquetSchema(fields: [.group("source", [.column("ip", .string), .column("ip", .int32)])])
        }
        // The same name at different levels is fine.
        let schema = try ParquetSchema(fields: [.column("ip", .string), .group("source", [.column("ip", .string)])])
        #expect(schema.columns.map(\.dottedPath) == ["ip", "source.ip"])
    }

    @Test func otherInvalidSchemasAreRejected() {
        #expect(throws: ParquetSchemaError.emptyName(parent: nil)) { try ParquetSchema(fields: [.column("", .int64)]) }
        #expect(throws: ParquetSchemaError.nestedGroup("a.b")) {
            try ParquetSchema(fields: [.group("a", [.group("b", [.column("c", .int64)])])])
        }
        #expect(throws: ParquetSchemaError.self) {
            try ParquetSchema(fields: [.column("x", .int(bitWidth: 12, signed: true))])
        }
        #expect(throws: ParquetSchemaError.self) { try ParquetSchema(fields: [.column("x", .fixedLenByteArray(0))]) }
    }

    @Test func byteArraysBeyondSigned32BitLengthsAreRejected() throws {
        let limit = Int(Int32.max)
        #expect(ParquetColumnWriter.maxByteArrayLength == limit)
        try ParquetColumnWriter.validateByteArrayLength(limit, column: "payload")
        #expect {
            try ParquetColumnWriter.validateByteArrayLength(limit + 1, column: "payload")
        } throws: { error in
            guard case ParquetError.valueTooLarge(let column, let length, _) = error else { return false }
            return column == "payload" && length == limit + 1
        }
        // A 2 GiB+ buffer is only described, never allocated: append must refuse it before reading a byte.
        let writer = try ParquetFileWriter(
            schema: ParquetSchema(fields: [.column("payload", .binary)]), sink: ParquetMemorySink())
        let bogus = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 0x1000), count: limit + 1)
        #expect(throws: ParquetError.self) { try writer.columns[0].append(bytes: bogus) }
        try writer.columns[0].append(bytes: [1, 2, 3])
        try writer.endBatch(rows: 1)
        #expect(try writer.close().rows == 1)
    }

    @Test func misuseIsReportedNotWritten() throws {
        let schema = try ParquetSchema(fields: [
            .column("id", .int64, nullable: false),
            .column("small", .int(bitWidth: 8, signed: true)),
            .column("fixed", .fixedLenByteArray(2)),
            .list("items", of: .string, nullable: false, elementsNullable: false),
        ])
        let writer = try ParquetFileWriter(schema: schema, sink: ParquetMemorySink())
        let c = writer.columns
        #expect(throws: ParquetError.self) { try c[0].append(Int32(1)) }
        #expect(throws: ParquetError.self) { try c[0].appendNull() }
        #expect(throws: ParquetError.self) { try c[0].appendGroupNull() }
        #expect(throws: ParquetError.self) { try c[1].append(Int32(200)) }
        #expect(throws: ParquetError.self) { try c[2].append(bytes: [1, 2, 3]) }
        #expect(throws: ParquetError.self) { try c[3].append("outside a list") }
        #expect(throws: ParquetError.self) { try c[3].appendList(nil as [String]?) }
        #expect(throws: ParquetError.self) { try c[3].appendList(["a", nil]) }
        // The last rejection left a list open; close it so the writer can continue.
        try c[3].endList()
        try c[0].append(Int64(1))
        try c[1].append(Int32(-128))
        try c[2].append(bytes: [9, 9])
        // Column 3 has one row (the list above), the others one each: a consistent batch.
        try writer.endBatch(rows: 1)
        try c[0].append(Int64(2))
        #expect(throws: ParquetError.self) { try writer.endBatch(rows: 1) }
        // A failed batch poisons the writer: the file cannot be silently continued.
        #expect(throws: ParquetError.self) { try writer.close() }
    }

    @Test func allNullColumnAndUnicodeNames() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("unicode.parquet")
        let schema = try ParquetSchema(fields: [
            .column("größe", .int64),
            .group("名前", nullable: true, [.column("émoji 🚀", .string), .list("список", of: .int32)]),
            .column("nothing", .string),
        ])
        let writer = try ParquetFileWriter(schema: schema, options: ParquetWriterOptions(compression: .zstd()), path: path)
        let n = 1000
        try writer.columns[0].append(contentsOf: (0..<n).map { Int64($0) })
        for i in 0..<n {
            if i % 2 == 0 {
                try writer.columns[1].append("ü-\(i % 4)")
                try writer.columns[2].appendList([Int32(i), nil])
            } else {
                try writer.columns[1].appendGroupNull()
                try writer.columns[2].appendGroupNull()
            }
            try writer.columns[3].appendNull()
        }
        try writer.endBatch(rows: n)
        try writer.close()
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["größe"] == (0..<n).map { Canon.int($0) })
        #expect(dump.rows["名前"] == (0..<n).map {
            $0 % 2 == 0
                ? Canon.group([("émoji 🚀", Canon.string("ü-\($0 % 4)")), ("список", "[\($0),null]")]) : "null"
        })
        #expect(dump.rows["nothing"] == Array(repeating: "null", count: n))
        let nothing = try #require(dump.metadata.row_groups.first?.columns.last)
        #expect(nothing.statistics?.null_count == n)
        #expect(nothing.statistics?.has_min_max == false)
        #expect(nothing.has_dictionary_page == false)
        let paths = dump.metadata.columns.map(\.path)
        #expect(paths == ["größe", "名前.émoji 🚀", "名前.список.list.element", "nothing"])
        let count = try PythonReader.duckdb(path, "SELECT count(*) FROM read_parquet('{file}') WHERE \"名前\" IS NULL")
        #expect(count == [[Canon.int(n / 2)]])
    }
}

import Foundation
import HydrantParquet
import Testing

/// `appendColumn`: whole slices of a column at once give the same file as value-by-value appends, across page
/// and row-group boundaries, and reject bad slices before writing anything.
@Suite struct ColumnAppendTests {
    static let schema: ParquetSchema = {
        do {
            return try ParquetSchema(fields: [
                .column("id", .int64, nullable: false),
                .column("small", .int(bitWidth: 8, signed: true)),
                .column("count", .int(bitWidth: 32, signed: false)),
                .column("big", .int(bitWidth: 64, signed: false)),
                .column("score", .double),
                .column("flag", .boolean),
                .column("name", .string),
                .column("hash", .fixedLenByteArray(3)),
                .group("endpoint", [
                    .column("ip", .string),
                    .column("port", .int64),
                ]),
            ])
        } catch {
            fatalError("test schema rejected: \(error)")
        }
    }()

    struct Table {
        var id: [Int64] = []
        var small: [Int32] = []
        var count: [UInt32] = []
        var big: [UInt64] = []
        var score: [Double] = []
        var flag: [Bool] = []
        var nameBytes: [UInt8] = []
        var nameOffsets: [Int] = [0]
        var hashBytes: [UInt8] = []
        var hashOffsets: [Int] = [0]
        var ip: [String] = []
        var port: [Int64] = []
        var valid: [Bool] = []

        init(rows: Int) {
            for i in 0..<rows {
                id.append(Int64(i) * 1_000_003)
                small.append(Int32(i % 256 - 128))
                count.append(i == 7 ? UInt32.max : UInt32(i % 50))
                big.append(i == 9 ? UInt64.max : UInt64(i))
                score.append(i == 4 ? -0.0 : Double(i % 97) * 0.5)
                flag.append(i % 3 == 0)
                nameBytes += Array("name-\(i % 61)-é".utf8)
                nameOffsets.append(nameBytes.count)
                hashBytes += [UInt8(i % 256), UInt8(i / 256 % 256), 0xEE]
                hashOffsets.append(hashBytes.count)
                ip.append("10.0.\(i % 7).\(i % 250)")
                port.append(Int64(1024 + i % 3000))
                valid.append(i % 11 != 5)
            }
        }

        func name(_ i: Int) -> String { String(decoding: nameBytes[nameOffsets[i]..<nameOffsets[i + 1]], as: UTF8.self) }
        func hash(_ i: Int) -> [UInt8] { Array(hashBytes[hashOffsets[i]..<hashOffsets[i + 1]]) }
    }

    static func options() -> ParquetWriterOptions {
        ParquetWriterOptions(compression: .snappy, rowGroupRows: 1000, pageRows: 300, dictionaryLimitBytes: 4096,
                             deltaIntegers: true, adaptiveDictionary: true)
    }

    /// Writes `table` with `appendColumn` in slices of `slice` rows (ragged against pages and row groups).
    static func writeColumns(_ t: Table, slice: Int, to path: String) throws {
        let writer = try ParquetFileWriter(schema: schema, options: options(), path: path)
        let c = writer.columns
        let rows = t.id.count
        var start = 0
        while start < rows {
            let r = start..<min(rows, start + slice)
            try t.valid.withUnsafeBufferPointer { validAll in
                let valid = UnsafeBufferPointer(rebasing: validAll[r])
                try t.id.withUnsafeBufferPointer { try c[0].appendColumn(UnsafeBufferPointer(rebasing: $0[r])) }
                try t.small.withUnsafeBufferPointer { try c[1].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
                try t.count.withUnsafeBufferPointer { try c[2].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
                try t.big.withUnsafeBufferPointer { try c[3].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
                try t.score.withUnsafeBufferPointer { try c[4].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
                try t.flag.withUnsafeBufferPointer { try c[5].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
                try t.nameBytes.withUnsafeBytes { bytes in
                    try t.nameOffsets.withUnsafeBufferPointer {
                        try c[6].appendColumn(bytes: bytes, offsets: UnsafeBufferPointer(rebasing: $0[r.lowerBound...r.upperBound]),
                                              validity: valid)
                    }
                }
                try t.hashBytes.withUnsafeBytes { bytes in
                    try t.hashOffsets.withUnsafeBufferPointer {
                        try c[7].appendColumn(bytes: bytes, offsets: UnsafeBufferPointer(rebasing: $0[r.lowerBound...r.upperBound]),
                                              validity: valid)
                    }
                }
                // A string column from an array of strings, through one contiguous copy.
                var ipBytes: [UInt8] = []
                var ipOffsets: [Int] = [0]
                for i in r {
                    ipBytes += Array(t.ip[i].utf8)
                    ipOffsets.append(ipBytes.count)
                }
                try ipBytes.withUnsafeBytes { bytes in
                    try ipOffsets.withUnsafeBufferPointer { try c[8].appendColumn(bytes: bytes, offsets: $0, validity: valid) }
                }
                try t.port.withUnsafeBufferPointer { try c[9].appendColumn(UnsafeBufferPointer(rebasing: $0[r]), validity: valid) }
            }
            try writer.endBatch(rows: r.count)
            start = r.upperBound
        }
        try writer.close()
    }

    /// The same rows value by value.
    static func writeValues(_ t: Table, to path: String) throws {
        let writer = try ParquetFileWriter(schema: schema, options: options(), path: path)
        let c = writer.columns
        let rows = t.id.count
        for i in 0..<rows {
            try c[0].append(t.id[i])
            guard t.valid[i] else {
                for k in 1..<c.count { try c[k].appendNull() }
                continue
            }
            try c[1].append(t.small[i])
            try c[2].append(t.count[i])
            try c[3].append(t.big[i])
            try c[4].append(t.score[i])
            try c[5].append(t.flag[i])
            try c[6].append(t.name(i))
            try c[7].append(bytes: t.hash(i))
            try c[8].append(t.ip[i])
            try c[9].append(t.port[i])
        }
        try writer.endBatch(rows: rows)
        try writer.close()
    }

    @Test(arguments: [1, 257, 4096, 10_000])
    func sameFileAsValueByValue(slice: Int) throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let table = Table(rows: 2_600)
        let columns = dir.file("columns.parquet")
        let values = dir.file("values.parquet")
        try Self.writeColumns(table, slice: slice, to: columns)
        try Self.writeValues(table, to: values)
        // Byte for byte: the same pages, boundaries, dictionaries and statistics.
        let a = try Data(contentsOf: URL(fileURLWithPath: columns))
        let b = try Data(contentsOf: URL(fileURLWithPath: values))
        #expect(a == b)
        let dump = try PythonReader.dump(columns)
        #expect(dump.metadata.row_groups.map(\.num_rows) == [1000, 1000, 600])
        #expect(dump.rows["id"] == table.id.map { Canon.int($0) })
        let valid = table.valid
        #expect(dump.rows["small"] == table.small.indices.map { Canon.int(valid[$0] ? table.small[$0] : nil) })
        #expect(dump.rows["big"] == table.big.indices.map { Canon.int(valid[$0] ? table.big[$0] : nil) })
        #expect(dump.rows["score"] == table.score.indices.map { Canon.double(valid[$0] ? table.score[$0] : nil) })
        #expect(dump.rows["flag"] == table.flag.indices.map { Canon.bool(valid[$0] ? table.flag[$0] : nil) })
        #expect(dump.rows["name"] == table.id.indices.map { Canon.string(valid[$0] ? table.name($0) : nil) })
        #expect(dump.rows["hash"] == table.id.indices.map { Canon.bytes(valid[$0] ? table.hash($0) : nil) })
        #expect(dump.rows["endpoint"] == table.id.indices.map {
            Canon.group([("ip", Canon.string(valid[$0] ? table.ip[$0] : nil)),
                         ("port", Canon.int(valid[$0] ? table.port[$0] : nil))])
        })
        let nulls = try PythonReader.duckdb(columns, """
            SELECT count(*) - count(small), sum("count"), count(DISTINCT name) FROM read_parquet('{file}')
            """)
        let presentCounts = table.count.indices.filter { valid[$0] }.map { Int(table.count[$0]) }
        #expect(nulls == [[Canon.int(valid.filter { !$0 }.count), Canon.int(presentCounts.reduce(0, +)),
                           Canon.int(Set(table.id.indices.filter { valid[$0] }.map(table.name)).count)]])
    }

    /// A bad slice throws before anything is appended: the column can go on and the file is complete.
    @Test func badSlicesLeaveTheColumnUntouched() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("bad.parquet")
        let schema = try ParquetSchema(fields: [
            .column("id", .int64, nullable: false),
            .column("tiny", .int(bitWidth: 8, signed: false)),
            .column("name", .string),
            .list("tags", of: .string),
        ])
        let writer = try ParquetFileWriter(schema: schema, path: path)
        let c = writer.columns
        let ids: [Int64] = [1, 2, 3]
        let tiny: [UInt32] = [1, 300, 2]
        let bytes = Array("abcdef".utf8)
        try ids.withUnsafeBufferPointer { ids in
            // A required column takes no nulls; validity must cover every row.
            try [true, false, true].withUnsafeBufferPointer { withNull in
                #expect(throws: ParquetError.self) { try c[0].appendColumn(ids, validity: withNull) }
            }
            try [true, true].withUnsafeBufferPointer { short in
                #expect(throws: ParquetError.self) { try c[0].appendColumn(ids, validity: short) }
            }
            // A list column is appended list by list.
            #expect(throws: ParquetError.self) { try c[3].appendColumn(ids) }
            try c[0].appendColumn(ids)
        }
        try tiny.withUnsafeBufferPointer { tiny in
            #expect(throws: ParquetError.self) { try c[1].appendColumn(tiny) }
            // The out-of-range value in a null row is ignored.
            try [true, false, true].withUnsafeBufferPointer { try c[1].appendColumn(tiny, validity: $0) }
        }
        try bytes.withUnsafeBytes { raw in
            try [0, 2, 9, 10].withUnsafeBufferPointer { past in
                #expect(throws: ParquetError.self) { try c[2].appendColumn(bytes: raw, offsets: past) }
            }
            try [0, 4, 2, 6].withUnsafeBufferPointer { decreasing in
                #expect(throws: ParquetError.self) { try c[2].appendColumn(bytes: raw, offsets: decreasing) }
            }
            // Wrong type: a string slice on an integer column.
            try [0, 1, 2, 3].withUnsafeBufferPointer { offsets in
                #expect(throws: ParquetError.self) { try c[0].appendColumn(bytes: raw, offsets: offsets) }
                try c[2].appendColumn(bytes: raw, offsets: offsets)
            }
        }
        for _ in 0..<3 { try c[3].appendList(["x"]) }
        try writer.endBatch(rows: 3)
        try writer.close()
        let dump = try PythonReader.dump(path)
        #expect(dump.rows["id"] == ["1", "2", "3"])
        #expect(dump.rows["tiny"] == ["1", "null", "2"])
        #expect(dump.rows["name"] == ["\"a\"", "\"b\"", "\"c\""])
    }
}

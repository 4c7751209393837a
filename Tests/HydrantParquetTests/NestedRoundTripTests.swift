import HydrantParquet
import Testing

/// Struct groups and three-level lists (null lists, empty lists, null elements) read back by pyarrow and DuckDB.
@Suite struct NestedRoundTripTests {
    struct Record {
        var sourceIP: String?
        var sourcePort: UInt32
        var sourcePresent: Bool
        var eventStart: Int64?
        var answers: [String?]?
        var ttls: [Int64]
        var tags: [String]?
        var scores: [Double?]?
        var flags: [Bool]?

        init(_ i: Int) {
            sourcePresent = i % 11 != 4
            sourceIP = i % 5 == 1 ? nil : "10.0.\(i % 3).\(i % 250)"
            sourcePort = UInt32(1024 + i % 50)
            eventStart = i % 9 == 2 ? nil : 1_700_000_000_000_000_000 + Int64(i)
            switch i % 6 {
            case 0: answers = nil
            case 1: answers = []
            case 2: answers = ["a.example", nil, "b.example"]
            case 3: answers = [nil]
            default: answers = (0..<(i % 13)).map { "host\($0).example" }
            }
            ttls = (0..<(i % 4)).map { Int64($0 * 60 + i) }
            tags = i % 4 == 0 ? nil : (i % 4 == 1 ? [] : ["t\(i % 3)"])
            scores = i % 3 == 0 ? nil : [Double(i) / 4, nil]
            flags = i % 8 == 0 ? nil : [i % 2 == 0, true]
        }
    }

    static func schema() throws -> ParquetSchema {
        try ParquetSchema(name: "hydrant_test", fields: [
            .group("source", nullable: true, [
                .column("ip", .string),
                .column("port", .int(bitWidth: 16, signed: false), nullable: false),
            ]),
            .group("event", [.column("start", .timestampNanos)]),
            .group("dns", [
                .list("answers", of: .string),
                .list("ttls", of: .int64, nullable: false, elementsNullable: false),
            ]),
            .list("tags", of: .string, elementsNullable: false),
            .list("scores", of: .double),
            .list("flags", of: .boolean, elementsNullable: false),
        ])
    }

    static func write(_ records: [Record], to path: String, options: ParquetWriterOptions) throws {
        let writer = try ParquetFileWriter(schema: schema(), options: options, path: path)
        let ip = try #require(writer.column("source.ip"))
        let port = try #require(writer.column(fieldPath: ["source", "port"]))
        let start = try #require(writer.column("event.start"))
        let answers = try #require(writer.column("dns.answers"))
        let ttls = try #require(writer.column("dns.ttls"))
        let tags = try #require(writer.column("tags"))
        let scores = try #require(writer.column("scores"))
        let flags = try #require(writer.column("flags"))
        for r in records {
            if r.sourcePresent {
                if let v = r.sourceIP { try ip.append(v) } else { try ip.appendNull() }
                try port.append(r.sourcePort)
            } else {
                try ip.appendGroupNull()
                try port.appendGroupNull()
            }
            if let v = r.eventStart { try start.append(v) } else { try start.appendNull() }
            try answers.appendList(r.answers)
            // The streaming form, without building an array.
            try ttls.beginList()
            for ttl in r.ttls { try ttls.append(ttl) }
            try ttls.endList()
            try tags.appendList(r.tags)
            try scores.appendList(r.scores)
            try flags.appendList(r.flags)
            try writer.endBatch(rows: 1)
        }
        try writer.close()
    }

    static func expected(_ records: [Record]) -> [String: [String]] {
        [
            "source": records.map {
                $0.sourcePresent ? Canon.group([("ip", Canon.string($0.sourceIP)), ("port", Canon.int($0.sourcePort))]) : "null"
            },
            "event": records.map { Canon.group([("start", Canon.int($0.eventStart))]) },
            "dns": records.map {
                Canon.group([
                    ("answers", Canon.list($0.answers?.map { Canon.string($0) })),
                    ("ttls", Canon.list($0.ttls.map { Canon.int($0) })),
                ])
            },
            "tags": records.map { Canon.list($0.tags?.map { Canon.string($0) }) },
            "scores": records.map { Canon.list($0.scores?.map { Canon.double($0) }) },
            "flags": records.map { Canon.list($0.flags?.map { Canon.bool($0) }) },
        ]
    }

    @Test(arguments: [1, 7, 1000])
    func structsAndListsRoundTrip(pageRows: Int) throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let records = (0..<500).map(Record.init)
        let path = dir.file("nested.parquet")
        try Self.write(records, to: path, options: ParquetWriterOptions(rowGroupRows: 200, pageRows: pageRows))
        let dump = try PythonReader.dump(path)
        for (name, values) in Self.expected(records) {
            #expect(dump.rows[name] == values, "field \(name)")
        }
        #expect(dump.metadata.num_row_groups == 3)
        #expect(dump.metadata.row_groups.map(\.num_rows) == [200, 200, 100])
        let schema = Dictionary(uniqueKeysWithValues: dump.metadata.columns.map { ($0.path, $0) })
        let answers = try #require(schema["dns.answers.list.element"])
        #expect(answers.max_definition_level == 3)
        #expect(answers.max_repetition_level == 1)
        #expect(schema["source.port"]?.max_definition_level == 1)
        #expect(schema["source.ip"]?.max_definition_level == 2)
        #expect(schema["dns.ttls.list.element"]?.max_definition_level == 1)
    }

    @Test func duckDBFiltersNestedColumns() throws {
        guard PythonReader.require() else { return }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let records = (0..<2000).map(Record.init)
        let path = dir.file("nested.parquet")
        try Self.write(records, to: path, options: ParquetWriterOptions(compression: .zstd(), rowGroupRows: 256))
        let rows = try PythonReader.duckdb(path, """
            SELECT count(*), sum(source.port), sum(len(dns.answers)), count(DISTINCT source.ip)
            FROM read_parquet('{file}') WHERE source.port = 1030
            """)
        let matching = records.filter { $0.sourcePresent && $0.sourcePort == 1030 }
        let answerCount = matching.compactMap(\.answers).map(\.count).reduce(0, +)
        let distinctIPs = Set(matching.compactMap(\.sourceIP)).count
        #expect(rows == [[Canon.int(matching.count), Canon.int(matching.count * 1030), Canon.int(answerCount),
                          Canon.int(distinctIPs)]])
        let unnested = try PythonReader.duckdb(path, """
            SELECT count(*) FROM (SELECT unnest(dns.answers) AS a FROM read_parquet('{file}')) WHERE a IS NULL
            """)
        let nullElements = records.compactMap(\.answers).flatMap { $0 }.filter { $0 == nil }.count
        #expect(unnested == [[Canon.int(nullElements)]])
    }
}

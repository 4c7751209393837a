import Foundation
import HydrantArchive
import HydrantParquet
import Testing

/// Generated tables stored without some columns (`parquet.exclude_columns`), written by `ParquetConverter` and read
/// back by pyarrow and DuckDB next to the full table of the same records.
@Suite("Parquet column exclusion")
struct ParquetColumnExclusionTests {
    static let derivable = ["network.community_id", "@timestamp", "event.duration"]

    static func flowTable() throws -> ArchiveSchema {
        try #require(ParquetConversionTests.datasets["network.flow"])
    }

    /// Flows whose values differ from row to row (times, ports, sizes, some without a Community ID or a port).
    static func flows(_ count: Int) -> [String] {
        (0..<count).map { index in
            let start = 1_714_571_100_000_000_000 + Int64(index) * 7_654_321_123 + Int64(index % 13) * 17
            let end = start + Int64(index % 29) * 1_234_567_891 + Int64(index % 7)
            let community = index % 5 == 0 ? "" : #","community_id":"1:\#(String(repeating: "x", count: index % 11))\#(index)=""#
            let port = index % 9 == 0 ? "" : #","port":\#(1024 + index * 37 % 50000)"#
            return #"{"@timestamp":"\#(rfc3339(start))","event":{"dataset":"network.flow","start":"\#(rfc3339(start))","#
                + #""end":"\#(rfc3339(end))","duration":\#(end - start),"action":"flow_end"},"#
                + #""source":{"ip":"10.0.\#(index % 4).\#(index % 250)"\#(port),"bytes":\#(index * 91 % 70000),"packets":\#(index % 40)},"#
                + #""destination":{"ip":"192.0.2.\#(index % 17)","port":\#([53, 443, 80, 22][index % 4]),"bytes":\#(index * 7)},"#
                + #""network":{"transport":"tcp","iana_number":6,"type":"ipv4"\#(community),"bytes":\#(index * 98 % 70000)},"#
                + #""icmp":{"type":\#(index % 3 == 0 ? "8" : "null")},"observer":{"name":"s\#(index % 3)"}}"#
        }
    }

    /// RFC 3339 with nanoseconds, UTC.
    static func rfc3339(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds / 1_000_000_000
        let fraction = nanoseconds % 1_000_000_000
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))T\(two(parts.hour)):\(two(parts.minute)):"
            + "\(two(parts.second)).\(String(format: "%09lld", fraction))Z"
    }

    /// Compares a reduced file with the full file of the same rows: the flattened column names of each, the full
    /// file's names that the reduced one lacks, whether every shared column has the same type and values, and the
    /// reduced file's key/value metadata.
    static let compareScript = #"""
    import json, sys
    import pyarrow.parquet as pq
    full = pq.read_table(sys.argv[1]).flatten()
    reduced_file = pq.ParquetFile(sys.argv[2])
    reduced = reduced_file.read().flatten()
    shared = [n for n in full.column_names if n in reduced.column_names]
    different = [n for n in shared
                 if full.schema.field(n).type != reduced.schema.field(n).type or not full.column(n).equals(reduced.column(n))]
    kv = {k.decode(): v.decode() for k, v in (reduced_file.metadata.metadata or {}).items()}
    top = [f.name for f in reduced_file.schema_arrow]
    print(json.dumps({"full": full.column_names, "reduced": reduced.column_names,
                      "missing": [n for n in full.column_names if n not in reduced.column_names],
                      "different": different, "rows": [full.num_rows, reduced.num_rows], "key_value": kv, "top": top}))
    """#

    struct Comparison: Decodable {
        var full: [String]
        var reduced: [String]
        var missing: [String]
        var different: [String]
        var rows: [Int]
        var key_value: [String: String]
        var top: [String]
    }

    @Test("excluding columns drops them from the layout, keeps the others in order, and records them")
    func layout() throws {
        let full = try Self.flowTable()
        let reduced = try full.excluding(Self.derivable)
        #expect(reduced.name == "network.flow")
        #expect(reduced.columns.map(\.name) == full.columns.map(\.name).filter { !Self.derivable.contains($0) })
        #expect(reduced.columns.count == full.columns.count - 3)
        let paths = reduced.parquet.columns.map(\.dottedPath)
        #expect(!paths.contains("@timestamp"))
        #expect(!paths.contains("event.duration"))
        #expect(!paths.contains("network.community_id"))
        #expect(paths.contains("event.start"))
        #expect(reduced.excludedColumns == ["@timestamp", "event.duration", "network.community_id"])
        #expect(reduced.keyValueMetadata.contains(
            ParquetKeyValue("hydrant.schema.excluded_columns", "@timestamp,event.duration,network.community_id")))
        #expect(full.keyValueMetadata.count == 2)

        // A name as readers see it (struct leaf with underscores) is the same column as its ECS name.
        let vlan = try full.excluding(["network.vlan_id"])
        #expect(!vlan.columns.map(\.name).contains("network.vlan.id"))
        #expect(vlan.excludedColumns == ["network.vlan.id"])

        // A struct whose leaves are all excluded leaves the file schema.
        let noICMP = try full.excluding(["icmp.type", "icmp.code"])
        #expect(!noICMP.parquet.fields.contains { $0.name == "icmp" })
        #expect(full.parquet.fields.contains { $0.name == "icmp" })
        // Excluding from a reduced table accumulates.
        #expect(try noICMP.excluding(["observer.name"]).excludedColumns == ["icmp.type", "icmp.code", "observer.name"])
        #expect(try full.excluding([]) == full)
    }

    @Test("an unknown name, a column named twice and a list of every column are refused")
    func errors() throws {
        let full = try Self.flowTable()
        #expect(throws: ArchiveSchemaError.unknownColumn(table: "network.flow", column: "network.communityid")) {
            try full.excluding(["network.communityid"])
        }
        #expect(throws: ArchiveSchemaError.excludedTwice(table: "network.flow", column: "network.vlan.id")) {
            try full.excluding(["network.vlan.id", "network.vlan_id"])
        }
        #expect(throws: ArchiveSchemaError.excludedTwice(table: "network.flow", column: "@timestamp")) {
            try full.excluding(["@timestamp", "@timestamp"])
        }
        #expect(throws: ArchiveSchemaError.allColumnsExcluded(table: "network.flow")) {
            try full.excluding(full.columns.map(\.name))
        }
        #expect(ArchiveSchemaError.allColumnsExcluded(table: "network.flow").description
            == "schema network.flow would have no columns left")
    }

    @Test("a reduced table's file lacks exactly the excluded columns; pyarrow reads every other column equal")
    func sameValues() throws {
        guard ParquetPython.require() else { return }
        let full = try Self.flowTable()
        let reduced = try full.excluding(Self.derivable)
        let records = Self.flows(5000)
        // Another dataset's record in the same body still goes to its own, full table.
        let body = ParquetConversionTests.body(records + [ParquetConversionTests.dns])
        let format = ParquetFormat(compression: .zstd(), rowGroupRows: 1500, reducedTables: ["network.flow": reduced])
        let fullResult = ParquetConversionTests.converter(ParquetFormat(compression: .zstd(), rowGroupRows: 1500)).convert(body)
        let reducedResult = ParquetConversionTests.converter(format).convert(body)
        #expect(fullResult.failures.isEmpty, "\(fullResult.failures.prefix(3))")
        #expect(reducedResult.failures.isEmpty, "\(reducedResult.failures.prefix(3))")
        #expect(reducedResult.files.map(\.table) == ["network.flow", "network.dns"])
        #expect(reducedResult.files.map(\.rows) == [5000, 1])
        #expect(reducedResult.files[1].bytes == fullResult.files[1].bytes)
        #expect(reducedResult.files[0].bytes.count < fullResult.files[0].bytes.count)

        let scratch = try ParquetScratch()
        defer { scratch.remove() }
        let fullPath = try scratch.write(fullResult.files[0].bytes, as: "full.parquet")
        let reducedPath = try scratch.write(reducedResult.files[0].bytes, as: "reduced.parquet")
        let comparison = try JSONDecoder().decode(
            Comparison.self, from: ParquetPython.run(Self.compareScript, [fullPath, reducedPath]))
        #expect(comparison.missing == ["@timestamp", "event.duration", "network.community_id"])
        #expect(comparison.reduced.count == comparison.full.count - 3)
        #expect(comparison.different.isEmpty, "\(comparison.different)")
        #expect(comparison.rows == [5000, 5000])
        #expect(comparison.key_value["hydrant.schema.excluded_columns"] == "@timestamp,event.duration,network.community_id")
        #expect(comparison.top.first == "event")

        // DuckDB: the other columns agree row for row, and the excluded ones are recomputed from event.start and
        // event.end exactly (nanoseconds).
        let differing = try ParquetPython.duckdb("""
            WITH f AS (SELECT * EXCLUDE ("@timestamp") REPLACE (struct_pack(
                         "start" := event.start, "end" := event.end, action := event.action) AS event)
                       FROM read_parquet('\(fullPath)')),
                 r AS (SELECT * REPLACE (struct_pack(
                         "start" := event.start, "end" := event.end, action := event.action) AS event)
                       FROM read_parquet('\(reducedPath)'))
            SELECT (SELECT count(*) FROM (SELECT event, source, destination, observer, icmp FROM f
                                          EXCEPT ALL SELECT event, source, destination, observer, icmp FROM r)),
                   (SELECT count(*) FROM r)
            """)
        #expect(differing == [["0", "5000"]])
        let recomputed = try ParquetPython.duckdb("""
            SELECT count(*) FROM (
              SELECT "@timestamp", event.duration, event.start FROM read_parquet('\(fullPath)')
              EXCEPT ALL
              SELECT event.start AS "@timestamp", epoch_ns(event.end) - epoch_ns(event.start), event.start
              FROM read_parquet('\(reducedPath)'))
            """)
        #expect(recomputed == [["0"]])
    }
}

import Foundation
import HydrantArchive
import HydrantParquet
import Testing

/// JSON lines records converted by `ParquetConverter` and read back by pyarrow and DuckDB.
@Suite("Parquet conversion")
struct ParquetConversionTests {
    static let datasets: [String: ArchiveSchema] = (try? DatasetSchemas.records()) ?? [:]

    static func converter(_ format: ParquetFormat = ParquetFormat()) -> ParquetConverter {
        ParquetConverter(datasets: datasets, format: format)
    }

    static func body(_ records: [String]) -> [UInt8] {
        Array(records.joined(separator: "\n").utf8) + [0x0A]
    }

    static let flow = #"{"@timestamp":"2024-05-01T13:45:00.123456789Z","event":{"dataset":"network.flow","start":"2024-05-01T13:45:00.123456789Z","end":"2024-05-01T13:45:02Z","duration":1876543211,"action":"flow_end"},"source":{"ip":"10.0.0.1","port":51000,"bytes":1200,"packets":7,"geo":{"country_iso_code":"DE"}},"destination":{"ip":"2001:db8::1","port":443,"bytes":5400,"packets":6},"network":{"transport":"tcp","iana_number":6,"type":"ipv4","community_id":"1:abc","vlan":{"id":12},"bytes":6600,"packets":13,"state":"SF","history":"ShADadFf"},"observer":{"name":"sensor-\u00e9"},"unknown":{"deep":[1,{"x":[]}]}}"#

    static let dns = #"{"@timestamp":"2024-05-01T13:45:01Z","event":{"dataset":"network.dns"},"source":{"ip":"10.0.0.1","port":53000},"destination":{"ip":"10.0.0.53","port":53},"network":{"transport":"udp","iana_number":17},"dns":{"id":4660,"question":{"name":"example.org","type":"A","entropy":2.5},"header_flags":["RD","RA"],"answers":{"data":["93.184.216.34",null],"ttl":[300,60]},"resolved_ip":[]}}"#

    @Test("a flow and a DNS record become two files whose values pyarrow reads back")
    func roundTrip() throws {
        guard ParquetPython.require() else { return }
        let result = Self.converter().convert(Self.body([Self.flow, Self.dns, Self.flow]))
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(result.files.map(\.table) == ["network.flow", "network.dns"])
        #expect(result.files.map(\.rows) == [2, 1])
        let scratch = try ParquetScratch()
        defer { scratch.remove() }
        let flow = try ParquetPython.dump(try scratch.write(result.files[0].bytes, as: "flow.parquet"))
        #expect(flow.schema.contains("@timestamp: timestamp[ns, tz=UTC] not null"))
        #expect(flow.schema.contains("source: struct<ip: string, port: int64"))
        #expect(flow.schema.contains("vlan_id: int64"))
        #expect(flow.key_value["hydrant.schema"] == "network.flow")
        let row = flow.rows[0]
        #expect(row["@timestamp"] == .string("1714571100123456789"))
        #expect(row["event"]["end"] == .string("1714571102000000000"))
        #expect(row["source"]["ip"] == .string("10.0.0.1"))
        #expect(row["source"]["port"] == .number(51000))
        #expect(row["source"]["geo_country_iso_code"] == .string("DE"))
        #expect(row["source"]["geo_city_name"] == .null)
        #expect(row["destination"]["ip"] == .string("2001:db8::1"))
        #expect(row["event"]["duration"] == .number(1_876_543_211))
        #expect(row["network"]["vlan_id"] == .number(12))
        #expect(row["network"]["protocol"] == .null)
        #expect(row["observer"]["name"] == .string("sensor-é"))

        let dns = try ParquetPython.dump(try scratch.write(result.files[1].bytes, as: "dns.parquet"))
        let answer = dns.rows[0]["dns"]
        #expect(answer["question_name"] == .string("example.org"))
        #expect(answer["question_entropy"] == .number(2.5))
        #expect(answer["header_flags"] == .array([.string("RD"), .string("RA")]))
        #expect(answer["answers_data"] == .array([.string("93.184.216.34"), .null]))
        #expect(answer["answers_ttl"] == .array([.number(300), .number(60)]))
        #expect(answer["resolved_ip"] == .array([]))
        #expect(answer["response_code"] == .null)
    }

    @Test("DuckDB queries struct leaves unquoted")
    func duckdbReadsStructs() throws {
        guard ParquetPython.require() else { return }
        let result = Self.converter().convert(Self.body([Self.flow, Self.flow, Self.flow]))
        let scratch = try ParquetScratch()
        defer { scratch.remove() }
        let path = try scratch.write(result.files[0].bytes, as: "flow.parquet")
        let rows = try ParquetPython.duckdb(
            "SELECT count(*), sum(source.bytes), max(network.vlan_id), min(\"@timestamp\") FROM read_parquet('\(path)')")
        #expect(rows == [["3", "3600", "12", "2024-05-01 13:45:00.123456+00:00"]])
    }

    @Test("records that do not fit are returned with the reason, and the rest convert")
    func failures() throws {
        let records = [
            Self.flow,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":{"port":"http"}}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":{"bytes":1.5}}"#,
            #"{"@timestamp":"yesterday","event":{"dataset":"network.flow"}}"#,
            #"{"event":{"dataset":"network.flow"}}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":[1]}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"observer":{"name":"\#u{FFFD}"}}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"custom.thing"}}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z"}"#,
            #"{"@timestamp": broken"#,
            #"[1,2,3]"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"}} {"a":1}"#,
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":{"bytes":99999999999999999999}}"#,
        ]
        let body = Self.body(records)
        let result = Self.converter().convert(body)
        #expect(result.files.map(\.rows) == [2])  // the first record and the one with a U+FFFD name
        let codes = result.failures.map(\.code)
        let messages = result.failures.map(\.message)
        #expect(codes == [
            ParquetConverter.mismatchCode, ParquetConverter.mismatchCode, ParquetConverter.mismatchCode,
            ParquetConverter.mismatchCode, ParquetConverter.mismatchCode, ParquetConverter.unknownTableCode,
            ParquetConverter.unknownTableCode, ParquetConverter.malformedCode, ParquetConverter.malformedCode,
            ParquetConverter.malformedCode, ParquetConverter.mismatchCode,
        ], "\(messages)")
        #expect(messages[0] == "source.port must be an integer, got a string")
        #expect(messages[1] == "source.bytes must be a 64-bit integer, got 1.5")
        #expect(messages[2].hasPrefix("@timestamp must be an RFC 3339 date-time"))
        #expect(messages[3] == "required field @timestamp is missing")
        #expect(messages[4] == "source must be an object, got a list")
        #expect(messages[5].contains("custom.thing"))
        #expect(messages[6].contains("no event.dataset"))
        // Each failure's range is exactly its record, so the error output carries it unchanged.
        let texts = result.failures.map { String(decoding: body[$0.range], as: UTF8.self) }
        #expect(texts == [records[1], records[2], records[3], records[4], records[5], records[7], records[8], records[9],
                          records[10], records[11], records[12]])
    }

    @Test("invalid UTF-8 in a string column does not fit")
    func invalidUTF8() {
        var body = Array(#"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"observer":{"name":""#.utf8)
        body += [0xC3, 0x28] + Array("\"}}\n".utf8)
        let result = Self.converter().convert(body)
        #expect(result.files.isEmpty)
        #expect(result.failures.map(\.message) == ["observer.name is not valid UTF-8"])
    }

    @Test("a record spread over several lines is one record")
    func prettyPrinted() {
        let pretty = "{\n  \"@timestamp\": \"2024-05-01T13:45:00Z\",\n  \"event\": {\"dataset\": \"network.flow\"}\n}"
        let result = Self.converter().convert(Self.body([pretty, Self.flow]))
        #expect(result.failures.isEmpty)
        #expect(result.files.map(\.rows) == [2])
    }

    @Test("records of no dataset convert against the declared schema")
    func declaredSchema() throws {
        guard ParquetPython.require() else { return }
        let declared = try ArchiveSchema(name: "declared", columns: [
            ArchiveColumn(name: "ts", type: .scalar(.timestamp), path: ["time"], required: true),
            ArchiveColumn(name: "user.name", type: .scalar(.string)),
            ArchiveColumn(name: "user.id", type: .scalar(.int)),
            ArchiveColumn(name: "score", type: .scalar(.double)),
            ArchiveColumn(name: "ok", type: .scalar(.boolean)),
            ArchiveColumn(name: "tags", type: .list(.string)),
        ])
        let records = [
            #"{"time":"2024-05-01T00:00:00Z","user":{"name":"ann","id":7},"score":0.5,"ok":true,"tags":["a","b"],"extra":1}"#,
            #"{"time":"2024-05-01T00:00:01Z","user":null,"ok":false}"#,
            #"{"time":"2024-05-01T00:00:02Z","user":{"id":"seven"}}"#,
            Self.flow,
        ]
        let result = Self.converter(ParquetFormat(declaredSchema: declared)).convert(Self.body(records))
        #expect(result.files.map(\.table) == ["declared", "network.flow"])
        #expect(result.files.map(\.rows) == [2, 1])
        #expect(result.failures.map(\.message) == ["user.id must be an integer, got a string"])
        let scratch = try ParquetScratch()
        defer { scratch.remove() }
        let dump = try ParquetPython.dump(try scratch.write(result.files[0].bytes, as: "declared.parquet"))
        #expect(dump.rows[0]["user"]["name"] == .string("ann"))
        #expect(dump.rows[0]["tags"] == .array([.string("a"), .string("b")]))
        #expect(dump.rows[0]["score"] == .number(0.5))
        #expect(dump.rows[1]["ok"] == .bool(false))
        #expect(dump.rows[1]["user"]["id"] == .null)
        #expect(dump.rows[1]["tags"] == .null)
    }

    @Test("every codec", arguments: ["snappy", "zstd", "gzip", "none"])
    func codecs(name: String) throws {
        guard ParquetPython.require() else { return }
        let codec = try #require(ParquetFormat.codec(named: name))
        let records = (0..<500).map { index in
            Self.flow.replacingOccurrences(of: "\"port\":51000", with: "\"port\":\(50000 + index % 37)")
        }
        let result = Self.converter(ParquetFormat(compression: codec, rowGroupRows: 128)).convert(Self.body(records))
        let scratch = try ParquetScratch()
        defer { scratch.remove() }
        let dump = try ParquetPython.dump(try scratch.write(result.files[0].bytes, as: "flow.parquet"))
        #expect(dump.codecs == [name == "none" ? "UNCOMPRESSED" : name.uppercased()])
        #expect(dump.row_groups == 4)
        #expect(dump.rows.count == 500)
        #expect(dump.rows[499]["source"]["port"] == .number(Double(50000 + 499 % 37)))
    }

    @Test("generated schemas flatten deeper names into their top-level struct")
    func layout() throws {
        let flow = try #require(Self.datasets["network.flow"])
        let names = flow.parquet.columns.map(\.dottedPath)
        #expect(names.first == "@timestamp")
        #expect(names.contains("network.vlan_id"))
        #expect(names.contains("network.inner_vlan_id"))
        #expect(names.contains("source.as_organization_name"))
        #expect(names.contains("threat.indicator_matched_field"))
        let alert = try #require(Self.datasets["alert"])
        #expect(alert.parquet.columns.map(\.dottedPath).contains("alert.evidence_community_ids"))
        #expect(Set(Self.datasets.keys) == ["network.flow", "network.dns", "network.http", "network.tls", "alert"])
    }

    @Test("declared schemas are validated")
    func schemaValidation() {
        #expect(throws: ArchiveSchemaError.self) { try ArchiveSchema(name: "t", columns: []) }
        #expect(throws: ArchiveSchemaError.self) {
            try ArchiveSchema(name: "t", columns: [ArchiveColumn(name: "a.b", type: .scalar(.int)),
                                                   ArchiveColumn(name: "a.b", type: .scalar(.string))])
        }
        #expect(throws: ArchiveSchemaError.self) {
            try ArchiveSchema(name: "t", columns: [ArchiveColumn(name: "a", type: .scalar(.int)),
                                                   ArchiveColumn(name: "a.b", type: .scalar(.string))])
        }
        #expect(throws: ArchiveSchemaError.self) {
            try ArchiveSchema(name: "t", columns: [ArchiveColumn(name: "a.b_c", type: .scalar(.int)),
                                                   ArchiveColumn(name: "a.b.c", type: .scalar(.string))])
        }
        #expect(ArchiveColumnType(parsing: "array<bigint>") == .list(.int))
        #expect(ArchiveColumnType(parsing: "map<string,int>") == nil)
    }
}

import Foundation
import Testing

/// Runs pyarrow and DuckDB (independent Parquet readers) on files the tests wrote; the scripts print JSON.
enum ParquetPython {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Whether python3 can import pyarrow and duckdb (checked once).
    static let isAvailable: Bool = (try? run("import pyarrow, duckdb", [])) != nil

    /// Records a warning and returns false when the readers are missing, so the calling test can return.
    static func require() -> Bool {
        if isAvailable { return true }
        Issue.record("python3 with pyarrow and duckdb is not installed (make test-deps); skipping", severity: .warning)
        return false
    }

    /// Prints `{"schema": <arrow schema text>, "rows": [...], "row_groups": n, "codecs": [...], "key_value": {...}}`
    /// for the file at argv[1]; timestamps as integer nanoseconds, integers beyond 2^53 as strings.
    static let dumpScript = #"""
    import json, sys
    import pyarrow as pa, pyarrow.parquet as pq
    f = pq.ParquetFile(sys.argv[1])
    t = f.read()
    md = f.metadata
    def plain(ty):
        if pa.types.is_timestamp(ty): return pa.int64()
        if pa.types.is_struct(ty): return pa.struct([pa.field(x.name, plain(x.type), x.nullable) for x in ty])
        if pa.types.is_list(ty): return pa.list_(plain(ty.value_type))
        return ty
    def big(v):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53: return str(v)
        if isinstance(v, dict): return {k: big(x) for k, x in v.items()}
        if isinstance(v, list): return [big(x) for x in v]
        return v
    schema_text = str(t.schema)
    t = t.cast(pa.schema([pa.field(x.name, plain(x.type), x.nullable) for x in t.schema]))
    codecs = sorted({md.row_group(i).column(j).compression for i in range(md.num_row_groups) for j in range(md.num_columns)})
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    print(json.dumps({"schema": schema_text, "rows": big(t.to_pylist()), "row_groups": md.num_row_groups,
                      "codecs": codecs, "key_value": kv}, default=str))
    """#

    /// Decoded output of `dumpScript`.
    struct Dump: Decodable {
        var schema: String
        var rows: [JSONValue]
        var row_groups: Int
        var codecs: [String]
        var key_value: [String: String]
    }

    static func dump(_ path: String) throws -> Dump {
        try JSONDecoder().decode(Dump.self, from: run(dumpScript, [path]))
    }

    /// Rows of a DuckDB query, each value rendered with `str`.
    static func duckdb(_ sql: String) throws -> [[String]] {
        let script = #"""
        import json, sys, duckdb
        rows = duckdb.sql(sys.argv[1]).fetchall()
        print(json.dumps([[str(v) for v in row] for row in rows]))
        """#
        return try JSONDecoder().decode([[String]].self, from: run(script, [sql]))
    }

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

/// A JSON value as the Python scripts print it.
enum JSONValue: Decodable, Equatable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// The member `name` of an object (null otherwise).
    subscript(_ name: String) -> JSONValue {
        if case .object(let members) = self { return members[name] ?? .null }
        return .null
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)"
        case .string(let value): value
        case .array(let values): "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members): "{" + members.keys.sorted().map { "\($0)=\(members[$0]?.description ?? "")" }.joined(separator: ",") + "}"
        }
    }
}

/// A fresh directory removed by `remove()`.
struct ParquetScratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "hydrant-parquet-archive-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ bytes: [UInt8], as name: String) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

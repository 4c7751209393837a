import Foundation
import Testing

/// Runs Scripts/read_parquet.py (pyarrow, DuckDB) on a file this test wrote, and decodes what it printed.
enum PythonReader {
    /// The footer as pyarrow reports it.
    struct Metadata: Decodable {
        struct SchemaColumn: Decodable {
            var path: String
            var physical_type: String
            var logical_type: String
            var converted_type: String
            var max_definition_level: Int
            var max_repetition_level: Int
        }
        struct Statistics: Decodable {
            var has_min_max: Bool
            var null_count: Int?
            var min: String?
            var max: String?
        }
        struct Chunk: Decodable {
            var path: String
            var compression: String
            var encodings: [String]
            var has_dictionary_page: Bool
            var num_values: Int
            var statistics: Statistics?
        }
        struct RowGroup: Decodable {
            var num_rows: Int
            var columns: [Chunk]
        }
        var num_rows: Int
        var num_row_groups: Int
        var created_by: String?
        var format_version: String
        var key_value: [String: String]
        var columns: [SchemaColumn]
        var row_groups: [RowGroup]
    }

    /// `dump` output: canonical row values per top-level field, the Arrow schema, the footer.
    struct Dump: Decodable {
        var rows: [String: [String]]
        var arrow_schema: String
        var metadata: Metadata
    }

    private struct QueryResult: Decodable { var rows: [[String]] }
    private struct MetadataOnly: Decodable { var metadata: Metadata }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Whether python3 can import pyarrow and duckdb (checked once).
    static let isAvailable: Bool = {
        (try? run(["-c", "import pyarrow, duckdb"])) != nil
    }()

    /// Records a warning and returns false when the readers are missing, so the calling test can return.
    static func require() -> Bool {
        if isAvailable { return true }
        Issue.record("python3 with pyarrow and duckdb is not installed; skipping the reader round trip",
                     severity: .warning)
        return false
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Scripts/read_parquet.py").path
    }

    static func dump(_ path: String) throws -> Dump {
        try JSONDecoder().decode(Dump.self, from: run([scriptPath, "dump", path]))
    }

    static func metadata(_ path: String) throws -> Metadata {
        try JSONDecoder().decode(MetadataOnly.self, from: run([scriptPath, "metadata", path])).metadata
    }

    /// Sizes of `path` and of the same table rewritten by pyarrow with `codec` and `rowGroupRows`.
    static func pyarrowRewriteSizes(_ path: String, codec: String, rowGroupRows: Int) throws -> (ours: Int, pyarrow: Int) {
        struct Sizes: Decodable { var ours: Int; var pyarrow: Int }
        let sizes = try JSONDecoder().decode(
            Sizes.self, from: run([scriptPath, "rewrite", path, path + ".pyarrow", codec, String(rowGroupRows)]))
        return (sizes.ours, sizes.pyarrow)
    }

    /// Rows of `sql` in DuckDB, where `{file}` stands for the file path.
    static func duckdb(_ path: String, _ sql: String) throws -> [[String]] {
        try JSONDecoder().decode(QueryResult.self, from: run([scriptPath, "duckdb", path, sql])).rows
    }

    private static func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a large dump would otherwise fill the pipe and block the child.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 \(arguments.dropFirst().joined(separator: " ")) failed: "
                + (String(data: errorData, encoding: .utf8) ?? ""))
        }
        return data
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("hydrant-parquet-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Canonical renderings matching read_parquet.py's `canon`.
enum Canon {
    static func string(_ s: String?) -> String { s.map { "\"\($0)\"" } ?? "null" }
    static func int<T: BinaryInteger>(_ v: T?) -> String { v.map { "\($0)" } ?? "null" }
    static func double(_ v: Double?) -> String { v.map { "\($0)" } ?? "null" }
    static func bool(_ v: Bool?) -> String { v.map { $0 ? "true" : "false" } ?? "null" }
    static func bytes(_ v: [UInt8]?) -> String {
        v.map { "0x" + $0.map { String(format: "%02x", $0) }.joined() } ?? "null"
    }
    static func list(_ items: [String]?) -> String { items.map { "[" + $0.joined(separator: ",") + "]" } ?? "null" }
    static func group(_ fields: [(String, String)]?) -> String {
        fields.map { "{" + $0.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}" } ?? "null"
    }
}

import HydrantArchive
import Yams

/// `format`, `parquet` and `schema` of a stream, and what they change in `compression` and `buffering`.
extension StreamConfigurationReader {
    /// The stream keys read here.
    static let formatKeys = ["format", "parquet", "schema"]
    static let parquetKeys = ["row_group_rows", "row_group_mb", "page_kb", "dictionary", "exclude_columns"]
    static let schemaColumnKeys = ["name", "type", "path", "required"]

    /// The stream's format; nil when invalid (the errors are recorded). With `format: parquet`, `compression`
    /// names the Parquet codec (snappy by default); `parquet` and `schema` are only allowed then.
    func readFormat(_ fields: MappingFields, path: String) -> ArchiveFormat? {
        var isParquet = false
        if let field = fields["format"] {
            guard case .scalar(let scalar) = field.value, !NodeReader.isNull(scalar),
                  ArchiveFormat.names.contains(scalar.string) else {
                reader.fail(.notAllowed, at: field.value, path: path + ".format",
                            "must be one of \(ArchiveFormat.names.joined(separator: ", ")), got \(NodeReader.describe(field.value))")
                return nil
            }
            isParquet = scalar.string == "parquet"
        }
        guard isParquet else {
            for key in ["parquet", "schema"] {
                if let field = fields[key] {
                    reader.fail(.invalidValue, at: field.key, path: path + "." + key, "needs format: parquet")
                    return nil
                }
            }
            return .jsonLines
        }
        var format = ParquetFormat()
        var valid = true
        if let field = fields["compression"] {
            if case .scalar(let scalar) = field.value, !NodeReader.isNull(scalar),
               let codec = ParquetFormat.codec(named: scalar.string) {
                format.compression = codec
            } else {
                reader.fail(.notAllowed, at: field.value, path: path + ".compression",
                            "must be one of \(ParquetFormat.codecNames.joined(separator: ", ")) with format: parquet (the "
                                + "Parquet page codec), got \(NodeReader.describe(field.value))")
                valid = false
            }
        }
        if let field = fields["parquet"] {
            let parquetPath = path + ".parquet"
            if let options = reader.mapping(field.value, path: parquetPath, allowed: Self.parquetKeys) {
                if let value = options["row_group_rows"] {
                    if let rows = reader.integer(value.value, path: parquetPath + ".row_group_rows", range: 1...(1 << 30)) {
                        format.rowGroupRows = rows
                    } else { valid = false }
                }
                if let value = options["row_group_mb"] {
                    if let size = reader.integer(value.value, path: parquetPath + ".row_group_mb", range: 1...1024) {
                        format.rowGroupMB = size
                    } else { valid = false }
                }
                if let value = options["page_kb"] {
                    if let size = reader.integer(value.value, path: parquetPath + ".page_kb", range: 64...65536) {
                        format.pageKB = size
                    } else { valid = false }
                }
                if let value = options["dictionary"] {
                    if case .scalar(let scalar) = value.value, let flag = Bool(scalar.string.lowercased()) {
                        format.dictionary = flag
                    } else {
                        reader.fail(.wrongType, at: value.value, path: parquetPath + ".dictionary",
                                    "must be true or false, got \(NodeReader.describe(value.value))")
                        valid = false
                    }
                }
                if let value = options["exclude_columns"] {
                    if let tables = readExclusions(value.value, path: parquetPath + ".exclude_columns") {
                        format.reducedTables = tables
                    } else { valid = false }
                }
            } else {
                valid = false
            }
        }
        if let field = fields["schema"] {
            if let schema = readSchema(field.value, path: path + ".schema") {
                format.declaredSchema = schema
            } else {
                valid = false
            }
        }
        return valid ? .parquet(format) : nil
    }

    /// `schema:`, a list of `{name, type, path, required}` like a Glue table's columns.
    private func readSchema(_ node: Node, path: String) -> ArchiveSchema? {
        guard let nodes = reader.sequence(node, path: path, of: "{name, type, path} mappings") else { return nil }
        var columns: [ArchiveColumn] = []
        var valid = true
        for (index, element) in nodes.enumerated() {
            let columnPath = "\(path)[\(index)]"
            guard let fields = reader.mapping(element, path: columnPath, allowed: Self.schemaColumnKeys) else {
                valid = false
                continue
            }
            var name: String?
            if let field = fields["name"] { name = reader.nonEmptyString(field.value, path: columnPath + ".name") } else {
                reader.missing("name", in: fields)
            }
            var type: ArchiveColumnType?
            if let field = fields["type"], let text = reader.nonEmptyString(field.value, path: columnPath + ".type") {
                type = ArchiveColumnType(parsing: text)
                if type == nil {
                    reader.fail(.notAllowed, at: field.value, path: columnPath + ".type",
                                "must be string, int, double, boolean, timestamp or array<one of them>, got \(NodeReader.quoted(text))")
                }
            } else if fields["type"] == nil {
                reader.missing("type", in: fields, "; one of string, int, double, boolean, timestamp, array<…>")
            }
            var jsonPath: [String]?
            if let field = fields["path"], let text = reader.nonEmptyString(field.value, path: columnPath + ".path") {
                let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                if text.first == ".", !parts.contains(where: \.isEmpty) {
                    jsonPath = parts
                } else {
                    reader.fail(.invalidValue, at: field.value, path: columnPath + ".path",
                                "must be a jq-style path of member names such as .source.ip, got \(NodeReader.quoted(text))")
                    valid = false
                }
            }
            var required = false
            if let field = fields["required"] {
                if case .scalar(let scalar) = field.value, let flag = Bool(scalar.string.lowercased()) {
                    required = flag
                } else {
                    reader.fail(.wrongType, at: field.value, path: columnPath + ".required",
                                "must be true or false, got \(NodeReader.describe(field.value))")
                    valid = false
                }
            }
            guard let name, let type else {
                valid = false
                continue
            }
            columns.append(ArchiveColumn(name: name, type: type, path: jsonPath, required: required))
        }
        guard valid else { return nil }
        do throws(ArchiveSchemaError) {
            return try ArchiveSchema(name: "declared", columns: columns)
        } catch {
            reader.fail(.invalidValue, at: node, path: path, "is invalid: \(error.description)")
            return nil
        }
    }

    /// Firehose's buffer size for format conversion (128 MiB) when the stream writes Parquet and gives no size.
    func formatBuffering(_ hints: BufferingHints, format: ArchiveFormat, field: MappingFields.Field?) -> BufferingHints {
        guard format.parquet != nil else { return hints }
        if let field, case .mapping(let mapping) = field.value,
           mapping.contains(where: { $0.key.string == "size_mb" }) {
            return hints
        }
        return BufferingHints(sizeMB: ArchiveFormat.parquetDefaultBufferMB, intervalSeconds: hints.intervalSeconds)
    }
}

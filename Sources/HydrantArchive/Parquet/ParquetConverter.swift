import HydrantParquet
import HydrantRecords

/// Converts a buffer of JSON lines records into Parquet files, one per table the records belong to, as Firehose's
/// record format conversion does with its Glue table.
///
/// A record's table is the generated schema of its `event.dataset` (`network.flow`, …), else the declared schema
/// when the stream has one. A record with neither, a malformed record, or one whose values do not fit its table's
/// column types is returned as a failure with the reason, for the error output (`format-conversion-failed`).
/// Members the table has no column for are ignored (as Firehose's JSON deserialisers do).
public struct ParquetConverter: Sendable {
    /// The `errorCode` of a record that is not one well-formed JSON object.
    public static let malformedCode = "DataFormatConversion.MalformedRecord"
    /// The `errorCode` of a record with no table: no known `event.dataset` and no declared schema.
    public static let unknownTableCode = "DataFormatConversion.UnknownDataset"
    /// The `errorCode` of a record whose values do not fit its table.
    public static let mismatchCode = "DataFormatConversion.SchemaMismatch"
    /// The `errorCode` of records of a file the Parquet writer failed on.
    public static let writerCode = "DataFormatConversion.WriterFailed"

    /// The tables records are written with, by dataset name: the generated ones, or `format`'s reduced table of
    /// a dataset where it has one.
    public let datasets: [String: ArchiveSchema]
    /// The layout and the declared table.
    public let format: ParquetFormat

    /// A converter with the generated `datasets` (each replaced by `format`'s reduced table of its dataset, if
    /// any) and `format`'s declared schema. A reduced table of a dataset not in `datasets` is not used.
    public init(datasets: [String: ArchiveSchema], format: ParquetFormat) {
        var tables = datasets
        for (dataset, reduced) in format.reducedTables where tables[dataset] != nil { tables[dataset] = reduced }
        self.datasets = tables
        self.format = format
    }

    /// One Parquet file of the result.
    public struct File: Sendable {
        /// The table it holds.
        public let table: String
        /// The file's bytes.
        public let bytes: [UInt8]
        /// Rows in it.
        public let rows: Int
    }

    /// A record that could not be converted.
    public struct Failure: Sendable, Hashable {
        /// Where the record is in the body.
        public let range: Range<Int>
        /// The error output `errorCode`.
        public let code: String
        /// The reason.
        public let message: String
    }

    /// What `convert` produced.
    public struct Result: Sendable {
        /// The files, in the order their tables first appeared.
        public var files: [File] = []
        /// The records that went to no file.
        public var failures: [Failure] = []
    }

    /// Converts `body`: JSON records separated by newlines (a record may span lines when it is one well-formed
    /// value; anything else ends at the newline).
    public func convert(_ body: [UInt8]) -> Result {
        body.withUnsafeBufferPointer { convert($0) }
    }

    /// Converts a body held in a buffer.
    public func convert(_ body: UnsafeBufferPointer<UInt8>) -> Result {
        var result = Result()
        var tables: [Table] = []
        var tableOfName: [String: Int] = [:]
        let knownNames = datasets.keys.map { Array($0.utf8) }
        let options = format.writerOptions
        var current = -1
        var position = 0
        let count = body.count

        func table(for schema: ArchiveSchema) -> Int {
            if let index = tableOfName[schema.name] { return index }
            let isDeclared = datasets[schema.name] != schema
            tables.append(Table(schema: schema, isDeclared: isDeclared, knownNames: knownNames, options: options,
                                expectedBytes: max(4096, count / 8)))
            tableOfName[schema.name] = tables.count - 1
            return tables.count - 1
        }

        while position < count {
            while position < count, JSONScanner.isWhitespace(body[position]) { position += 1 }
            guard position < count else { break }
            let start = position
            if current < 0 {
                // The first record picks the table the next ones are tried against.
                let extent = Self.recordEnd(body, start: start)
                guard let schema = schema(named: Self.probeDataset(body, start..<extent)) else {
                    result.failures.append(noTable(body, start..<extent))
                    position = extent
                    continue
                }
                current = table(for: schema)
            }
            var attempt = current
            var outcome = tables[attempt].accept(body, from: start)
            if case .wrongTable = outcome.kind {
                if let schema = schema(named: outcome.dataset), schema.name != tables[attempt].schema.name {
                    attempt = table(for: schema)
                    outcome = tables[attempt].accept(body, from: start)
                }
            }
            switch outcome.kind {
            case .accepted:
                current = attempt
            case .failed(let code, let message):
                result.failures.append(Failure(range: start..<outcome.end, code: code, message: message))
            case .wrongTable:
                result.failures.append(Failure(range: start..<outcome.end, code: Self.unknownTableCode,
                                               message: unknownMessage(outcome.dataset)))
            }
            position = max(outcome.end, start + 1)
        }
        for table in tables {
            switch table.finish() {
            case .none:
                continue
            case .some(.success(let file)):
                result.files.append(file)
            case .some(.failure(let error)):
                for range in table.records {
                    result.failures.append(Failure(range: range, code: Self.writerCode,
                                                   message: "the Parquet writer failed: \(error)"))
                }
            }
        }
        return result
    }

    /// Where the line that holds `from` ends (the newline's index, or the end of the body).
    static func lineEnd(_ body: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var index = from
        while index < body.count, body[index] != 0x0A { index += 1 }
        return index
    }

    /// Where the record starting at `start` ends: after its JSON value and the rest of that line, or at the end of
    /// the line when it is not a well-formed value.
    static func recordEnd(_ body: UnsafeBufferPointer<UInt8>, start: Int) -> Int {
        guard let end = JSONScanner.endOfValue(in: body, from: start) else { return lineEnd(body, from: start) }
        return lineEnd(body, from: end)
    }

    /// The `event.dataset` string of the record at `range`, nil when it has none or is malformed.
    static func probeDataset(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String? {
        let record = UnsafeBufferPointer(rebasing: body[range])
        var results: [JSONScalar?] = []
        JSONScanner.find([JSONPath(["event", "dataset"])], in: record, results: &results)
        guard let scalar = results.first ?? nil, case .string = scalar.kind else { return nil }
        return scalar.text(in: record)
    }

    static func isWellFormedObject(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var start = range.lowerBound
        while start < range.upperBound, JSONScanner.isWhitespace(body[start]) { start += 1 }
        guard start < range.upperBound, body[start] == UInt8(ascii: "{") else { return false }
        var results: [JSONScalar?] = []
        return JSONScanner.find([], in: UnsafeBufferPointer(rebasing: body[range]), results: &results)
    }

    // MARK: - Tables

    /// The schema a record of `dataset` converts with.
    private func schema(named dataset: String?) -> ArchiveSchema? {
        if let dataset, let schema = datasets[dataset] { return schema }
        return format.declaredSchema
    }

    private func unknownMessage(_ dataset: String?) -> String {
        guard let dataset else {
            return "the record has no event.dataset and the stream declares no schema"
        }
        return "no schema for event.dataset \"\(dataset.prefix(80))\" (known: \(datasets.keys.sorted().joined(separator: ", "))) "
            + "and the stream declares none"
    }

    private func noTable(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Failure {
        let dataset = Self.probeDataset(body, range)
        if dataset == nil, !Self.isWellFormedObject(body, range) {
            return Failure(range: range, code: Self.malformedCode, message: "the record is not one well-formed JSON object")
        }
        return Failure(range: range, code: Self.unknownTableCode, message: unknownMessage(dataset))
    }

    /// The records of one table and its writer, opened at the first accepted record.
    private final class Table {
        let schema: ArchiveSchema
        let shredder: JSONRecordShredder
        /// Whether this is the declared table (records of known datasets do not belong to it).
        let isDeclared: Bool
        let name: [UInt8]
        let knownNames: [[UInt8]]
        let options: ParquetWriterOptions
        let expectedBytes: Int
        var writer: ParquetTableWriter?
        var writerError: ParquetError?
        /// Accepted records' ranges, to report them if the writer fails.
        var records: [Range<Int>] = []

        init(schema: ArchiveSchema, isDeclared: Bool, knownNames: [[UInt8]], options: ParquetWriterOptions,
             expectedBytes: Int) {
            self.schema = schema
            self.isDeclared = isDeclared
            self.knownNames = knownNames
            self.options = options
            self.expectedBytes = expectedBytes
            name = Array(schema.name.utf8)
            shredder = JSONRecordShredder(schema: schema)
        }

        enum Kind {
            case accepted
            case wrongTable
            case failed(String, String)
        }

        struct Outcome {
            var kind: Kind
            var end: Int
            var dataset: String?
        }

        /// Reads the record at `start` and appends it when it belongs here and fits.
        func accept(_ body: UnsafeBufferPointer<UInt8>, from start: Int) -> Outcome {
            let end: Int
            do {
                end = try shredder.shred(body, from: start)
            } catch {
                // A value of the wrong type may be found before the rest of a broken record is read.
                guard let valueEnd = JSONScanner.endOfValue(in: body, from: start) else {
                    let message = error.malformed ? error.message : "the record is not well-formed JSON"
                    return Outcome(kind: .failed(ParquetConverter.malformedCode, message),
                                   end: ParquetConverter.lineEnd(body, from: start), dataset: nil)
                }
                let extent = ParquetConverter.lineEnd(body, from: valueEnd)
                if error.malformed {
                    return Outcome(kind: .failed(ParquetConverter.malformedCode, error.message), end: extent, dataset: nil)
                }
                let dataset = ParquetConverter.probeDataset(body, start..<extent)
                if !belongs(dataset.map { Array($0.utf8) }) {
                    return Outcome(kind: .wrongTable, end: extent, dataset: dataset)
                }
                let code = error.malformed ? ParquetConverter.malformedCode : ParquetConverter.mismatchCode
                return Outcome(kind: .failed(code, error.message), end: extent, dataset: dataset)
            }
            let extent = ParquetConverter.lineEnd(body, from: end)
            for index in end..<extent where !JSONScanner.isWhitespace(body[index]) {
                return Outcome(kind: .failed(ParquetConverter.malformedCode,
                                             "the line holds more than one JSON value (deaggregate_json splits such records)"),
                               end: extent, dataset: nil)
            }
            if let range = shredder.dataset {
                let matches = isDeclared ? !knownNames.contains { Self.equal(body, range, $0) } : Self.equal(body, range, name)
                if !matches {
                    return Outcome(kind: .wrongTable, end: extent,
                                   dataset: String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self))
                }
            } else if !isDeclared {
                return Outcome(kind: .wrongTable, end: extent, dataset: nil)
            }
            records.append(start..<extent)
            guard writerError == nil else { return Outcome(kind: .accepted, end: extent) }
            do {
                if writer == nil {
                    writer = try ParquetTableWriter(schema: schema, options: options, expectedBytes: expectedBytes)
                }
                try writer?.append(shredder, record: body)
            } catch {
                writerError = error
            }
            return Outcome(kind: .accepted, end: extent)
        }

        /// Whether a record of `dataset` belongs to this table.
        private func belongs(_ dataset: [UInt8]?) -> Bool {
            guard let dataset else { return isDeclared }
            return isDeclared ? !knownNames.contains(dataset) : dataset == name
        }

        private static func equal(_ body: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ name: [UInt8]) -> Bool {
            guard range.count == name.count else { return false }
            var offset = range.lowerBound
            for byte in name {
                if body[offset] != byte { return false }
                offset += 1
            }
            return true
        }

        /// The finished file; nil when no record was accepted.
        func finish() -> Swift.Result<File, ParquetError>? {
            if let writerError { return .failure(writerError) }
            guard let writer else { return records.isEmpty ? nil : .failure(.closed) }
            do {
                let bytes = try writer.finish()
                return .success(File(table: schema.name, bytes: bytes, rows: writer.rows))
            } catch {
                return .failure(error)
            }
        }
    }
}

import HydrantParquet

/// Writes the records one `JSONRecordShredder` accepted into one in-memory Parquet file of its schema.
final class ParquetTableWriter {
    /// Rows per `endBatch`: the writer checks row counts and row-group sizes once per batch.
    static let batchRows = 4096

    let schema: ArchiveSchema
    private let sink: ParquetMemorySink
    private let writer: ParquetFileWriter
    /// The rows not yet handed to the writer.
    private var batch: ArchiveColumnBatch
    /// Rows appended.
    private(set) var rows = 0

    init(schema: ArchiveSchema, options: ParquetWriterOptions, expectedBytes: Int) throws(ParquetError) {
        self.schema = schema
        var options = options
        options.keyValueMetadata += schema.keyValueMetadata
        sink = ParquetMemorySink(reservingCapacity: expectedBytes)
        writer = try ParquetFileWriter(schema: schema.parquet, options: options, sink: sink)
        batch = ArchiveColumnBatch(schema: schema)
    }

    /// Appends the record the shredder last read from `record`. Values were checked by the shredder, so a throw
    /// here is a writer failure (compression), after which the file is unusable. Rows are gathered column by column
    /// and handed to the column writers a batch at a time, which costs less than a call per value.
    func append(_ shredder: JSONRecordShredder, record: UnsafeBufferPointer<UInt8>) throws(ParquetError) {
        batch.add(shredder, record)
        rows += 1
        if batch.rows >= Self.batchRows { try flush() }
    }

    private func flush() throws(ParquetError) {
        guard batch.rows > 0 else { return }
        try batch.write(rows: 0..<batch.rows, to: writer)
        batch.removeAll()
    }

    /// Writes the remaining rows and the footer; returns the file.
    func finish() throws(ParquetError) -> [UInt8] {
        try flush()
        try writer.close()
        return sink.takeBytes()
    }
}

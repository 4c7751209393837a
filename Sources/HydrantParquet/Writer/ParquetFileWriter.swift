/// Writes one Apache Parquet file: `PAR1`, row groups of column chunks, the Thrift footer, `PAR1`.
///
/// Build a schema, open a writer on a path, a descriptor or memory, append values column by column in batches,
/// and close:
///
/// ```swift
/// let schema = try ParquetSchema(fields: [
///     .column("@timestamp", .timestampNanos, nullable: false),
///     .group("source", [.column("ip", .string), .column("port", .int(bitWidth: 16, signed: false))]),
///     .group("dns", [.list("answers", of: .string)]),
/// ])
/// let sink = ParquetMemorySink()
/// let writer = try ParquetFileWriter(schema: schema, options: ParquetWriterOptions(compression: .zstd()), sink: sink)
/// let timestamp = writer.columns[0], ip = writer.column("source.ip")!, port = writer.column("source.port")!
/// for record in batch {
///     try timestamp.append(record.nanos)                      // Int64
///     if let v = record.sourceIP { try ip.append(v) } else { try ip.appendNull() }
///     try port.append(UInt32(record.sourcePort))              // unsigned INT(16) takes UInt32, range-checked
/// }
/// try writer.column("dns.answers")!.appendList(["a", nil])   // one list row: [String?]?
/// try writer.endBatch(rows: batch.count)                      // every column got batch.count rows
/// let summary = try writer.close()                            // footer; sink.bytes holds the file
/// ```
///
/// - Columns are independent: append all rows of one column, then the next (column-major is fastest), or
///   interleave; `endBatch(rows:)` checks that every column received the same number of rows.
/// - Swift types per column type: `Bool`; `Int32` (int32, signed INT(8/16/32)); `UInt32` (unsigned INT(8/16/32));
///   `Int64` (int64, signed INT(64), timestampNanos); `UInt64` (unsigned INT(64)); `Double`; `String` or
///   `append(bytes:)` for string/binary; `append(bytes:)` of exactly the declared length for fixedLenByteArray.
/// - Nulls: `appendNull()` (leaf, list, or group of a required leaf) and `appendGroupNull()` (the enclosing
///   nullable group; then every column of that group must do the same for that row).
/// - Lists: `appendList(_:)` with `nil` (null list), `[]` (empty) or elements (`nil` elements when allowed), or
///   `beginList()`, element appends, `endList()` without building an array.
/// - Row groups close at exactly `rowGroupRows` rows, or at the end of a batch once `rowGroupBytes` is reached;
///   pages close at row boundaries after `pageBytes` or `pageRows`.
/// - Errors are typed (`ParquetError`). A rejected value (type mismatch, null in a required column, a value too
///   large or out of range, a misplaced list call) writes nothing, so the caller may append a replacement; inside
///   an open list the elements before it stay, and `endList()` still closes the row. Any other failure (I/O,
///   compression, a batch whose columns disagree on the row count) leaves the writer refusing further calls.
/// - Not thread-safe: a writer belongs to one task.
public final class ParquetFileWriter {
    /// The library version written into `created_by`.
    public static let version = "0.1.0"
    private static let magic: [UInt8] = Array("PAR1".utf8)

    /// The schema being written.
    public let schema: ParquetSchema
    /// The options in effect.
    public let options: ParquetWriterOptions
    /// One writer per leaf column, in `schema.columns` order.
    public let columns: [ParquetColumnWriter]

    private let sink: any ParquetSink
    private var position: Int64 = 0
    private var rowGroups: [RowGroupMetadata] = []
    private var closed = false
    /// Rows committed by `endBatch` but not yet in a written row group.
    private var pendingRows = 0
    /// Rows committed in total.
    public private(set) var rowCount: Int64 = 0

    /// What a closed file holds.
    public struct Summary: Sendable, Hashable {
        /// Rows written.
        public var rows: Int64
        /// Row groups written.
        public var rowGroups: Int
        /// File size in bytes.
        public var bytes: Int64
    }

    /// Starts a file on `sink` (the leading magic is written at once).
    public init(schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions(),
                sink: any ParquetSink) throws(ParquetError) {
        self.schema = schema
        self.options = options
        self.sink = sink
        columns = schema.columns.map { ParquetColumnWriter(descriptor: $0, options: options) }
        try write(Self.magic)
    }

    /// Starts a file at `path` (created or truncated).
    public convenience init(schema: ParquetSchema, options: ParquetWriterOptions = ParquetWriterOptions(),
                            path: String) throws(ParquetError) {
        try self.init(schema: schema, options: options, sink: ParquetFileSink(path: path))
    }

    /// The writer of the column at dotted `path` (`"source.ip"`, `"dns.answers"`), nil if there is none.
    public func column(_ path: String) -> ParquetColumnWriter? {
        columns.first { $0.descriptor.dottedPath == path }
    }

    /// The writer of the column at `fieldPath` (`["source", "ip"]`), for names that contain dots.
    public func column(fieldPath: [String]) -> ParquetColumnWriter? {
        schema.columnIndex(fieldPath).map { columns[$0] }
    }

    /// Commits a batch: every column must have received exactly `rows` rows since the previous call. Writes the
    /// row groups that reached `rowGroupRows`, and closes the current one if it reached `rowGroupBytes`.
    public func endBatch(rows: Int) throws(ParquetError) {
        guard !closed else { throw .closed }
        for column in columns {
            if column.hasOpenList {
                closed = true
                throw .listMisuse(column: column.descriptor.dottedPath, reason: "list left open at the end of a batch")
            }
            if column.batchRows != rows {
                closed = true
                throw .rowCountMismatch(column: column.descriptor.dottedPath, expected: rows, got: column.batchRows)
            }
        }
        for column in columns { column.batchRows = 0 }
        pendingRows += rows
        rowCount += Int64(rows)
        try guarded { () throws(ParquetError) in
            try writeSealedRowGroups()
            var buffered = 0
            for column in columns { buffered += column.bufferedBytes }
            if buffered >= options.rowGroupBytes { try closeRowGroup() }
        }
    }

    /// Closes the current row group at the last committed batch, if it has rows.
    public func flushRowGroup() throws(ParquetError) {
        guard !closed else { throw .closed }
        for column in columns where column.batchRows != 0 {
            throw .rowCountMismatch(column: column.descriptor.dottedPath, expected: 0, got: column.batchRows)
        }
        try guarded { () throws(ParquetError) in try closeRowGroup() }
    }

    /// Writes the remaining rows and the footer, and finishes the sink. Rows appended after the last
    /// `endBatch(rows:)` are an error.
    @discardableResult
    public func close() throws(ParquetError) -> Summary {
        guard !closed else { throw .closed }
        for column in columns where column.batchRows != 0 || column.hasOpenList {
            closed = true
            throw .rowCountMismatch(column: column.descriptor.dottedPath, expected: 0, got: column.batchRows)
        }
        try guarded { () throws(ParquetError) in
            try closeRowGroup()
            let metadata = FileMetadata(
                schema: schema.schemaElements, numRows: rowCount, rowGroups: rowGroups,
                keyValues: options.keyValueMetadata, createdBy: options.createdBy, leafCount: columns.count)
            let footer = ByteBuffer(capacity: 4096)
            metadata.serialize(into: footer)
            guard footer.count <= Int(UInt32.max) else { throw .pageTooLarge(column: "(footer)", bytes: footer.count) }
            footer.appendLE(UInt32(footer.count))
            footer.append(Self.magic)
            try write(footer.bytes)
            try sink.finish()
        }
        closed = true
        return Summary(rows: rowCount, rowGroups: rowGroups.count, bytes: position)
    }

    /// Runs `body`, marking the writer failed if it throws: a half-written file must not be continued.
    private func guarded(_ body: () throws(ParquetError) -> Void) throws(ParquetError) {
        do {
            try body()
        } catch {
            closed = true
            throw error
        }
    }

    private func closeRowGroup() throws(ParquetError) {
        if pendingRows > 0 {
            for column in columns { try column.sealChunk() }
        }
        try writeSealedRowGroups()
    }

    /// Writes every row group all columns have sealed (they seal at the same row counts, so queues align).
    private func writeSealedRowGroups() throws(ParquetError) {
        while let first = columns.first, !first.sealed.isEmpty {
            var chunks: [ColumnChunkMetadata] = []
            chunks.reserveCapacity(columns.count)
            let rows = first.sealed[0].rows
            var totalUncompressed: Int64 = 0
            var totalCompressed: Int64 = 0
            let groupStart = position
            for column in columns {
                guard !column.sealed.isEmpty, column.sealed[0].rows == rows else {
                    throw .rowCountMismatch(column: column.descriptor.dottedPath, expected: rows,
                                            got: column.sealed.first?.rows ?? 0)
                }
                let chunk = column.sealed.removeFirst()
                var dictionaryOffset: Int64?
                if let page = chunk.dictionaryPage {
                    dictionaryOffset = position
                    try write(page.bytes)
                }
                let dataOffset = position
                try write(chunk.pages.bytes)
                totalUncompressed += chunk.totalUncompressedSize
                totalCompressed += chunk.totalCompressedSize
                chunks.append(ColumnChunkMetadata(
                    physicalType: column.physical, encodings: chunk.encodings,
                    pathInSchema: column.descriptor.pathInSchema, codec: PageCompressor.codec(of: options.compression),
                    numValues: chunk.numValues, totalUncompressedSize: chunk.totalUncompressedSize,
                    totalCompressedSize: chunk.totalCompressedSize, dataPageOffset: dataOffset,
                    dictionaryPageOffset: dictionaryOffset, statistics: chunk.statistics,
                    encodingStats: chunk.encodingStats))
            }
            rowGroups.append(RowGroupMetadata(
                columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows), fileOffset: groupStart,
                totalCompressedSize: totalCompressed, ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
            pendingRows -= rows
        }
    }

    private func write(_ bytes: [UInt8]) throws(ParquetError) {
        let failure: ParquetError? = bytes.withUnsafeBytes { raw in
            do throws(ParquetError) {
                try write(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    private func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        try sink.write(bytes)
        position += Int64(bytes.count)
    }
}

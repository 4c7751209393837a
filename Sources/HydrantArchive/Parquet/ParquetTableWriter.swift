import HydrantParquet

/// Writes the records one `JSONRecordShredder` accepted into one in-memory Parquet file of its schema.
final class ParquetTableWriter {
    /// Rows per `endBatch`: the writer checks row counts and row-group sizes once per batch.
    static let batchRows = 4096

    let schema: ArchiveSchema
    private let sink: ParquetMemorySink
    private let writer: ParquetFileWriter
    private let columns: [ParquetColumnWriter]
    private let types: [ArchiveColumnType]
    private var pending = 0
    /// Rows appended.
    private(set) var rows = 0

    init(schema: ArchiveSchema, options: ParquetWriterOptions, expectedBytes: Int) throws(ParquetError) {
        self.schema = schema
        var options = options
        options.keyValueMetadata += schema.keyValueMetadata
        sink = ParquetMemorySink(reservingCapacity: expectedBytes)
        writer = try ParquetFileWriter(schema: schema.parquet, options: options, sink: sink)
        columns = writer.columns
        types = schema.columns.map(\.type)
    }

    /// Appends the record the shredder last read from `record`. Values were checked by the shredder, so a throw
    /// here is a writer failure (compression), after which the file is unusable.
    func append(_ shredder: JSONRecordShredder, record: UnsafeBufferPointer<UInt8>) throws(ParquetError) {
        for slot in 0..<columns.count {
            let column = columns[slot]
            guard shredder.has(slot) else {
                try column.appendNull()
                continue
            }
            let type = types[slot]
            if case .list = type {
                try column.beginList()
                let start = shredder.listStarts[slot]
                for element in start..<(start + shredder.listCounts[slot]) {
                    if shredder.elementNull[element] {
                        try column.appendNull()
                    } else {
                        try appendValue(type.scalar, number: shredder.elementNumbers[element],
                                        text: shredder.elementTexts[element], to: column, shredder, record)
                    }
                }
                try column.endList()
            } else {
                try appendValue(type.scalar, number: shredder.numbers[slot], text: shredder.texts[slot], to: column,
                                shredder, record)
            }
        }
        rows += 1
        pending += 1
        if pending >= Self.batchRows {
            try writer.endBatch(rows: pending)
            pending = 0
        }
    }

    @inline(__always)
    private func appendValue(_ scalar: ArchiveColumnType.Scalar, number: Int64, text: JSONRecordShredder.TextRange,
                             to column: ParquetColumnWriter, _ shredder: JSONRecordShredder,
                             _ record: UnsafeBufferPointer<UInt8>) throws(ParquetError) {
        switch scalar {
        case .int, .timestamp: try column.append(number)
        case .double: try column.append(Double(bitPattern: UInt64(bitPattern: number)))
        case .boolean: try column.append(number != 0)
        case .string:
            if text.inRecord {
                try column.append(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(record)[text.start..<text.end]))
            } else {
                try column.append(bytes: Array(shredder.unescaped[text.start..<text.end]))
            }
        }
    }

    /// Writes the remaining rows and the footer; returns the file.
    func finish() throws(ParquetError) -> [UInt8] {
        if pending > 0 {
            try writer.endBatch(rows: pending)
            pending = 0
        }
        try writer.close()
        return sink.takeBytes()
    }
}

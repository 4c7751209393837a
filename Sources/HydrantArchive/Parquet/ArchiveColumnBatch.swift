import HydrantParquet
import HydrantRecords

/// Records of one table held column by column in memory, Arrow-style (values, offsets, validity), and written to
/// Parquet a whole column at a time. This is the shape a columnar writer such as pyarrow's `write_table` starts
/// from, so the benchmark measures the writer alone with it; the stream's `ParquetConverter` fills one a few
/// thousand records at a time and writes it out (`ParquetTableWriter`).
public struct ArchiveColumnBatch: Sendable {
    /// One column's values.
    struct Column: Sendable {
        /// Whether row i (or, for a list, its list) is present.
        var valid: [Bool] = []
        /// Integers, timestamps, booleans (0/1) and double bit patterns, one per value.
        var numbers: [Int64] = []
        /// String bytes back to back; value i is `bytes[offsets[i]..<offsets[i + 1]]`.
        var bytes: [UInt8] = []
        var offsets: [Int] = [0]
        /// For lists: where row i's elements end in the value arrays; `elementValid` per element.
        var listEnds: [Int] = []
        var elementValid: [Bool] = []
    }

    /// The table.
    public let schema: ArchiveSchema
    /// Rows held.
    public private(set) var rows = 0
    /// Records of the body that did not fit (skipped).
    public private(set) var rejected = 0
    private var columns: [Column]
    /// Each column's value type and whether it is a list, read per row without copying the schema's columns.
    private let scalars: [ArchiveColumnType.Scalar]
    private let isList: [Bool]

    /// An empty batch of `schema`.
    init(schema: ArchiveSchema) {
        self.schema = schema
        columns = Array(repeating: Column(), count: schema.columns.count)
        scalars = schema.columns.map(\.type.scalar)
        isList = schema.columns.map(\.type.isList)
    }

    /// Decodes the JSON lines `body` against `schema`; records that do not fit are counted in `rejected`.
    public init(decoding body: [UInt8], schema: ArchiveSchema) {
        self.init(schema: schema)
        let shredder = JSONRecordShredder(schema: schema)
        body.withUnsafeBufferPointer { buffer in
            var position = 0
            while position < buffer.count {
                while position < buffer.count, JSONScanner.isWhitespace(buffer[position]) { position += 1 }
                guard position < buffer.count else { break }
                do {
                    position = try shredder.shred(buffer, from: position)
                    add(shredder, buffer)
                } catch {
                    rejected += 1
                    position = ParquetConverter.recordEnd(buffer, start: position)
                }
            }
        }
    }

    /// Appends the record the shredder last read from `record` as one row.
    mutating func add(_ shredder: JSONRecordShredder, _ record: UnsafeBufferPointer<UInt8>) {
        rows += 1
        func value(_ column: inout Column, _ scalar: ArchiveColumnType.Scalar, _ number: Int64,
                   _ text: JSONRecordShredder.TextRange) {
            if scalar == .string {
                if text.inRecord {
                    column.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: record[text.start..<text.end]))
                } else {
                    column.bytes.append(contentsOf: shredder.unescaped[text.start..<text.end])
                }
                column.offsets.append(column.bytes.count)
            } else {
                column.numbers.append(number)
            }
        }
        // One exclusive access to the column list per row, so that each append below checks only its own array.
        columns.withUnsafeMutableBufferPointer { columns in
            for slot in 0..<columns.count {
                let scalar = scalars[slot]
                let present = shredder.has(slot)
                columns[slot].valid.append(present)
                if isList[slot] {
                    if present {
                        let start = shredder.listStarts[slot]
                        for element in start..<(start + shredder.listCounts[slot]) {
                            let isNull = shredder.elementNull[element]
                            columns[slot].elementValid.append(!isNull)
                            value(&columns[slot], scalar, shredder.elementNumbers[element], shredder.elementTexts[element])
                        }
                    }
                    columns[slot].listEnds.append(columns[slot].elementValid.count)
                } else if present {
                    value(&columns[slot], scalar, shredder.numbers[slot], shredder.texts[slot])
                } else if scalar == .string {
                    columns[slot].offsets.append(columns[slot].bytes.count)
                } else {
                    columns[slot].numbers.append(0)
                }
            }
        }
    }

    /// Writes every row into one Parquet file with `options` (plus the table's footer metadata); returns its bytes.
    public func write(options: ParquetWriterOptions) throws(ParquetError) -> [UInt8] {
        var options = options
        options.keyValueMetadata += schema.keyValueMetadata
        let sink = ParquetMemorySink(reservingCapacity: 1 << 20)
        let writer = try ParquetFileWriter(schema: schema.parquet, options: options, sink: sink)
        let batch = 65_536
        var start = 0
        while start < rows {
            let end = min(rows, start + batch)
            try write(rows: start..<end, to: writer)
            start = end
        }
        try writer.close()
        return sink.takeBytes()
    }

    /// Appends rows `rows` to `writer`, column by column, and ends the writer's batch there.
    func write(rows: Range<Int>, to writer: ParquetFileWriter) throws(ParquetError) {
        for (slot, column) in writer.columns.enumerated() {
            if isList[slot] {
                try writeLists(columns[slot], scalar: scalars[slot], rows: rows, to: column)
            } else {
                try writeColumn(columns[slot], scalar: scalars[slot], rows: rows, to: column)
            }
        }
        try writer.endBatch(rows: rows.count)
    }

    /// Forgets every row, keeping the columns' storage for the next ones.
    mutating func removeAll() {
        for slot in columns.indices {
            columns[slot].valid.removeAll(keepingCapacity: true)
            columns[slot].numbers.removeAll(keepingCapacity: true)
            columns[slot].bytes.removeAll(keepingCapacity: true)
            columns[slot].offsets.removeAll(keepingCapacity: true)
            columns[slot].offsets.append(0)
            columns[slot].listEnds.removeAll(keepingCapacity: true)
            columns[slot].elementValid.removeAll(keepingCapacity: true)
        }
        rows = 0
    }

    /// Writes rows `rows` of a non-list column with one column-at-once call.
    private func writeColumn(_ column: Column, scalar: ArchiveColumnType.Scalar, rows: Range<Int>,
                             to writer: ParquetColumnWriter) throws(ParquetError) {
        switch scalar {
        case .int, .timestamp:
            try Self.withBuffers(column.valid, column.numbers) { valid, numbers throws(ParquetError) in
                try writer.appendColumn(UnsafeBufferPointer(rebasing: numbers[rows]),
                                        validity: UnsafeBufferPointer(rebasing: valid[rows]))
            }
        case .double:
            try Self.withBuffers(column.valid, column.numbers) { valid, numbers throws(ParquetError) in
                // The numbers of a DOUBLE column are bit patterns; Int64 and Double share size and alignment.
                let failure: ParquetError? = UnsafeBufferPointer(rebasing: numbers[rows]).withMemoryRebound(to: Double.self) {
                    doubles in
                    do throws(ParquetError) {
                        try writer.appendColumn(doubles, validity: UnsafeBufferPointer(rebasing: valid[rows]))
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
            }
        case .boolean:
            let flags = column.numbers[rows].map { $0 != 0 }
            try Self.withBuffers(column.valid, flags) { valid, flags throws(ParquetError) in
                try writer.appendColumn(flags, validity: UnsafeBufferPointer(rebasing: valid[rows]))
            }
        case .string:
            try Self.withBuffers(column.valid, column.offsets) { valid, offsets throws(ParquetError) in
                let failure: ParquetError? = column.bytes.withUnsafeBytes { bytes in
                    do throws(ParquetError) {
                        try writer.appendColumn(
                            bytes: bytes, offsets: UnsafeBufferPointer(rebasing: offsets[rows.lowerBound...rows.upperBound]),
                            validity: UnsafeBufferPointer(rebasing: valid[rows]))
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
            }
        }
    }

    /// Runs `body` on the storage of two arrays, carrying its typed error out of the untyped-rethrowing accessors.
    private static func withBuffers<A, B>(
        _ a: [A], _ b: [B], _ body: (UnsafeBufferPointer<A>, UnsafeBufferPointer<B>) throws(ParquetError) -> Void
    ) throws(ParquetError) {
        let failure: ParquetError? = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                do throws(ParquetError) {
                    try body(pa, pb)
                    return nil
                } catch {
                    return error
                }
            }
        }
        if let failure { throw failure }
    }

    /// Writes rows `rows` of a list column, one list at a time.
    private func writeLists(_ column: Column, scalar: ArchiveColumnType.Scalar, rows: Range<Int>,
                            to writer: ParquetColumnWriter) throws(ParquetError) {
        @inline(__always)
        func put(_ index: Int) throws(ParquetError) {
            switch scalar {
            case .int, .timestamp: try writer.append(column.numbers[index])
            case .double: try writer.append(Double(bitPattern: UInt64(bitPattern: column.numbers[index])))
            case .boolean: try writer.append(column.numbers[index] != 0)
            case .string:
                let from = column.offsets[index]
                let to = column.offsets[index + 1]
                let failure: ParquetError? = column.bytes.withUnsafeBytes { raw in
                    do throws(ParquetError) {
                        try writer.append(bytes: UnsafeRawBufferPointer(rebasing: raw[from..<to]))
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
            }
        }
        for row in rows {
            if !column.valid[row] {
                try writer.appendNull()
                continue
            }
            try writer.beginList()
            for element in (row == 0 ? 0 : column.listEnds[row - 1])..<column.listEnds[row] {
                if column.elementValid[element] { try put(element) } else { try writer.appendNull() }
            }
            try writer.endList()
        }
    }
}

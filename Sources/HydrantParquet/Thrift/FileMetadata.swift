/// The footer structures of `parquet.thrift` this writer emits, and their compact-protocol serialisation.
///
/// Field ids follow the specification; optional fields we never set are simply absent.
struct StatisticsMetadata {
    var nullCount: Int64
    var minValue: [UInt8]?
    var maxValue: [UInt8]?

    func write(_ w: inout CompactProtocolWriter) {
        w.field(3, i64: nullCount)
        if let maxValue { w.field(5, binary: maxValue) }
        if let minValue { w.field(6, binary: minValue) }
    }
}

/// `PageEncodingStats`.
struct EncodingCount {
    var pageType: PageType
    var encoding: PageEncoding
    var count: Int32
}

/// `ColumnMetaData` together with the `ColumnChunk` that holds it.
struct ColumnChunkMetadata {
    var physicalType: PhysicalType
    var encodings: [PageEncoding]
    var pathInSchema: [String]
    var codec: Int32
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsMetadata
    var encodingStats: [EncodingCount]

    /// Where the chunk starts in the file: its dictionary page when it has one.
    var chunkStart: Int64 { dictionaryPageOffset ?? dataPageOffset }

    func write(_ w: inout CompactProtocolWriter) {
        w.beginListStruct()
        w.field(2, i64: chunkStart)
        w.beginStruct(3)
        w.field(1, i32: physicalType.rawValue)
        w.beginList(2, .i32, count: encodings.count)
        for encoding in encodings { w.listElement(i32: encoding.rawValue) }
        w.beginList(3, .binary, count: pathInSchema.count)
        for name in pathInSchema { w.listElement(string: name) }
        w.field(4, i32: codec)
        w.field(5, i64: numValues)
        w.field(6, i64: totalUncompressedSize)
        w.field(7, i64: totalCompressedSize)
        w.field(9, i64: dataPageOffset)
        if let dictionaryPageOffset { w.field(11, i64: dictionaryPageOffset) }
        w.beginStruct(12)
        statistics.write(&w)
        w.endStruct()
        w.beginList(13, .structure, count: encodingStats.count)
        for stat in encodingStats {
            w.beginListStruct()
            w.field(1, i32: stat.pageType.rawValue)
            w.field(2, i32: stat.encoding.rawValue)
            w.field(3, i32: stat.count)
            w.endStruct()
        }
        w.endStruct()
        w.endStruct()
    }
}

/// `RowGroup`.
struct RowGroupMetadata {
    var columns: [ColumnChunkMetadata]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64
    var totalCompressedSize: Int64
    var ordinal: Int16

    func write(_ w: inout CompactProtocolWriter) {
        w.beginListStruct()
        w.beginList(1, .structure, count: columns.count)
        for column in columns { column.write(&w) }
        w.field(2, i64: totalByteSize)
        w.field(3, i64: numRows)
        w.field(5, i64: fileOffset)
        w.field(6, i64: totalCompressedSize)
        w.fieldI16(7, ordinal)
        w.endStruct()
    }
}

extension CompactProtocolWriter {
    /// i16 fields are zigzag varints like i32; only `RowGroup.ordinal` uses one.
    mutating func fieldI16(_ id: Int16, _ value: Int16) {
        field(id, i32: Int32(value))
    }
}

/// `FileMetaData`.
struct FileMetadata {
    var schema: [SchemaElementMetadata]
    var numRows: Int64
    var rowGroups: [RowGroupMetadata]
    var keyValues: [ParquetKeyValue]
    var createdBy: String
    var leafCount: Int

    func serialize(into out: ByteBuffer) {
        var w = CompactProtocolWriter(out: out)
        w.field(1, i32: 2)
        w.beginList(2, .structure, count: schema.count)
        for element in schema { element.write(&w) }
        w.field(3, i64: numRows)
        w.beginList(4, .structure, count: rowGroups.count)
        for group in rowGroups { group.write(&w) }
        if !keyValues.isEmpty {
            w.beginList(5, .structure, count: keyValues.count)
            for pair in keyValues {
                w.beginListStruct()
                w.field(1, string: pair.key)
                if let value = pair.value { w.field(2, string: value) }
                w.endStruct()
            }
        }
        w.field(6, string: createdBy)
        // Every leaf uses the type-defined order; without this list readers must not trust min/max of
        // unsigned and byte-array columns.
        w.beginList(7, .structure, count: leafCount)
        for _ in 0..<leafCount {
            w.beginListStruct()
            w.emptyStruct(1)
            w.endStruct()
        }
        w.finish()
    }
}

/// `SchemaElement`.
struct SchemaElementMetadata {
    var name: String
    var physicalType: PhysicalType?
    var typeLength: Int32?
    var repetition: RepetitionType?
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var logicalType: LogicalTypeMetadata?

    func write(_ w: inout CompactProtocolWriter) {
        w.beginListStruct()
        if let physicalType { w.field(1, i32: physicalType.rawValue) }
        if let typeLength { w.field(2, i32: typeLength) }
        if let repetition { w.field(3, i32: repetition.rawValue) }
        w.field(4, string: name)
        if let numChildren { w.field(5, i32: numChildren) }
        if let convertedType { w.field(6, i32: convertedType.rawValue) }
        if let logicalType {
            w.beginStruct(10)
            logicalType.write(&w)
            w.endStruct()
        }
        w.endStruct()
    }
}

/// The members of the `LogicalType` union this writer uses.
enum LogicalTypeMetadata {
    case string
    case list
    case timestampNanos(adjustedToUTC: Bool)
    case integer(bitWidth: Int8, signed: Bool)

    func write(_ w: inout CompactProtocolWriter) {
        switch self {
        case .string:
            w.emptyStruct(1)
        case .list:
            w.emptyStruct(3)
        case .timestampNanos(let adjusted):
            w.beginStruct(8)
            w.field(1, bool: adjusted)
            w.beginStruct(2)
            w.emptyStruct(3)
            w.endStruct()
            w.endStruct()
        case .integer(let bitWidth, let signed):
            w.beginStruct(10)
            w.field(1, i8: bitWidth)
            w.field(2, bool: signed)
            w.endStruct()
        }
    }
}

/// `PageHeader` for a data page (v1) or a dictionary page.
enum PageHeaderMetadata {
    case data(numValues: Int32, encoding: PageEncoding)
    case dictionary(numValues: Int32)

    func serialize(uncompressedSize: Int32, compressedSize: Int32, into out: ByteBuffer) {
        var w = CompactProtocolWriter(out: out)
        switch self {
        case .data(let numValues, let encoding):
            w.field(1, i32: PageType.dataPage.rawValue)
            w.field(2, i32: uncompressedSize)
            w.field(3, i32: compressedSize)
            w.beginStruct(5)
            w.field(1, i32: numValues)
            w.field(2, i32: encoding.rawValue)
            w.field(3, i32: PageEncoding.rle.rawValue)
            w.field(4, i32: PageEncoding.rle.rawValue)
            w.endStruct()
        case .dictionary(let numValues):
            w.field(1, i32: PageType.dictionaryPage.rawValue)
            w.field(2, i32: uncompressedSize)
            w.field(3, i32: compressedSize)
            w.beginStruct(7)
            w.field(1, i32: numValues)
            w.field(2, i32: PageEncoding.plain.rawValue)
            w.endStruct()
        }
        w.finish()
    }
}

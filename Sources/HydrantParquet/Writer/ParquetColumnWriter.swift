/// Buffers, encodes and compresses the values of one leaf column; obtained from `ParquetFileWriter.columns`.
///
/// Each top-level call appends one row: a value, `appendNull()`, `appendGroupNull()`, or for a list column a
/// `beginList()` … elements … `endList()` sequence (or `appendList(_:)`). Values go straight into the current
/// page: dictionary indices (RLE_DICTIONARY) until the dictionary outgrows `dictionaryLimitBytes`, then PLAIN for
/// the rest of the column chunk. Pages close at row boundaries; chunks close at exactly `rowGroupRows` rows.
/// Not thread-safe: one task writes one file.
public final class ParquetColumnWriter {
    /// The largest BYTE_ARRAY value Parquet can hold: lengths are signed 32-bit.
    public static let maxByteArrayLength = Int(Int32.max)

    /// The column this writer fills.
    public let descriptor: ParquetColumnDescriptor

    /// Rejects a byte string of `length` bytes for `column` before anything is copied.
    public static func validateByteArrayLength(_ length: Int, column: String) throws(ParquetError) {
        if length > maxByteArrayLength || length < 0 {
            throw .valueTooLarge(column: column, length: length, limit: maxByteArrayLength)
        }
    }

    /// What Swift values the column takes; one comparison per append checks it.
    enum ValueKind {
        case boolean, int32Signed, int32Unsigned, int64Signed, int64Unsigned, double, byteArray, fixed
    }

    let kind: ValueKind
    let physical: PhysicalType
    let fixedLength: Int
    let smallRange: ClosedRange<Int64>?
    let maxDef: UInt8
    let maxRep: UInt8
    let defBitWidth: Int
    let repBitWidth: Int
    /// Definition level of a row-level null (a null leaf, a null list, or, for a required leaf in a nullable
    /// group, the group); nil when the column cannot be null at row level.
    let rowNullDef: UInt8?
    private let emptyListDef: UInt8
    let pageBytesLimit: Int
    let pageRowsLimit: Int
    let rowGroupRows: Int
    let dictionaryLimit: Int
    private let compressor: PageCompressor
    /// Whether INT32/INT64 values outside the dictionary are written DELTA_BINARY_PACKED (else PLAIN).
    private let deltaFallback: Bool
    private let adaptiveDictionary: Bool
    /// The encoding of data pages that do not use the dictionary.
    private let fallbackEncoding: PageEncoding

    // Current page.
    let defLevels = ValueBuffer<UInt8>()
    private let repLevels = ValueBuffer<UInt8>()
    var pageEntries = 0
    var pageRows = 0
    let plainValues = ByteBuffer(capacity: 1 << 16)
    var booleanBits = 0
    let indices = ValueBuffer<UInt32>()
    var dictionaryMode: Bool
    var fallbackPending = false
    var fixedDictionary = FixedWidthDictionary()
    var bytesDictionary = ByteArrayDictionary()
    var dictionaryPlainBytes = 0
    private let pageBody = ByteBuffer(capacity: 1 << 16)

    // Current chunk.
    private var chunkPages = ByteBuffer(capacity: 1 << 16)
    private var chunkEntries: Int64 = 0
    private var chunkUncompressed: Int64 = 0
    private var chunkCompressed: Int64 = 0
    var chunkRows = 0
    private var dictionaryPages: Int32 = 0
    private var fallbackPages: Int32 = 0
    /// PLAIN pages of a fallback-encoded chunk that held no values (all nulls): their body is empty either way.
    private var plainPages: Int32 = 0
    var statistics: ColumnChunkStatistics

    /// Chunks closed at `rowGroupRows`, waiting for the file writer to place them in a row group.
    var sealed: [SealedColumnChunk] = []
    /// Rows appended since the file writer's last `endBatch`.
    var batchRows = 0
    var inList = false
    private var listCount = 0

    init(descriptor: ParquetColumnDescriptor, options: ParquetWriterOptions) {
        self.descriptor = descriptor
        name = descriptor.dottedPath
        let type = descriptor.type
        physical = type.physicalType
        switch type {
        case .boolean: kind = .boolean
        case .int32: kind = .int32Signed
        case .int64, .timestampNanos: kind = .int64Signed
        case .int(let bits, let signed):
            kind = bits == 64 ? (signed ? .int64Signed : .int64Unsigned) : (signed ? .int32Signed : .int32Unsigned)
        case .double: kind = .double
        case .string, .binary: kind = .byteArray
        case .fixedLenByteArray: kind = .fixed
        }
        if case .fixedLenByteArray(let n) = type { fixedLength = n } else { fixedLength = 0 }
        smallRange = type.smallIntegerRange
        maxDef = UInt8(descriptor.maxDefinitionLevel)
        maxRep = UInt8(descriptor.maxRepetitionLevel)
        defBitWidth = RLEHybridEncoder.bitWidth(forMax: UInt64(maxDef))
        repBitWidth = RLEHybridEncoder.bitWidth(forMax: UInt64(maxRep))
        let groupDef: UInt8 = descriptor.inNullableGroup ? 1 : 0
        if descriptor.nullable {
            rowNullDef = groupDef
        } else {
            rowNullDef = descriptor.inNullableGroup ? 0 : nil
        }
        emptyListDef = groupDef + (descriptor.nullable ? 1 : 0)
        pageBytesLimit = options.pageBytes
        pageRowsLimit = options.pageRows
        rowGroupRows = options.rowGroupRows
        dictionaryLimit = options.dictionaryLimitBytes
        compressor = PageCompressor(options.compression)
        deltaFallback = options.deltaIntegers && (physical == .int32 || physical == .int64)
        fallbackEncoding = deltaFallback ? .deltaBinaryPacked : .plain
        adaptiveDictionary = options.adaptiveDictionary
        dictionaryMode = kind != .boolean && options.dictionaryLimitBytes > 0
        statistics = ColumnChunkStatistics(order: type.statisticsOrder)
    }

    /// The dotted path, stored once: error messages must not cost a string join per value.
    let name: String

    func mismatch(_ appended: String) -> ParquetError {
        .typeMismatch(column: name, columnType: descriptor.type.description, appended: appended)
    }

    // MARK: - Public single-value API

    /// Appends a BOOLEAN value.
    public func append(_ value: Bool) throws(ParquetError) {
        guard kind == .boolean else { throw mismatch("Bool") }
        try openValue()
        if booleanBits & 7 == 0 { plainValues.append(byte: 0) }
        if value {
            let last = plainValues.base + (plainValues.count - 1)
            last.storeBytes(of: last.load(as: UInt8.self) | UInt8(1 << (booleanBits & 7)), as: UInt8.self)
        }
        booleanBits += 1
        statistics.update(bits: value ? 1 : 0)
        try closeValue()
    }

    /// Appends to an INT32 column (`int32`, signed `int(8/16/32)`); INT(8/16) values are range-checked.
    public func append(_ value: Int32) throws(ParquetError) {
        guard kind == .int32Signed else { throw mismatch("Int32") }
        if let smallRange, !smallRange.contains(Int64(value)) {
            throw .valueOutOfRange(column: name, value: Int64(value), type: descriptor.type.description)
        }
        try openValue()
        putFixed(UInt64(UInt32(bitPattern: value)), width: 4)
        try closeValue()
    }

    /// Appends to an unsigned INT32 column (`int(8/16/32, signed: false)`); INT(8/16) values are range-checked.
    public func append(_ value: UInt32) throws(ParquetError) {
        guard kind == .int32Unsigned else { throw mismatch("UInt32") }
        if let smallRange, !smallRange.contains(Int64(value)) {
            throw .valueOutOfRange(column: name, value: Int64(value), type: descriptor.type.description)
        }
        try openValue()
        putFixed(UInt64(value), width: 4)
        try closeValue()
    }

    /// Appends to an INT64 column (`int64`, `int(64, signed: true)`, `timestampNanos` in ns since the epoch).
    public func append(_ value: Int64) throws(ParquetError) {
        guard kind == .int64Signed else { throw mismatch("Int64") }
        try openValue()
        putFixed(UInt64(bitPattern: value), width: 8)
        try closeValue()
    }

    /// Appends to an `int(64, signed: false)` column.
    public func append(_ value: UInt64) throws(ParquetError) {
        guard kind == .int64Unsigned else { throw mismatch("UInt64") }
        try openValue()
        putFixed(value, width: 8)
        try closeValue()
    }

    /// Appends to a DOUBLE column.
    public func append(_ value: Double) throws(ParquetError) {
        guard kind == .double else { throw mismatch("Double") }
        try openValue()
        putFixed(value.bitPattern, width: 8)
        try closeValue()
    }

    /// Appends to a `string` or `binary` column (the UTF-8 bytes, without copying the string).
    public func append(_ value: String) throws(ParquetError) {
        guard kind == .byteArray else { throw mismatch("String") }
        var value = value
        // `withUTF8` rethrows untyped errors, so the typed error is carried out by hand.
        let failure: ParquetError? = value.withUTF8 { utf8 in
            do throws(ParquetError) {
                try appendByteArray(UnsafeRawBufferPointer(utf8))
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Appends raw bytes to a `binary`, `string` (must be UTF-8) or `fixedLenByteArray` column.
    public func append(bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        switch kind {
        case .byteArray: try appendByteArray(bytes)
        case .fixed:
            guard bytes.count == fixedLength else {
                throw .fixedLengthMismatch(column: name, expected: fixedLength, got: bytes.count)
            }
            try openValue()
            putBytes(bytes)
            try closeValue()
        default: throw mismatch("bytes")
        }
    }

    /// Appends raw bytes (see `append(bytes:)` for an unsafe buffer).
    public func append(bytes: [UInt8]) throws(ParquetError) {
        let failure: ParquetError? = bytes.withUnsafeBytes { raw in
            do throws(ParquetError) {
                try append(bytes: raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    private func appendByteArray(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        if bytes.count > Self.maxByteArrayLength {
            throw .valueTooLarge(column: name, length: bytes.count, limit: Self.maxByteArrayLength)
        }
        try openValue()
        putBytes(bytes)
        try closeValue()
    }

    /// Appends a null: inside `beginList()`/`endList()` a null element; otherwise a null row value (a null leaf, a
    /// null list, or — for a required column in a nullable group — a null group).
    public func appendNull() throws(ParquetError) {
        if inList {
            guard descriptor.elementsNullable else { throw .notNullable(column: name + " (elements)") }
            emitLevels(def: maxDef - 1)
            statistics.nullCount += 1
            return
        }
        guard let def = rowNullDef else { throw .notNullable(column: name) }
        emitRowLevels(def: def)
        try endRow()
    }

    /// Appends a row in which the enclosing nullable group is null. Every column of that group must append a
    /// group null for the same row.
    public func appendGroupNull() throws(ParquetError) {
        guard descriptor.inNullableGroup else { throw .notNullable(column: "group of " + name) }
        guard !inList else { throw .listMisuse(column: name, reason: "appendGroupNull() inside a list") }
        emitRowLevels(def: 0)
        try endRow()
    }

    /// Starts a list row; elements follow with `append(_:)`/`appendNull()`, and `endList()` closes it.
    public func beginList() throws(ParquetError) {
        guard descriptor.isList else { throw .listMisuse(column: name, reason: "beginList() on a non-list column") }
        guard !inList else { throw .listMisuse(column: name, reason: "beginList() inside a list") }
        inList = true
        listCount = 0
    }

    /// Closes the list row opened by `beginList()`; a list without elements is written as empty (not null).
    public func endList() throws(ParquetError) {
        guard inList else { throw .listMisuse(column: name, reason: "endList() without beginList()") }
        inList = false
        if listCount == 0 { emitRowLevels(def: emptyListDef) }
        try endRow()
    }

    // MARK: - Levels and values

    @inline(__always)
    private func openValue() throws(ParquetError) {
        if maxRep > 0 {
            guard inList else {
                throw .listMisuse(column: name, reason: "list elements must be appended between beginList() and endList()")
            }
            repLevels.append(listCount == 0 ? 0 : 1)
            listCount += 1
        }
        if maxDef > 0 { defLevels.append(maxDef) }
        pageEntries += 1
    }

    @inline(__always)
    private func closeValue() throws(ParquetError) {
        if !inList { try endRow() }
    }

    /// Levels of an element-level entry (a null element).
    @inline(__always)
    private func emitLevels(def: UInt8) {
        repLevels.append(listCount == 0 ? 0 : 1)
        listCount += 1
        defLevels.append(def)
        pageEntries += 1
    }

    /// Levels of a row-level entry that carries no value (null row, null group, empty list).
    @inline(__always)
    private func emitRowLevels(def: UInt8) {
        if maxRep > 0 { repLevels.append(0) }
        defLevels.append(def)
        pageEntries += 1
        statistics.nullCount += 1
    }

    @inline(__always)
    func putFixed(_ bits: UInt64, width: Int) {
        if dictionaryMode {
            let (index, inserted) = fixedDictionary.index(of: bits)
            if inserted {
                statistics.update(bits: bits)
                dictionaryPlainBytes += width
                if dictionaryPlainBytes > dictionaryLimit { fallbackPending = true }
            }
            indices.append(index)
        } else {
            statistics.update(bits: bits)
            if width == 4 { plainValues.appendLE(UInt32(truncatingIfNeeded: bits)) } else { plainValues.appendLE(bits) }
        }
    }

    @inline(__always)
    func putBytes(_ bytes: UnsafeRawBufferPointer) {
        let prefix = kind == .byteArray ? 4 : 0
        if dictionaryMode {
            let (index, inserted) = bytesDictionary.index(of: bytes)
            if inserted {
                statistics.update(bytes: bytes)
                dictionaryPlainBytes += prefix + bytes.count
                if dictionaryPlainBytes > dictionaryLimit { fallbackPending = true }
            }
            indices.append(index)
        } else {
            statistics.update(bytes: bytes)
            if prefix > 0 { plainValues.appendLE(UInt32(truncatingIfNeeded: bytes.count)) }
            plainValues.append(bytes)
        }
    }

    private var dictionaryCount: Int { kind == .byteArray || kind == .fixed ? bytesDictionary.count : fixedDictionary.count }

    /// A cheap upper estimate of the current page's encoded size.
    var estimatedPageBytes: Int {
        let levels = (pageEntries &* (defBitWidth &+ repBitWidth)) >> 3
        if dictionaryMode {
            let width = RLEHybridEncoder.bitWidth(forMax: UInt64(max(dictionaryCount, 2) - 1))
            return levels &+ ((indices.count &* width) >> 3)
        }
        return levels &+ plainValues.count
    }

    /// Encoded size of everything buffered for the current chunk (for the row-group byte limit).
    var bufferedBytes: Int {
        var total = chunkPages.count + estimatedPageBytes + (dictionaryMode || dictionaryCount > 0 ? dictionaryPlainBytes : 0)
        for chunk in sealed { total += chunk.pages.count + (chunk.dictionaryPage?.count ?? 0) }
        return total
    }

    var hasOpenList: Bool { inList }

    var rowsInChunk: Int { chunkRows }

    @inline(__always)
    private func endRow() throws(ParquetError) {
        pageRows &+= 1
        batchRows &+= 1
        chunkRows &+= 1
        if chunkRows >= rowGroupRows {
            try sealChunk()
        } else if pageRows >= pageRowsLimit || fallbackPending || plainValues.count >= pageBytesLimit
            || (pageRows & 31 == 0 && estimatedPageBytes >= pageBytesLimit) {
            // The full estimate (levels, index widths) is refreshed every 32 rows; PLAIN bytes, which one
            // large value can inflate, are checked on every row.
            try flushPage()
        }
    }

    // MARK: - Pages and chunks

    func flushPage() throws(ParquetError) {
        guard pageEntries > 0 else { return }
        pageBody.removeAll()
        if maxRep > 0 { appendLevels(repLevels, bitWidth: repBitWidth) }
        if maxDef > 0 { appendLevels(defLevels, bitWidth: defBitWidth) }
        let encoding: PageEncoding
        if dictionaryMode && !indices.isEmpty && adaptiveDictionary && dictionaryPages == 0
            && dictionaryCount * 2 > indices.count {
            // No dictionary page was written yet, so every entry belongs to this page.
            abandonDictionary()
        }
        if dictionaryMode && !indices.isEmpty {
            encoding = .rleDictionary
            let width = max(1, RLEHybridEncoder.bitWidth(forMax: UInt64(dictionaryCount - 1)))
            pageBody.append(byte: UInt8(width))
            RLEHybridEncoder.encode(indices.buffer, bitWidth: width, into: pageBody)
        } else if plainValues.count > 0 && deltaFallback {
            encoding = .deltaBinaryPacked
            let width = physical == .int32 ? 4 : 8
            DeltaBinaryPackedEncoder.encode(plainValues.base, count: plainValues.count / width, width: width,
                                            into: pageBody)
        } else {
            // A page without values (all nulls) in dictionary mode is written PLAIN: it references no dictionary.
            encoding = .plain
            pageBody.append(plainValues)
        }
        try emitPage(header: { .data(numValues: $0, encoding: encoding) }, entries: pageEntries, body: pageBody,
                     into: chunkPages)
        switch encoding {
        case .rleDictionary: dictionaryPages += 1
        case fallbackEncoding: fallbackPages += 1
        default: plainPages += 1
        }
        chunkEntries += Int64(pageEntries)
        defLevels.removeAll()
        repLevels.removeAll()
        indices.removeAll()
        plainValues.removeAll()
        booleanBits = 0
        pageEntries = 0
        pageRows = 0
        if fallbackPending {
            dictionaryMode = false
            fallbackPending = false
        }
    }

    private func appendLevels(_ levels: ValueBuffer<UInt8>, bitWidth: Int) {
        let start = pageBody.count
        pageBody.appendLE(UInt32(0))
        RLEHybridEncoder.encode(levels.buffer, bitWidth: bitWidth, into: pageBody)
        pageBody.patchLE(UInt32(pageBody.count - start - 4), at: start)
    }

    /// Compresses `body` and appends header + compressed body to `out`, accounting sizes to the chunk.
    private func emitPage(
        header: (Int32) -> PageHeaderMetadata, entries: Int, body: ByteBuffer, into out: ByteBuffer
    ) throws(ParquetError) {
        guard body.count <= Int(Int32.max), entries <= Int(Int32.max) else {
            throw .pageTooLarge(column: name, bytes: body.count)
        }
        let compressed = try compressor.compress(body.bytes)
        guard compressed.count <= Int(Int32.max) else { throw .pageTooLarge(column: name, bytes: compressed.count) }
        let before = out.count
        header(Int32(entries)).serialize(
            uncompressedSize: Int32(body.count), compressedSize: Int32(compressed.count), into: out)
        let headerSize = out.count - before
        out.append(compressed)
        chunkUncompressed += Int64(headerSize + body.count)
        chunkCompressed += Int64(headerSize + compressed.count)
    }

    /// Closes the current chunk (its last page and its dictionary page) and queues it for the next row group.
    func sealChunk() throws(ParquetError) {
        guard chunkRows > 0 else { return }
        try flushPage()
        var dictionaryPage: ByteBuffer?
        let entries = dictionaryCount
        if entries > 0 {
            pageBody.removeAll()
            writeDictionaryPlain(into: pageBody)
            let page = ByteBuffer(capacity: pageBody.count / 2 + 64)
            try emitPage(header: { .dictionary(numValues: $0) }, entries: entries, body: pageBody, into: page)
            dictionaryPage = page
        }
        var encodings: Set<PageEncoding> = []
        var encodingStats: [EncodingCount] = []
        if dictionaryPage != nil {
            encodings.insert(.plain)
            encodingStats.append(EncodingCount(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        if dictionaryPages > 0 {
            encodings.insert(.rleDictionary)
            encodingStats.append(EncodingCount(pageType: .dataPage, encoding: .rleDictionary, count: dictionaryPages))
        }
        if fallbackPages > 0 {
            encodings.insert(fallbackEncoding)
            encodingStats.append(EncodingCount(pageType: .dataPage, encoding: fallbackEncoding, count: fallbackPages))
        }
        if plainPages > 0 {
            encodings.insert(.plain)
            encodingStats.append(EncodingCount(pageType: .dataPage, encoding: .plain, count: plainPages))
        }
        if maxDef > 0 || maxRep > 0 { encodings.insert(.rle) }
        sealed.append(SealedColumnChunk(
            dictionaryPage: dictionaryPage, pages: chunkPages, rows: chunkRows, numValues: chunkEntries,
            totalUncompressedSize: chunkUncompressed, totalCompressedSize: chunkCompressed,
            encodings: encodings.sorted(), encodingStats: encodingStats,
            statistics: statistics.metadata(physical: physical)))
        chunkPages = ByteBuffer(capacity: 1 << 16)
        chunkEntries = 0
        chunkUncompressed = 0
        chunkCompressed = 0
        chunkRows = 0
        dictionaryPages = 0
        fallbackPages = 0
        plainPages = 0
        statistics.reset()
        fixedDictionary.removeAll()
        bytesDictionary.removeAll()
        dictionaryPlainBytes = 0
        dictionaryMode = kind != .boolean && dictionaryLimit > 0
    }

    /// Turns the current page's dictionary indices back into values and leaves dictionary mode for the rest of
    /// the chunk, dropping the dictionary (the chunk then has no dictionary page). Statistics already cover every
    /// value: each was folded in when it entered the dictionary.
    private func abandonDictionary() {
        plainValues.removeAll()
        switch kind {
        case .byteArray, .fixed:
            for index in indices.buffer {
                let entry = bytesDictionary.entry(Int(index))
                if kind == .byteArray { plainValues.appendLE(UInt32(entry.count)) }
                plainValues.append(entry)
            }
        case .int32Signed, .int32Unsigned:
            fixedDictionary.keys.withUnsafeBufferPointer { keys in
                for index in indices.buffer { plainValues.appendLE(UInt32(truncatingIfNeeded: keys[Int(index)])) }
            }
        case .int64Signed, .int64Unsigned, .double:
            fixedDictionary.keys.withUnsafeBufferPointer { keys in
                for index in indices.buffer { plainValues.appendLE(keys[Int(index)]) }
            }
        case .boolean:
            break
        }
        indices.removeAll()
        fixedDictionary.removeAll()
        bytesDictionary.removeAll()
        dictionaryPlainBytes = 0
        dictionaryMode = false
        fallbackPending = false
    }

    private func writeDictionaryPlain(into out: ByteBuffer) {
        switch kind {
        case .byteArray, .fixed:
            for i in 0..<bytesDictionary.count {
                let entry = bytesDictionary.entry(i)
                if kind == .byteArray { out.appendLE(UInt32(entry.count)) }
                out.append(entry)
            }
        case .int32Signed, .int32Unsigned:
            for key in fixedDictionary.keys { out.appendLE(UInt32(truncatingIfNeeded: key)) }
        case .int64Signed, .int64Unsigned, .double:
            for key in fixedDictionary.keys { out.appendLE(key) }
        case .boolean:
            break
        }
    }
}

/// A finished column chunk: its pages in file order and the metadata that does not depend on its file offset.
struct SealedColumnChunk {
    var dictionaryPage: ByteBuffer?
    var pages: ByteBuffer
    var rows: Int
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var encodings: [PageEncoding]
    var encodingStats: [EncodingCount]
    var statistics: StatisticsMetadata
}

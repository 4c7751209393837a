/// Column-at-once appends: a whole slice of rows of one non-list column in one call, Arrow-style (a value buffer,
/// byte-string offsets, an optional validity buffer).
///
/// The rows are checked before anything is written (types, ranges, lengths, nullability), so a throw leaves the
/// column as it was. Then levels, dictionary lookups and statistics run in tight loops over segments that end at
/// page and row-group boundaries, instead of one call, one check and one boundary test per value.
extension ParquetColumnWriter {
    /// Rows per inner segment: page-size limits are checked between segments.
    static let segmentRows = 4096
    /// Byte strings can be long, so their segments are shorter to keep pages near `pageBytes`.
    static let byteSegmentRows = 512

    /// Appends one row per value of an INT64 column (`int64`, `int(64, signed: true)`, `timestampNanos`); rows
    /// whose `validity` entry is false are null (their value is ignored).
    public func appendColumn(_ values: UnsafeBufferPointer<Int64>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .int64Signed else { throw mismatch("Int64 column") }
        try appendFixedColumn(count: values.count, validity: validity, width: 8) { UInt64(bitPattern: values[$0]) }
    }

    /// Appends one row per value of an `int(64, signed: false)` column; see `appendColumn(_:validity:)`.
    public func appendColumn(_ values: UnsafeBufferPointer<UInt64>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .int64Unsigned else { throw mismatch("UInt64 column") }
        try appendFixedColumn(count: values.count, validity: validity, width: 8) { values[$0] }
    }

    /// Appends one row per value of an INT32 column (`int32`, signed `int(8/16/32)`); INT(8/16) values are
    /// range-checked first.
    public func appendColumn(_ values: UnsafeBufferPointer<Int32>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .int32Signed else { throw mismatch("Int32 column") }
        if let smallRange {
            for i in values.indices where validity.map({ $0[i] }) ?? true && !smallRange.contains(Int64(values[i])) {
                throw .valueOutOfRange(column: name, value: Int64(values[i]), type: descriptor.type.description)
            }
        }
        try appendFixedColumn(count: values.count, validity: validity, width: 4) {
            UInt64(UInt32(bitPattern: values[$0]))
        }
    }

    /// Appends one row per value of an unsigned INT32 column (`int(8/16/32, signed: false)`); INT(8/16) values are
    /// range-checked first.
    public func appendColumn(_ values: UnsafeBufferPointer<UInt32>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .int32Unsigned else { throw mismatch("UInt32 column") }
        if let smallRange {
            for i in values.indices where validity.map({ $0[i] }) ?? true && !smallRange.contains(Int64(values[i])) {
                throw .valueOutOfRange(column: name, value: Int64(values[i]), type: descriptor.type.description)
            }
        }
        try appendFixedColumn(count: values.count, validity: validity, width: 4) { UInt64(values[$0]) }
    }

    /// Appends one row per value of a DOUBLE column; see `appendColumn(_:validity:)`.
    public func appendColumn(_ values: UnsafeBufferPointer<Double>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .double else { throw mismatch("Double column") }
        try appendFixedColumn(count: values.count, validity: validity, width: 8) { values[$0].bitPattern }
    }

    /// Appends one row per value of a BOOLEAN column; see `appendColumn(_:validity:)`.
    public func appendColumn(_ values: UnsafeBufferPointer<Bool>, validity: UnsafeBufferPointer<Bool>? = nil)
        throws(ParquetError)
    {
        guard kind == .boolean else { throw mismatch("Bool column") }
        try appendRows(count: values.count, validity: validity, segment: Self.segmentRows) { i in
            let value = values[i]
            if booleanBits & 7 == 0 { plainValues.append(byte: 0) }
            if value {
                let last = plainValues.base + (plainValues.count - 1)
                last.storeBytes(of: last.load(as: UInt8.self) | UInt8(1 << (booleanBits & 7)), as: UInt8.self)
            }
            booleanBits += 1
            statistics.update(bits: value ? 1 : 0)
        }
    }

    /// Appends one row per value of a `string`, `binary` or `fixedLenByteArray` column: value i is
    /// `bytes[offsets[i]..<offsets[i + 1]]` (so `offsets` has one entry more than there are rows, and starts
    /// wherever the slice starts). Strings must be UTF-8.
    public func appendColumn(bytes: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<Int>,
                             validity: UnsafeBufferPointer<Bool>? = nil) throws(ParquetError)
    {
        guard kind == .byteArray || kind == .fixed else { throw mismatch("byte-string column") }
        guard offsets.count >= 1 else {
            throw .listMisuse(column: name, reason: "offsets must have one entry more than there are rows")
        }
        let count = offsets.count - 1
        guard offsets[0] >= 0, offsets[count] <= bytes.count else {
            throw .listMisuse(column: name, reason: "offsets \(offsets[0])...\(offsets[count]) are outside the \(bytes.count) bytes")
        }
        for i in 0..<count {
            let length = offsets[i + 1] - offsets[i]
            guard length >= 0 else {
                throw .listMisuse(column: name, reason: "offsets decrease at row \(i)")
            }
            if let validity, i < validity.count, !validity[i] { continue }
            if kind == .fixed {
                guard length == fixedLength else {
                    throw .fixedLengthMismatch(column: name, expected: fixedLength, got: length)
                }
            } else if length > Self.maxByteArrayLength {
                throw .valueTooLarge(column: name, length: length, limit: Self.maxByteArrayLength)
            }
        }
        let base = bytes.baseAddress.map { UnsafeRawPointer($0) }
        try appendSegments(count: count, validity: validity, segment: Self.byteSegmentRows) { rows in
            putBytesSegment(rows, validity: validity, base: base, offsets: offsets)
        }
    }

    @inline(__always)
    private func appendFixedColumn(count: Int, validity: UnsafeBufferPointer<Bool>?, width: Int,
                                   _ bits: (Int) -> UInt64) throws(ParquetError)
    {
        try appendSegments(count: count, validity: validity, segment: Self.segmentRows) { rows in
            putFixedSegment(rows, validity: validity, width: width, bits)
        }
    }

    /// Appends `rows` one value at a time through `put` (booleans).
    @inline(__always)
    private func appendRows(count: Int, validity: UnsafeBufferPointer<Bool>?, segment: Int,
                            _ put: (Int) -> Void) throws(ParquetError)
    {
        try appendSegments(count: count, validity: validity, segment: segment) { rows in
            for i in rows where validity?[i] ?? true { put(i) }
        }
    }

    /// The values of `rows` (present ones only) of a fixed-width column. The dictionary and statistics are moved
    /// into locals for the loop: a stored property of a class is checked for exclusive access at run time on every
    /// mutating call, a local at compile time.
    @inline(__always)
    private func putFixedSegment(_ rows: Range<Int>, validity: UnsafeBufferPointer<Bool>?, width: Int,
                                 _ bits: (Int) -> UInt64) {
        var stats = ColumnChunkStatistics(order: statistics.order)
        swap(&stats, &statistics)
        defer { swap(&stats, &statistics) }
        if dictionaryMode {
            var dictionary = FixedWidthDictionary.placeholder
            swap(&dictionary, &fixedDictionary)
            defer { swap(&dictionary, &fixedDictionary) }
            let out = indices.writableTail(rows.count)
            var written = 0
            var added = 0
            for i in rows where validity?[i] ?? true {
                let key = bits(i)
                let (index, inserted) = dictionary.index(of: key)
                if inserted {
                    stats.update(bits: key)
                    added &+= 1
                }
                out[written] = index
                written &+= 1
            }
            indices.commit(written)
            dictionaryPlainBytes &+= added &* width
            if dictionaryPlainBytes > dictionaryLimit { fallbackPending = true }
        } else {
            let out = plainValues.writableTail(rows.count &* width)
            var written = 0
            for i in rows where validity?[i] ?? true {
                let key = bits(i)
                stats.update(bits: key)
                if width == 4 {
                    out.storeBytes(of: UInt32(truncatingIfNeeded: key).littleEndian, toByteOffset: written, as: UInt32.self)
                } else {
                    out.storeBytes(of: key.littleEndian, toByteOffset: written, as: UInt64.self)
                }
                written &+= width
            }
            plainValues.commit(written)
        }
    }

    /// The values of `rows` (present ones only) of a byte-string column, `base[offsets[i]..<offsets[i + 1]]`.
    @inline(__always)
    private func putBytesSegment(_ rows: Range<Int>, validity: UnsafeBufferPointer<Bool>?, base: UnsafeRawPointer?,
                                 offsets: UnsafeBufferPointer<Int>) {
        var stats = ColumnChunkStatistics(order: statistics.order)
        swap(&stats, &statistics)
        defer { swap(&stats, &statistics) }
        let prefix = kind == .byteArray
        if dictionaryMode {
            var dictionary = ByteArrayDictionary.placeholder
            swap(&dictionary, &bytesDictionary)
            defer { swap(&dictionary, &bytesDictionary) }
            let out = indices.writableTail(rows.count)
            var written = 0
            var added = 0
            for i in rows where validity?[i] ?? true {
                let start = offsets[i]
                let value = UnsafeRawBufferPointer(start: base.map { $0 + start }, count: offsets[i &+ 1] &- start)
                let (index, inserted) = dictionary.index(of: value)
                if inserted {
                    stats.update(bytes: value)
                    added &+= (prefix ? 4 : 0) &+ value.count
                }
                out[written] = index
                written &+= 1
            }
            indices.commit(written)
            dictionaryPlainBytes &+= added
            if dictionaryPlainBytes > dictionaryLimit { fallbackPending = true }
        } else {
            for i in rows where validity?[i] ?? true {
                let start = offsets[i]
                let value = UnsafeRawBufferPointer(start: base.map { $0 + start }, count: offsets[i &+ 1] &- start)
                stats.update(bytes: value)
                if prefix { plainValues.appendLE(UInt32(truncatingIfNeeded: value.count)) }
                plainValues.append(value)
            }
        }
    }

    /// The shared loop: checks the shape, then per segment writes the definition levels in bulk, hands the
    /// segment's rows to `values`, and closes pages and chunks at the boundaries the per-value path would (a page
    /// closes at the end of a segment, so a dictionary may pass its limit by up to one segment's values).
    @inline(__always)
    private func appendSegments(count: Int, validity: UnsafeBufferPointer<Bool>?, segment: Int,
                                _ values: (Range<Int>) -> Void) throws(ParquetError)
    {
        guard maxRep == 0 else {
            throw .listMisuse(column: name, reason: "appendColumn on a list column; append lists with appendList")
        }
        guard !inList else { throw .listMisuse(column: name, reason: "appendColumn inside a list") }
        var nullDef: UInt8 = 0
        if let validity {
            guard validity.count == count else {
                throw .rowCountMismatch(column: name + " (validity)", expected: count, got: validity.count)
            }
            if let rowNullDef {
                nullDef = rowNullDef
            } else if validity.contains(false) {
                throw .notNullable(column: name)
            }
        }
        var row = 0
        while row < count {
            let room = min(rowGroupRows &- chunkRows, pageRowsLimit &- pageRows, segment)
            let end = min(count, row &+ room)
            let n = end &- row
            if maxDef > 0 {
                let levels = defLevels.writableTail(n)
                if let validity {
                    var nulls = 0
                    for k in 0..<n {
                        let present = validity[row &+ k]
                        levels[k] = present ? maxDef : nullDef
                        nulls &+= present ? 0 : 1
                    }
                    statistics.nullCount &+= Int64(nulls)
                } else {
                    levels.initialize(repeating: maxDef, count: n)
                }
                defLevels.commit(n)
            }
            values(row..<end)
            pageEntries &+= n
            pageRows &+= n
            batchRows &+= n
            chunkRows &+= n
            if chunkRows >= rowGroupRows {
                try sealChunk()
            } else if pageRows >= pageRowsLimit || fallbackPending || estimatedPageBytes >= pageBytesLimit {
                try flushPage()
            }
            row = end
        }
    }
}

/// Running min/max/null count of one column chunk, compared in the column's type-defined order.
///
/// Fixed-width values are kept as 64-bit patterns and compared per `StatisticsOrder`; byte strings are kept as
/// copies made only when the minimum or maximum changes.
struct ColumnChunkStatistics {
    let order: StatisticsOrder
    var nullCount: Int64 = 0
    private(set) var hasMinMax = false
    private var minBits: UInt64 = 0
    private var maxBits: UInt64 = 0
    private var minBytes: [UInt8] = []
    private var maxBytes: [UInt8] = []

    init(order: StatisticsOrder) { self.order = order }

    @inline(__always)
    private func less(_ a: UInt64, _ b: UInt64) -> Bool {
        switch order {
        case .signed32: Int32(truncatingIfNeeded: a) < Int32(truncatingIfNeeded: b)
        case .unsigned32: UInt32(truncatingIfNeeded: a) < UInt32(truncatingIfNeeded: b)
        case .signed64: Int64(bitPattern: a) < Int64(bitPattern: b)
        case .double: Double(bitPattern: a) < Double(bitPattern: b)
        case .boolean, .unsigned64, .bytes: a < b
        }
    }

    /// Folds in a fixed-width value (NaN never takes part in DOUBLE min/max).
    @inline(__always)
    mutating func update(bits: UInt64) {
        if order == .double && Double(bitPattern: bits).isNaN { return }
        if !hasMinMax {
            minBits = bits
            maxBits = bits
            hasMinMax = true
            return
        }
        if less(bits, minBits) { minBits = bits }
        if less(maxBits, bits) { maxBits = bits }
    }

    /// Folds in a byte string.
    @inline(__always)
    mutating func update(bytes: UnsafeRawBufferPointer) {
        if !hasMinMax {
            minBytes = Array(bytes)
            maxBytes = minBytes
            hasMinMax = true
            return
        }
        if minBytes.withUnsafeBytes({ compareBytes(bytes, $0) }) < 0 { minBytes = Array(bytes) }
        if maxBytes.withUnsafeBytes({ compareBytes(bytes, $0) }) > 0 { maxBytes = Array(bytes) }
    }

    mutating func reset() {
        nullCount = 0
        hasMinMax = false
        minBytes = []
        maxBytes = []
    }

    /// The footer form: PLAIN-encoded `min_value`/`max_value` (the fields whose order is type-defined).
    func metadata(physical: PhysicalType) -> StatisticsMetadata {
        guard hasMinMax else { return StatisticsMetadata(nullCount: nullCount, minValue: nil, maxValue: nil) }
        func le(_ v: UInt64, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        switch physical {
        case .boolean:
            return StatisticsMetadata(nullCount: nullCount, minValue: [UInt8(minBits)], maxValue: [UInt8(maxBits)])
        case .int32:
            return StatisticsMetadata(nullCount: nullCount, minValue: le(minBits, 4), maxValue: le(maxBits, 4))
        case .int64:
            return StatisticsMetadata(nullCount: nullCount, minValue: le(minBits, 8), maxValue: le(maxBits, 8))
        case .double:
            // The specification asks for -0.0 as a zero minimum and +0.0 as a zero maximum, so readers that
            // compare with either zero skip correctly.
            var lo = Double(bitPattern: minBits)
            var hi = Double(bitPattern: maxBits)
            if lo == 0 { lo = -0.0 }
            if hi == 0 { hi = 0.0 }
            return StatisticsMetadata(
                nullCount: nullCount, minValue: le(lo.bitPattern, 8), maxValue: le(hi.bitPattern, 8))
        case .byteArray, .fixedLenByteArray:
            return StatisticsMetadata(nullCount: nullCount, minValue: minBytes, maxValue: maxBytes)
        }
    }
}

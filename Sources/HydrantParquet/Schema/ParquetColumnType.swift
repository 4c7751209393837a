/// The type of a leaf column: a physical Parquet type together with its logical annotation.
public enum ParquetColumnType: Sendable, Hashable, CustomStringConvertible {
    /// BOOLEAN.
    case boolean
    /// INT32 without annotation (signed).
    case int32
    /// INT64 without annotation (signed).
    case int64
    /// INT32 or INT64 annotated INT(bitWidth, isSigned); `bitWidth` is 8, 16, 32 or 64.
    case int(bitWidth: Int, signed: Bool)
    /// DOUBLE.
    case double
    /// BYTE_ARRAY annotated STRING (UTF-8).
    case string
    /// BYTE_ARRAY without annotation.
    case binary
    /// FIXED_LEN_BYTE_ARRAY of the given byte length.
    case fixedLenByteArray(Int)
    /// INT64 annotated TIMESTAMP(isAdjustedToUTC = true, unit = NANOS): nanoseconds since the Unix epoch, UTC.
    case timestampNanos

    /// A readable name for error messages.
    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .int32: "int32"
        case .int64: "int64"
        case .int(let bits, let signed): "\(signed ? "int" : "uint")\(bits)"
        case .double: "double"
        case .string: "string"
        case .binary: "binary"
        case .fixedLenByteArray(let n): "fixed_len_byte_array(\(n))"
        case .timestampNanos: "timestamp(nanos, utc)"
        }
    }

    var physicalType: PhysicalType {
        switch self {
        case .boolean: .boolean
        case .int32: .int32
        case .int64, .timestampNanos: .int64
        case .int(let bits, _): bits == 64 ? .int64 : .int32
        case .double: .double
        case .string, .binary: .byteArray
        case .fixedLenByteArray: .fixedLenByteArray
        }
    }

    var convertedType: ConvertedType? {
        switch self {
        case .string: .utf8
        case .int(let bits, let signed):
            switch (bits, signed) {
            case (8, true): .int8
            case (16, true): .int16
            case (32, true): .int32
            case (64, true): .int64
            case (8, false): .uint8
            case (16, false): .uint16
            case (32, false): .uint32
            default: .uint64
            }
        default: nil
        }
    }

    var logicalType: LogicalTypeMetadata? {
        switch self {
        case .string: .string
        case .int(let bits, let signed): .integer(bitWidth: Int8(truncatingIfNeeded: bits), signed: signed)
        case .timestampNanos: .timestampNanos(adjustedToUTC: true)
        default: nil
        }
    }

    var statisticsOrder: StatisticsOrder {
        switch self {
        case .boolean: .boolean
        case .int32: .signed32
        case .int64, .timestampNanos: .signed64
        case .int(let bits, let signed):
            bits == 64 ? (signed ? .signed64 : .unsigned64) : (signed ? .signed32 : .unsigned32)
        case .double: .double
        case .string, .binary, .fixedLenByteArray: .bytes
        }
    }

    /// The accepted value range of small integer types (INT(8) and INT(16)), checked on append.
    var smallIntegerRange: ClosedRange<Int64>? {
        switch self {
        case .int(8, true): Int64(Int8.min)...Int64(Int8.max)
        case .int(16, true): Int64(Int16.min)...Int64(Int16.max)
        case .int(8, false): 0...Int64(UInt8.max)
        case .int(16, false): 0...Int64(UInt16.max)
        default: nil
        }
    }
}

/// How min/max statistics compare values: the type-defined order of each physical/logical type pair.
enum StatisticsOrder: Sendable {
    case boolean, signed32, unsigned32, signed64, unsigned64, double, bytes
}

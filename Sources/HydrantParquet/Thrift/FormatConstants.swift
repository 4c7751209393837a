/// Enumerations of `parquet.thrift`, with the numbers the specification assigns.
enum PhysicalType: Int32, Sendable {
    case boolean = 0, int32 = 1, int64 = 2, double = 5, byteArray = 6, fixedLenByteArray = 7
}

/// `ConvertedType`: the legacy annotation older readers understand.
enum ConvertedType: Int32, Sendable {
    case utf8 = 0, list = 3
    case uint8 = 11, uint16 = 12, uint32 = 13, uint64 = 14, int8 = 15, int16 = 16, int32 = 17, int64 = 18
}

/// `FieldRepetitionType`.
enum RepetitionType: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2
}

/// `Encoding`.
enum PageEncoding: Int32, Sendable, Comparable {
    case plain = 0, rle = 3, deltaBinaryPacked = 5, rleDictionary = 8

    static func < (lhs: PageEncoding, rhs: PageEncoding) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// `PageType`.
enum PageType: Int32, Sendable {
    case dataPage = 0, dictionaryPage = 2
}

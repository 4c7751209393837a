import HydrantParquet

/// How a stream writes Parquet objects (`format: parquet` with its `compression` and `parquet:` options): the codec,
/// the row-group and page layout, and the schema declared for records of no known dataset.
public struct ParquetFormat: Hashable, Sendable {
    /// Firehose's `ParquetSerDe` default block (row group) size: 256 MiB.
    public static let defaultRowGroupMB = 256
    /// Firehose's `ParquetSerDe` default page size: 1 MiB.
    public static let defaultPageKB = 1024
    /// Rows after which a row group closes whatever its size (Arrow's default).
    public static let defaultRowGroupRows = 1 << 20

    /// The page codec (Snappy by default, as Firehose).
    public var compression: ParquetCompression
    /// A row group closes at this many rows.
    public var rowGroupRows: Int
    /// A row group closes once this many (compressed) bytes are buffered.
    public var rowGroupMB: Int
    /// A data page closes at this many KiB.
    public var pageKB: Int
    /// Whether columns are dictionary-encoded (falling back to PLAIN when a dictionary passes 1 MiB).
    public var dictionary: Bool
    /// The table for records whose `event.dataset` names no generated schema; nil sends them to the error output.
    public var declaredSchema: ArchiveSchema?
    /// Generated tables stored with fewer columns (`exclude_columns`), by dataset: each replaces the generated table
    /// of its dataset in `ParquetConverter`. Built (and so validated) from the generated table with
    /// `ArchiveSchema.excluding(_:)`.
    public var reducedTables: [String: ArchiveSchema]

    /// A format with Firehose's defaults unless given.
    public init(compression: ParquetCompression = .snappy, rowGroupRows: Int = ParquetFormat.defaultRowGroupRows,
                rowGroupMB: Int = ParquetFormat.defaultRowGroupMB, pageKB: Int = ParquetFormat.defaultPageKB,
                dictionary: Bool = true, declaredSchema: ArchiveSchema? = nil,
                reducedTables: [String: ArchiveSchema] = [:]) {
        self.compression = compression
        self.rowGroupRows = rowGroupRows
        self.rowGroupMB = rowGroupMB
        self.pageKB = pageKB
        self.dictionary = dictionary
        self.declaredSchema = declaredSchema
        self.reducedTables = reducedTables
    }

    /// The writer options these settings stand for. The archive always writes integers that do not dictionary-encode
    /// well as DELTA_BINARY_PACKED and gives up a dictionary at the first page when most values are distinct:
    /// timestamps and byte counts then take about half of PLAIN's space at rest (docs/parquet.md, "Encodings").
    public var writerOptions: ParquetWriterOptions {
        ParquetWriterOptions(compression: compression, rowGroupRows: rowGroupRows, rowGroupBytes: rowGroupMB << 20,
                             pageBytes: pageKB << 10, dictionaryLimitBytes: dictionary ? 1 << 20 : 0,
                             deltaIntegers: true, adaptiveDictionary: true)
    }

    /// Parses a codec name as `compression` takes it with `format: parquet`: snappy, zstd, gzip, none.
    public static func codec(named name: String) -> ParquetCompression? {
        switch name.lowercased() {
        case "snappy": .snappy
        case "zstd": .zstd()
        case "gzip": .gzip()
        case "none", "uncompressed": ParquetCompression.none
        default: nil
        }
    }

    /// The codec names `codec(named:)` accepts.
    public static let codecNames = ["snappy", "zstd", "gzip", "none"]
}

/// The compression codec applied to every page of a file.
public enum ParquetCompression: Sendable, Hashable, CustomStringConvertible {
    /// UNCOMPRESSED.
    case none
    /// SNAPPY (raw Snappy blocks, as Parquet defines the codec).
    case snappy
    /// GZIP: deflate with a gzip header and trailer, at zlib `level` (1...9; 6 is zlib's default).
    case gzip(level: Int32 = 6)
    /// ZSTD at `level` (1 is Arrow's default and the fastest that still compresses well).
    case zstd(level: Int32 = 1)

    /// The codec's name as Parquet tools print it.
    public var description: String {
        switch self {
        case .none: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .zstd: "ZSTD"
        }
    }
}

/// A key/value pair of the footer's `key_value_metadata`.
public struct ParquetKeyValue: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value (optional in the format).
    public var value: String?

    /// A pair.
    public init(_ key: String, _ value: String?) {
        self.key = key
        self.value = value
    }
}

/// How a `ParquetFileWriter` lays out and compresses a file.
public struct ParquetWriterOptions: Sendable, Hashable {
    /// The page codec.
    public var compression: ParquetCompression
    /// A row group is closed when it reaches this many rows (exactly, whatever the batch sizes).
    public var rowGroupRows: Int
    /// A row group is closed at the end of a batch once its encoded, compressed size reaches this many bytes.
    public var rowGroupBytes: Int
    /// A data page is closed (at a row boundary) once its encoded size reaches this many bytes.
    public var pageBytes: Int
    /// A data page is closed once it holds this many rows (small pages keep readers' page-level skipping useful).
    public var pageRows: Int
    /// A column chunk stops adding to its dictionary and writes PLAIN pages once the dictionary's PLAIN size
    /// exceeds this many bytes; 0 disables dictionary encoding.
    public var dictionaryLimitBytes: Int
    /// INT32 and INT64 pages that are not dictionary-encoded (dictionary off, fallen back, or given up) are written
    /// DELTA_BINARY_PACKED rather than PLAIN: timestamps and counters take about half the space. Off by default
    /// (Arrow's writer uses PLAIN); every mainstream reader decodes it.
    public var deltaIntegers: Bool
    /// A column chunk whose first data page holds more distinct values than half its values gives up its
    /// dictionary at that page: the chunk is written in the fallback encoding from its start, without a dictionary
    /// page, instead of filling a dictionary that would not pay for itself. Off by default (Arrow keeps the
    /// dictionary until it outgrows `dictionaryLimitBytes`).
    public var adaptiveDictionary: Bool
    /// Footer key/value metadata (for Hydrant: the schema name and version).
    public var keyValueMetadata: [ParquetKeyValue]
    /// The footer's `created_by`, in the `<application> version <x.y.z> (build <id>)` shape readers parse.
    public var createdBy: String

    /// The `created_by` Hydrant writes by default.
    public static let defaultCreatedBy = "hydrant version \(ParquetFileWriter.version) (build hydrant-parquet)"

    /// Options with Arrow-like defaults: Snappy, 1 Mi rows or 128 MiB per row group, 1 MiB / 20,000-row pages and
    /// a 1 MiB dictionary limit.
    public init(
        compression: ParquetCompression = .snappy,
        rowGroupRows: Int = 1 << 20,
        rowGroupBytes: Int = 128 << 20,
        pageBytes: Int = 1 << 20,
        pageRows: Int = 20_000,
        dictionaryLimitBytes: Int = 1 << 20,
        deltaIntegers: Bool = false,
        adaptiveDictionary: Bool = false,
        keyValueMetadata: [ParquetKeyValue] = [],
        createdBy: String = ParquetWriterOptions.defaultCreatedBy
    ) {
        self.compression = compression
        self.rowGroupRows = max(1, rowGroupRows)
        self.rowGroupBytes = max(1, rowGroupBytes)
        self.pageBytes = max(1, pageBytes)
        self.pageRows = max(1, pageRows)
        self.dictionaryLimitBytes = max(0, dictionaryLimitBytes)
        self.deltaIntegers = deltaIntegers
        self.adaptiveDictionary = adaptiveDictionary
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
    }
}

import HydrantArchive

/// What a stream's data objects are: JSON lines (compressed whole by `compression`), or Parquet files converted
/// from the records (`format: parquet`, Firehose's record format conversion).
public enum ArchiveFormat: Hashable, Sendable {
    /// Newline-delimited JSON, the records as they arrived (the default).
    case jsonLines
    /// One Parquet file per object and table, with the codec and layout given.
    case parquet(ParquetFormat)

    /// The `format` values.
    public static let names = ["json", "parquet"]
    /// Firehose's buffer size with format conversion: 128 MiB (its minimum there is 64).
    public static let parquetDefaultBufferMB = 128

    /// The Parquet settings, nil for JSON lines.
    public var parquet: ParquetFormat? {
        if case .parquet(let format) = self { return format }
        return nil
    }
}

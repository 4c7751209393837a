/// How a delivered object is compressed as a whole (Firehose's `CompressionFormat`).
public enum Compression: String, Hashable, Sendable, CaseIterable {
    /// No compression (Firehose's `UNCOMPRESSED`, the default).
    case none
    /// gzip (`.gz`).
    case gzip
    /// Zstandard (`.zst`), Hydrant's addition.
    case zstd

    /// Firehose's default.
    public static let `default` = Compression.none

    /// The extension appended after `.json`, empty when uncompressed.
    public var fileExtension: String {
        switch self {
        case .none: return ""
        case .gzip: return ".gz"
        case .zstd: return ".zst"
        }
    }
}

/// When a partition's buffer is delivered: at `sizeMB` mebibytes (before compression) or `intervalSeconds` after its
/// first record, whichever comes first (Firehose's `BufferingHints` for S3).
public struct BufferingHints: Hashable, Sendable {
    /// The allowed `size_mb` values (Firehose: 1…128 MiB).
    public static let sizeMBRange: ClosedRange<Int> = 1...128
    /// The allowed `interval_s` values (Firehose: 0…900 s).
    public static let intervalSecondsRange: ClosedRange<Int> = 0...900
    /// Firehose's default `SizeInMBs`.
    public static let defaultSizeMB = 5
    /// Firehose's default `IntervalInSeconds`.
    public static let defaultIntervalSeconds = 300

    /// The size threshold, in MiB of uncompressed record data.
    public let sizeMB: Int
    /// The age threshold, in seconds.
    public let intervalSeconds: Int

    /// Hints with Firehose's defaults unless given; callers check the ranges.
    public init(sizeMB: Int = BufferingHints.defaultSizeMB, intervalSeconds: Int = BufferingHints.defaultIntervalSeconds) {
        self.sizeMB = sizeMB
        self.intervalSeconds = intervalSeconds
    }

    /// The size threshold in bytes.
    public var sizeBytes: Int { sizeMB * 1024 * 1024 }
}

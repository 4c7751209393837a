import HydrantArchive

/// One delivery stream as declared under `streams:` in hydrant.yaml, validated and with every default filled in.
public struct DeliveryStreamConfiguration: Hashable, Sendable {
    /// Firehose's default limit of buffers (distinct evaluated prefixes) per stream.
    public static let defaultMaxActivePartitions = 500
    /// The allowed `max_active_partitions` values (Firehose raises its default up to 5,000 on request).
    public static let maxActivePartitionsRange: ClosedRange<Int> = 1...5000
    /// Hydrant's default bound on a stream's write-ahead log on disk, in MiB.
    public static let defaultMaxBacklogMB = 1024
    /// The allowed `max_backlog_mb` values (1 MiB to 1 TiB).
    public static let maxBacklogMBRange: ClosedRange<Int> = 1...1_048_576
    /// The allowed `log_compression_level` values: zstd's fast (negative) levels down to -7 and its regular levels up
    /// to 9 (higher levels cost far more CPU than a log on the request path can spend).
    public static let logCompressionLevelRange: ClosedRange<Int> = -7...9
    /// The default `log_compression_level`: a fast level (see docs/delivery.md for the measurement behind it).
    public static let defaultLogCompressionLevel = -3
    /// Hydrant's error output prefix when none is configured and the prefix has expressions (Firehose requires one).
    public static let defaultErrorOutputPrefix = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    /// The partition keys assumed when `partition_keys` is absent: what `PrefixTemplate.defaultPrefix` reads.
    public static let defaultPartitionKeys: [PartitionKey] = {
        // `.event.dataset` is a valid path by construction; the fallback is never taken.
        guard let path = try? PartitionKeyPath(".event.dataset") else { return [] }
        return [PartitionKey(name: "dataset", path: path)]
    }()
    /// The longest stream name (Firehose's `DeliveryStreamName`).
    public static let maximumNameLength = 64

    /// The stream name: 1–64 of `a-z A-Z 0-9 _ . -`.
    public let name: String
    /// When buffers are delivered.
    public let buffering: BufferingHints
    /// The processors, applied in order (none by default).
    public let processors: [ProcessorConfiguration]
    /// Where objects go; with an HTTP endpoint, its backup (failed batches, and every batch with `AllData`).
    public let destination: DestinationConfiguration
    /// The Firehose HTTP endpoint batches are POSTed to (`destination: {http_endpoint: …}`), or nil.
    public let httpEndpoint: HTTPEndpointDestination?
    /// The prefix of delivered objects, with Firehose's `!{timestamp:yyyy/MM/dd/HH/}` appended when it has no time
    /// expression and no partition key.
    public let prefix: PrefixTemplate
    /// The declared partition keys, in file order.
    public let partitionKeys: [PartitionKey]
    /// The prefix of error output objects.
    public let errorOutputPrefix: PrefixTemplate
    /// Whole-object compression.
    public let compression: Compression
    /// Where untransformed source records are also written, or nil (the default) for no backup.
    public let sourceRecordBackupPrefix: PrefixTemplate?
    /// At most this many partitions buffer at once; records for more go to the error output (`activePartitionExceeded`).
    public let maxActivePartitions: Int
    /// The write-ahead log of this stream is bounded to this many MiB; past it ingest answers "Slow down.".
    public let maxBacklogMB: Int
    /// How the write-ahead log stores record bytes (`log_compression`, default zstd).
    public let logCompression: WALCompression
    /// The zstd level of the log's frames (`log_compression_level`).
    public let logCompressionLevel: Int
    /// What data objects are: JSON lines (default) or Parquet (`format: parquet`).
    public let format: ArchiveFormat

    /// A stream; the loader builds these after validating every field.
    public init(name: String, buffering: BufferingHints = BufferingHints(), processors: [ProcessorConfiguration] = [],
                destination: DestinationConfiguration, prefix: PrefixTemplate, partitionKeys: [PartitionKey],
                errorOutputPrefix: PrefixTemplate, compression: Compression = .default,
                sourceRecordBackupPrefix: PrefixTemplate? = nil,
                maxActivePartitions: Int = DeliveryStreamConfiguration.defaultMaxActivePartitions,
                maxBacklogMB: Int = DeliveryStreamConfiguration.defaultMaxBacklogMB,
                logCompression: WALCompression = .default,
                logCompressionLevel: Int = DeliveryStreamConfiguration.defaultLogCompressionLevel,
                format: ArchiveFormat = .jsonLines,
                httpEndpoint: HTTPEndpointDestination? = nil) {
        self.name = name
        self.buffering = buffering
        self.processors = processors
        self.destination = destination
        self.prefix = prefix
        self.partitionKeys = partitionKeys
        self.errorOutputPrefix = errorOutputPrefix
        self.compression = compression
        self.sourceRecordBackupPrefix = sourceRecordBackupPrefix
        self.maxActivePartitions = maxActivePartitions
        self.maxBacklogMB = maxBacklogMB
        self.logCompression = logCompression
        self.logCompressionLevel = logCompressionLevel
        self.format = format
        self.httpEndpoint = httpEndpoint
    }

    /// The partition key named `name`, if declared.
    public func partitionKey(named name: String) -> PartitionKey? {
        partitionKeys.first { $0.name == name }
    }

    /// Whether `name` is a valid stream name.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maximumNameLength && name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "." || scalar == "-"
        }
    }
}

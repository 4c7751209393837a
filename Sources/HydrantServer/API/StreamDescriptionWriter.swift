import HydrantArchive
import HydrantStream

/// Writes DescribeDeliveryStream's `DeliveryStreamDescription` (reference §1.6) for a configured stream: the
/// members the model requires, shaped as an `ExtendedS3DestinationDescription` (and the legacy
/// `S3DestinationDescription` beside it, as AWS does) so that boto3, the AWS CLI and Terraform read it; a stream
/// with an `http_endpoint` destination is an `HttpEndpointDestinationDescription` whose backup is the S3
/// description.
enum StreamDescriptionWriter {
    /// The account id in ARNs: Hydrant has no accounts.
    static let accountID = "000000000000"

    /// The response body for `description`, with ARNs in `region`.
    static func body(_ description: DeliveryStreamDescription, region: String) -> [UInt8] {
        let configuration = description.configuration
        var writer = JSONWriter(capacity: 2048)
        writer.raw("{\"DeliveryStreamDescription\":{\"DeliveryStreamName\":")
        writer.string(configuration.name)
        writer.raw(",\"DeliveryStreamARN\":")
        writer.string("arn:aws:firehose:\(region):\(accountID):deliverystream/\(configuration.name)")
        writer.raw(",\"DeliveryStreamStatus\":")
        writer.string(description.status)
        writer.raw(",\"DeliveryStreamType\":\"DirectPut\",\"VersionId\":\"1\",\"CreateTimestamp\":")
        writer.epochSeconds(nanoseconds: description.createdAt.nanoseconds)
        writer.raw(",\"LastUpdateTimestamp\":")
        writer.epochSeconds(nanoseconds: description.createdAt.nanoseconds)
        writer.raw(",\"DeliveryStreamEncryptionConfiguration\":{\"Status\":\"DISABLED\"}")
        writer.raw(",\"Destinations\":[{\"DestinationId\":\"destinationId-000000000001\"")
        if let endpoint = configuration.httpEndpoint {
            writer.raw(",\"HttpEndpointDestinationDescription\":")
            httpEndpoint(endpoint, configuration, region: region, into: &writer)
        } else {
            writer.raw(",\"ExtendedS3DestinationDescription\":")
            destination(configuration, region: region, extended: true, into: &writer)
            writer.raw(",\"S3DestinationDescription\":")
            destination(configuration, region: region, extended: false, into: &writer)
        }
        writer.raw("}],\"HasMoreDestinations\":false}}")
        return writer.bytes
    }

    /// The bucket ARN: the S3 bucket, or for a file destination a placeholder bucket named for it.
    static func bucketARN(_ destination: DestinationConfiguration) -> String {
        switch destination {
        case .s3(let s3): return "arn:aws:s3:::\(s3.bucket)"
        case .file: return "arn:aws:s3:::hydrant-file-destination"
        }
    }

    /// Firehose's `CompressionFormat` value (`ZSTD` is Hydrant's addition to the enum).
    static func compressionFormat(_ compression: Compression) -> String {
        switch compression {
        case .none: return "UNCOMPRESSED"
        case .gzip: return "GZIP"
        case .zstd: return "ZSTD"
        }
    }

    /// The endpoint (its access key is never described, as Firehose never returns it), its request and retry
    /// settings, and the backup as `S3DestinationDescription`.
    private static func httpEndpoint(_ endpoint: HTTPEndpointDestination, _ configuration: DeliveryStreamConfiguration,
                                     region: String, into writer: inout JSONWriter) {
        writer.raw("{\"EndpointConfiguration\":{\"Url\":")
        writer.string(endpoint.url)
        writer.raw(",\"Name\":")
        writer.string(endpoint.name ?? configuration.name)
        writer.raw("},\"BufferingHints\":{\"SizeInMBs\":")
        writer.int(configuration.buffering.sizeMB)
        writer.raw(",\"IntervalInSeconds\":")
        writer.int(configuration.buffering.intervalSeconds)
        writer.raw("},\"CloudWatchLoggingOptions\":{\"Enabled\":false},\"RequestConfiguration\":{\"ContentEncoding\":")
        writer.string(endpoint.contentEncoding == .gzip ? "GZIP" : "NONE")
        writer.raw(",\"CommonAttributes\":[")
        for (index, attribute) in endpoint.commonAttributes.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"AttributeName\":")
            writer.string(attribute.key)
            writer.raw(",\"AttributeValue\":")
            writer.string(attribute.value)
            writer.raw("}")
        }
        writer.raw("]},\"RoleARN\":")
        writer.string("arn:aws:iam::\(accountID):role/hydrant")
        writer.raw(",\"RetryOptions\":{\"DurationInSeconds\":")
        writer.int(endpoint.retryDurationSeconds)
        writer.raw("},\"S3BackupMode\":")
        writer.string(endpoint.backupMode.rawValue)
        writer.raw(",\"S3DestinationDescription\":")
        destination(configuration, region: region, extended: false, into: &writer)
        writer.raw("}")
    }

    private static func destination(_ configuration: DeliveryStreamConfiguration, region: String, extended: Bool,
                                     into writer: inout JSONWriter) {
        writer.raw("{\"RoleARN\":")
        writer.string("arn:aws:iam::\(accountID):role/hydrant")
        writer.raw(",\"BucketARN\":")
        writer.string(bucketARN(configuration.destination))
        writer.raw(",\"Prefix\":")
        writer.string(configuration.prefix.source)
        writer.raw(",\"ErrorOutputPrefix\":")
        writer.string(configuration.errorOutputPrefix.source)
        writer.raw(",\"BufferingHints\":{\"SizeInMBs\":")
        writer.int(configuration.buffering.sizeMB)
        writer.raw(",\"IntervalInSeconds\":")
        writer.int(configuration.buffering.intervalSeconds)
        writer.raw("},\"CompressionFormat\":")
        writer.string(compressionFormat(configuration.compression))
        writer.raw(",\"EncryptionConfiguration\":{\"NoEncryptionConfig\":\"NoEncryption\"}")
        writer.raw(",\"CloudWatchLoggingOptions\":{\"Enabled\":false}")
        guard extended else {
            writer.raw("}")
            return
        }
        writer.raw(",\"S3BackupMode\":")
        writer.string(configuration.sourceRecordBackupPrefix == nil ? "Disabled" : "Enabled")
        if let backup = configuration.sourceRecordBackupPrefix {
            writer.raw(",\"S3BackupDescription\":{\"RoleARN\":")
            writer.string("arn:aws:iam::\(accountID):role/hydrant")
            writer.raw(",\"BucketARN\":")
            writer.string(bucketARN(configuration.destination))
            writer.raw(",\"Prefix\":")
            writer.string(backup.source)
            writer.raw(",\"BufferingHints\":{\"SizeInMBs\":")
            writer.int(configuration.buffering.sizeMB)
            writer.raw(",\"IntervalInSeconds\":")
            writer.int(configuration.buffering.intervalSeconds)
            writer.raw("},\"CompressionFormat\":")
            writer.string(compressionFormat(configuration.compression))
            writer.raw(",\"EncryptionConfiguration\":{\"NoEncryptionConfig\":\"NoEncryption\"}}")
        }
        writer.raw(",\"DynamicPartitioningConfiguration\":{\"Enabled\":")
        writer.bool(!configuration.prefix.partitionKeys.isEmpty)
        writer.raw(",\"RetryOptions\":{\"DurationInSeconds\":300}}}")
    }
}

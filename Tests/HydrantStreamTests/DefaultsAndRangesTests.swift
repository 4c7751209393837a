import HydrantArchive
import Testing
@testable import HydrantStream

@Suite struct DefaultsAndRangesTests {
    @Test func everyDefault() throws {
        let configuration = try load(stream())
        #expect(configuration.server.listen == ServerConfiguration.defaultListen)
        #expect(configuration.auth == nil)
        #expect(configuration.storage.dir == "./.hydrant/")
        let stream = try #require(configuration.streams.first)
        #expect(stream.name == "s")
        #expect(stream.buffering.sizeMB == 5)
        #expect(stream.buffering.intervalSeconds == 300)
        #expect(stream.processors == [])
        #expect(stream.prefix.source == PrefixTemplate.defaultPrefix)
        #expect(stream.partitionKeys.map(\.name) == ["dataset"])
        #expect(stream.partitionKeys.first?.path.components == ["event", "dataset"])
        #expect(stream.errorOutputPrefix.source == DeliveryStreamConfiguration.defaultErrorOutputPrefix)
        #expect(stream.compression == .none)
        #expect(stream.sourceRecordBackupPrefix == nil)
        #expect(stream.maxActivePartitions == 500)
        #expect(stream.maxBacklogMB == 1024)
        #expect(stream.logCompression == .auto)
        #expect(stream.logCompressionLevel == DeliveryStreamConfiguration.defaultLogCompressionLevel)
    }

    @Test func partialBufferingKeepsTheOtherDefault() throws {
        let stream = try #require(try load(stream("buffering: {interval_s: 0}")).streams.first)
        #expect(stream.buffering == BufferingHints(sizeMB: 5, intervalSeconds: 0))
    }

    @Test func staticPrefixGetsFirehoseDefaults() throws {
        let stream = try #require(try load(stream("prefix: logs/")).streams.first)
        #expect(stream.prefix.source == "logs/!{timestamp:yyyy/MM/dd/HH/}")
        #expect(stream.errorOutputPrefix.source == "logs/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/}")
    }

    @Test(arguments: [
        ("buffering: {size_mb: 1}", true), ("buffering: {size_mb: 128}", true),
        ("buffering: {size_mb: 0}", false), ("buffering: {size_mb: 129}", false),
        ("buffering: {interval_s: 0}", true), ("buffering: {interval_s: 900}", true),
        ("buffering: {interval_s: -1}", false), ("buffering: {interval_s: 901}", false),
        ("max_active_partitions: 1", true), ("max_active_partitions: 5000", true),
        ("max_active_partitions: 0", false), ("max_active_partitions: 5001", false),
        ("max_backlog_mb: 1", true), ("max_backlog_mb: 1048576", true),
        ("max_backlog_mb: 0", false), ("max_backlog_mb: 1048577", false),
        ("log_compression_level: -7", true), ("log_compression_level: 9", true),
        ("log_compression_level: -8", false), ("log_compression_level: 10", false),
        ("log_compression: auto", true), ("log_compression: zstd", true), ("log_compression: none", true),
    ])
    func rangeBounds(line: String, valid: Bool) {
        let result = Result { () throws(ConfigurationErrors) in try load(stream(line)) }
        switch result {
        case .success:
            #expect(valid, "\(line) should be refused")
        case .failure(let error):
            #expect(!valid, "\(line) should load: \(error)")
            #expect(error.errors.first?.kind == .outOfRange)
            #expect(error.errors.first?.line == 5)
        }
    }

    @Test func rangeErrorNamesFileLinePathAndRange() {
        let found = errors(stream("buffering: {size_mb: 500, interval_s: 60}"))
        #expect(found.map(\.description) == ["hydrant.yaml:5:26: streams[0].buffering.size_mb must be 1…128, got 500"])
    }

    @Test func processorsAndCompressionValues() throws {
        let stream = try #require(try load(stream("processors: [deaggregate_json, append_delimiter]\ncompression: zstd")).streams.first)
        #expect(stream.processors == [.deaggregateJSON, .appendDelimiter])
        #expect(stream.compression == .zstd)
    }

    @Test func s3DestinationWithDefaults() throws {
        let yaml = """
            streams:
              - name: archive
                destination:
                  s3: {endpoint: "http://127.0.0.1:8333", bucket: lake}
            """
        let configuration = try load(yaml)
        guard case .s3(let s3) = configuration.streams.first?.destination else {
            Issue.record("expected an s3 destination")
            return
        }
        #expect(s3.endpoint == "http://127.0.0.1:8333")
        #expect(s3.bucket == "lake")
        #expect(s3.region == "us-east-1")
        #expect(s3.accessKeyEnv == "AWS_ACCESS_KEY_ID")
        #expect(s3.secretKeyEnv == "AWS_SECRET_ACCESS_KEY")
        let secrets = try configuration.resolveSecrets(environment: ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "key"])
        #expect(secrets.s3["archive"] == ResolvedSecrets.S3Credentials(accessKeyID: "id", secretAccessKey: "key"))
    }

    @Test func sourceRecordBackup() throws {
        let stream = try #require(try load(stream("source_record_backup: {prefix: \"backup/!{timestamp:yyyy-MM-dd}/\"}")).streams.first)
        #expect(stream.sourceRecordBackupPrefix?.source == "backup/!{timestamp:yyyy-MM-dd}/")
    }

    @Test func listenAddresses() {
        #expect(ListenAddress(parsing: "[::1]:8080") == ListenAddress(host: "::1", port: 8080))
        #expect(ListenAddress(parsing: "0.0.0.0:0") == ListenAddress(host: "0.0.0.0", port: 0))
        #expect(ListenAddress(parsing: "localhost:65536") == nil)
        #expect(ListenAddress(parsing: "::1:80") == nil)
        #expect(ListenAddress(parsing: "host") == nil)
    }
}

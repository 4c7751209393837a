import Foundation
import HydrantArchive
import Testing
@testable import HydrantStream

@Suite struct ExampleConfigurationTests {
    @Test func exampleLoadsWithExpectedValues() throws {
        let path = repositoryRoot.appendingPathComponent("examples/hydrant.yaml").path
        let configuration = try ConfigurationLoader(environment: [:]).load(path: path)
        #expect(configuration.server.listen == ListenAddress(host: "127.0.0.1", port: 4443))
        #expect(configuration.auth?.accessKeys.map(\.id) == ["hydrant"])
        #expect(configuration.auth?.accessKeys.first?.secretEnv == "HYDRANT_SECRET_KEY")
        #expect(configuration.storage.dir == "./.hydrant/")
        #expect(configuration.streams.count == 1)
        let stream = try #require(configuration.stream(named: "network"))
        #expect(stream.buffering == BufferingHints(sizeMB: 5, intervalSeconds: 60))
        #expect(stream.processors.isEmpty)
        #expect(stream.destination == .file(FileDestination(root: "./lake")))
        #expect(stream.prefix.source == "!{partitionKeyFromQuery:dataset}/dt=!{eventTime:yyyy-MM-dd}/hour=!{eventTime:HH}/")
        #expect(stream.prefix.kind == .prefix)
        #expect(stream.partitionKeys == [PartitionKey(name: "dataset", path: try PartitionKeyPath(".event.dataset"))])
        #expect(stream.errorOutputPrefix.source == "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/")
        #expect(stream.errorOutputPrefix.kind == .errorOutputPrefix)
        #expect(stream.compression == .gzip)
        #expect(stream.sourceRecordBackupPrefix == nil)
        #expect(stream.maxActivePartitions == 500)
        #expect(stream.maxBacklogMB == DeliveryStreamConfiguration.defaultMaxBacklogMB)
    }

    @Test func exampleSecretsResolveFromTheEnvironment() throws {
        let path = repositoryRoot.appendingPathComponent("examples/hydrant.yaml").path
        let configuration = try ConfigurationLoader(environment: [:]).load(path: path)
        let secrets = try configuration.resolveSecrets(environment: ["HYDRANT_SECRET_KEY": "s3cr3t"])
        #expect(secrets.accessKeys == ["hydrant": "s3cr3t"])
        #expect(secrets.s3.isEmpty)
    }

    @Test func missingFileIsReported() {
        #expect(throws: ConfigurationErrors.self) {
            try ConfigurationLoader(environment: [:]).load(path: "/nonexistent/hydrant.yaml")
        }
    }
}

@Suite struct DocumentedExampleTests {
    /// The last YAML block of docs/config.md ("Full example") must load.
    @Test func fullExampleInDocsLoads() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/config.md"), encoding: .utf8)
        let blocks = text.components(separatedBy: "```yaml\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        let yaml = try #require(blocks.last)
        let configuration = try ConfigurationLoader(environment: ["S3_ENDPOINT": "http://127.0.0.1:8333"])
            .parse(yaml, file: "config.md")
        let stream = try #require(configuration.streams.first)
        #expect(stream.processors == [.deaggregateJSON, .appendDelimiter])
        #expect(stream.compression == .zstd)
        #expect(stream.sourceRecordBackupPrefix?.source == "backup/!{timestamp:yyyy/MM/dd/}")
        #expect(stream.maxBacklogMB == 2048)
        #expect(stream.logCompression == .zstd && stream.logCompressionLevel == -3)
    }
}

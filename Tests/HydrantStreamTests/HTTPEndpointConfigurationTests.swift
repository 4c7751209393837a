import Testing
@testable import HydrantStream

/// `destination: {http_endpoint: …}` in hydrant.yaml: what it reads, its defaults and Firehose's ranges, and the
/// errors (file, line, allowed values) for everything it refuses.
@Suite struct HTTPEndpointConfigurationTests {
    /// A stream with an http_endpoint destination built from `endpoint` lines (indented under it) and `extra`
    /// stream lines.
    static func yaml(_ endpoint: String, extra: String = "") -> String {
        let indented = endpoint.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n")
        return """
        streams:
          - name: hook
            destination:
              http_endpoint:
        \(indented)
        \(extra.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    static let backup = "backup: {file: {root: ./backup}}"

    @Test func fullEndpointIsRead() throws {
        let configuration = try load(Self.yaml("""
            url: https://receiver.example/firehose
            name: vector
            access_key_env: FIREHOSE_KEY
            common_attributes: {env: prod, team: ""}
            content_encoding: gzip
            retry_duration_s: 7200
            request_timeout_s: 30
            backup_mode: AllData
            backup: {s3: {endpoint: "http://127.0.0.1:8333", bucket: lake}}
            """, extra: "buffering: {size_mb: 64, interval_s: 0}"))
        let stream = try #require(configuration.streams.first)
        let endpoint = try #require(stream.httpEndpoint)
        #expect(endpoint.url == "https://receiver.example/firehose")
        #expect(endpoint.name == "vector")
        #expect(endpoint.accessKeyEnv == "FIREHOSE_KEY")
        #expect(endpoint.commonAttributes == ["env": "prod", "team": ""])
        #expect(endpoint.contentEncoding == .gzip)
        #expect(endpoint.retryDurationSeconds == 7200)
        #expect(endpoint.requestTimeoutSeconds == 30)
        #expect(endpoint.backupMode == .allData)
        guard case .s3(let s3) = stream.destination else {
            Issue.record("the backup is the stream's destination, got \(stream.destination)")
            return
        }
        #expect(s3.bucket == "lake" && s3.path == "streams[0].destination.http_endpoint.backup.s3")
        #expect(stream.buffering == BufferingHints(sizeMB: 64, intervalSeconds: 0))

        let secrets = try configuration.resolveSecrets(
            environment: ["FIREHOSE_KEY": "k-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        #expect(secrets.httpEndpointAccessKeys == ["hook": "k-1"])
        let client = try endpoint.clientConfiguration(stream: stream, accessKey: "k-1")
        #expect(client.contentEncoding == .gzip && client.accessKey == "k-1" && client.bufferingSizeMB == 64)
        #expect(client.retryDuration == .seconds(7200))
        #expect(client.sourceARN == "arn:aws:firehose:us-east-1:000000000000:deliverystream/hook")
    }

    @Test func defaultsFollowFirehose() throws {
        let configuration = try load(Self.yaml("url: http://127.0.0.1:9/\n" + Self.backup))
        let stream = try #require(configuration.streams.first)
        let endpoint = try #require(stream.httpEndpoint)
        #expect(endpoint.name == nil)
        #expect(try endpoint.clientConfiguration(stream: stream, accessKey: nil).name == "hook")
        #expect(endpoint.accessKeyEnv == nil && endpoint.commonAttributes.isEmpty)
        #expect(endpoint.contentEncoding == .none && endpoint.backupMode == .failedDataOnly)
        #expect(endpoint.retryDurationSeconds == 300 && endpoint.requestTimeoutSeconds == 180)
        #expect(stream.destination == .file(FileDestination(root: "./backup")))
        #expect(stream.compression == .none)
        #expect(try configuration.resolveSecrets(environment: [:]).httpEndpointAccessKeys.isEmpty)
    }

    @Test func otherDestinationsHaveNoEndpoint() throws {
        #expect(try load(stream()).streams.first?.httpEndpoint == nil)
    }

    @Test func unknownKeysAndBadValuesNameLineAndAllowedValues() {
        let found = errors(Self.yaml("""
            url: http://127.0.0.1:9/
            acces_key_env: K
            content_encoding: br
            backup_mode: Failed
            retry_duration_s: 7201
            """ + "\n" + Self.backup))
        #expect(found.map(\.kind) == [.unknownKey, .notAllowed, .outOfRange, .notAllowed])
        #expect(found.map(\.line) == [6, 7, 9, 8])
        #expect(found[0].path == "streams[0].destination.http_endpoint.acces_key_env")
        #expect(found[0].message.contains("allowed keys here: url, name, access_key_env"))
        #expect(found[1].message == "must be one of none, gzip, got \"br\"")
        #expect(found[2].message == "must be 0…7200, got 7201")
        #expect(found[3].message == "must be one of FailedDataOnly, AllData, got \"Failed\"")
        #expect(found.allSatisfy { $0.description.hasPrefix("hydrant.yaml:") })
    }

    @Test func urlAndBackupAreRequiredAndChecked() {
        let missing = errors(Self.yaml("name: x"))
        #expect(missing.map(\.path) == ["streams[0].destination.http_endpoint.url",
                                        "streams[0].destination.http_endpoint.backup"])
        #expect(missing.allSatisfy { $0.kind == .missingKey })
        let badURL = errors(Self.yaml("url: ftp://h/\n" + Self.backup))
        #expect(badURL.first?.path == "streams[0].destination.http_endpoint.url" && badURL.first?.line == 5)
        let nested = errors(Self.yaml("url: http://h/\nbackup: {http_endpoint: {url: http://h/}}"))
        #expect(nested.first?.kind == .unknownKey)
        #expect(nested.first?.message.contains("allowed keys here: file, s3") == true)
    }

    @Test func firehoseRangesAndStreamRestrictions() {
        let size = errors(Self.yaml("url: http://h/\n" + Self.backup, extra: "buffering: {size_mb: 65}"))
        #expect(size.count == 1)
        #expect(size.first?.kind == .outOfRange && size.first?.line == 7)
        #expect(size.first?.message.hasPrefix("must be 1…64 with an http_endpoint destination") == true)
        let compression = errors(Self.yaml("url: http://h/\n" + Self.backup, extra: "compression: gzip"))
        #expect(compression.first?.kind == .notAllowed && compression.first?.path == "streams[0].compression")
        #expect(compression.first?.message.contains("content_encoding") == true)
        let parquet = errors(Self.yaml("url: http://h/\n" + Self.backup, extra: "format: parquet"))
        #expect(parquet.contains { $0.path == "streams[0].format" && $0.kind == .notAllowed })
        let attributes = (0..<51).map { "a\($0): v" }.joined(separator: ", ")
        let many = errors(Self.yaml("url: http://h/\ncommon_attributes: {\(attributes)}\n" + Self.backup))
        #expect(many.first?.message == "must have at most 50 attributes, got 51")
        let both = errors("""
        streams:
          - name: s
            destination:
              file: {root: ./lake}
              http_endpoint: {url: "http://h/"}
        """)
        #expect(both.first?.message == "must have exactly one of file, s3, http_endpoint; got file and http_endpoint")
        #expect(both.first?.line == 5)
    }

    @Test func accessKeyComesFromTheEnvironment() {
        let configuration: StreamConfiguration
        do {
            configuration = try load(Self.yaml("url: http://h/\naccess_key_env: HOOK_KEY\n" + Self.backup))
        } catch {
            Issue.record("should load: \(error)")
            return
        }
        do {
            _ = try configuration.resolveSecrets(environment: [:])
            Issue.record("an unset access key variable must be an error")
        } catch {
            #expect(error.errors.first?.kind == .missingEnvironmentVariable)
            #expect(error.errors.first?.path == "streams[0].destination.http_endpoint.access_key_env")
            #expect(error.errors.first?.line == 6)
            #expect(error.errors.first?.message.contains("HOOK_KEY") == true)
        }
        let bad = errors(Self.yaml("url: http://h/\naccess_key_env: \"not a name\"\n" + Self.backup))
        #expect(bad.first?.kind == .invalidValue)
    }
}

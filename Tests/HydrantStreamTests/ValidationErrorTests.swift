import Testing
@testable import HydrantStream

@Suite struct ValidationErrorTests {
    @Test func unknownKeyNamesLineAndAllowedKeys() {
        let found = errors(stream("bufering: {size_mb: 5}"))
        #expect(found.count == 1)
        #expect(found.first?.kind == .unknownKey)
        #expect(found.first?.line == 5)
        #expect(found.first?.path == "streams[0].bufering")
        #expect(found.first?.message.contains("buffering, processors, destination") == true)
    }

    @Test func unknownTopLevelKey() {
        let found = errors("servr: {listen: 127.0.0.1:1}\n" + stream())
        #expect(found.first?.description.hasPrefix("hydrant.yaml:1:1: servr is not a known key") == true)
    }

    @Test func wrongTypes() {
        let found = errors(stream("buffering: {size_mb: \"5\", interval_s: five}\nprocessors: append_delimiter\nmax_active_partitions: 1.5"))
        #expect(found.map(\.kind) == [.wrongType, .wrongType, .wrongType, .wrongType])
        #expect(found[0].message == "must be an integer 1…128, got the string \"5\"")
        #expect(found[1].message == "must be an integer 0…900, got the string \"five\"")
        #expect(found[2].message.hasPrefix("must be a sequence of processors"))
        #expect(found[3].message == "must be an integer 1…5000, got the number 1.5")
        #expect(found.map(\.line) == [5, 5, 6, 7])
    }

    @Test func notAMappingStream() {
        let found = errors("streams:\n  - just-a-name\n")
        #expect(found.first?.kind == .wrongType)
        #expect(found.first?.line == 2)
    }

    @Test func badEnumListsAllowedValues() {
        let found = errors(stream("compression: lz4"))
        #expect(found.first?.kind == .notAllowed)
        #expect(found.first?.message == "must be one of none, gzip, zstd, got \"lz4\"")
        #expect(found.first?.line == 5)
        let log = errors(stream("log_compression: lz4"))
        #expect(log.first?.message == "must be one of none, zstd, auto, got \"lz4\"")
        #expect(log.first?.path == "streams[0].log_compression")
        #expect(log.first?.line == 5)
        let processors = errors(stream("processors: [lambda]"))
        #expect(processors.first?.message == "must be one of \(ProcessorConfiguration.names.joined(separator: ", ")), got \"lambda\"")
        #expect(processors.first?.path == "streams[0].processors[0]")
    }

    @Test func badPrefixReportsTheLineOfThePrefixKey() {
        let found = errors(stream("prefix: \"logs/!{timestamp:yyyy\""))
        #expect(found.first?.kind == .invalidPrefix)
        #expect(found.first?.line == 5)
        #expect(found.first?.path == "streams[0].prefix")
        #expect(found.first?.message.contains("column 6") == true)
    }

    @Test func errorOutputTypeIsNotAllowedInPrefix() {
        let found = errors(stream("prefix: \"!{firehose:error-output-type}/\"\nerror_output_prefix: \"e/!{firehose:error-output-type}/\""))
        #expect(found.first?.kind == .invalidPrefix)
        #expect(found.first?.line == 5)
    }

    @Test func errorOutputPrefixMustHaveErrorOutputType() {
        let found = errors(stream("error_output_prefix: errors/"))
        #expect(found.first?.kind == .invalidPrefix)
        #expect(found.first?.line == 5)
        #expect(found.first?.path == "streams[0].error_output_prefix")
    }

    @Test func undeclaredPartitionKey() {
        let found = errors(stream("partition_keys: {dataset: .event.dataset}\nprefix: \"!{partitionKeyFromQuery:host}/\""))
        #expect(found.count == 1)
        #expect(found.first?.kind == .invalidPrefix)
        #expect(found.first?.line == 6)
        #expect(found.first?.message.contains("partition key 'host' is not declared; declared keys: dataset") == true)
    }

    @Test func defaultPrefixNeedsDatasetKey() {
        let found = errors(stream("partition_keys: {host: .host.name}"))
        #expect(found.first?.kind == .invalidPrefix)
        #expect(found.first?.message.contains("(the default prefix)") == true)
    }

    @Test(arguments: ["event.dataset", ".event..dataset", ".event.", ".1abc", ".a-b", "."])
    func badPartitionKeyPath(path: String) {
        let found = errors(stream("partition_keys: {dataset: \"\(path)\"}"))
        #expect(found.first?.kind == .invalidValue)
        #expect(found.first?.line == 5)
        #expect(found.first?.path == "streams[0].partition_keys.dataset")
    }

    @Test func duplicateStreamNames() {
        let yaml = """
            streams:
              - name: net
                destination: {file: {root: a}}
              - name: net
                destination: {file: {root: b}}
            """
        let found = errors(yaml)
        #expect(found.count == 1)
        #expect(found.first?.kind == .duplicate)
        #expect(found.first?.line == 4)
        #expect(found.first?.message.contains("streams[0]") == true)
    }

    @Test func duplicateYAMLKeyIsASyntaxErrorWithLine() {
        let found = errors(stream("compression: gzip\ncompression: zstd"))
        #expect(found.first?.kind == .syntax)
        #expect(found.first?.line != nil)
    }

    @Test func badStreamNameAndMissingDestination() {
        let found = errors("streams:\n  - name: \"a/b\"\n")
        #expect(Set(found.map(\.kind)) == [.invalidValue, .missingKey])
    }

    @Test func destinationNeedsExactlyOne() {
        let both = errors("streams:\n  - name: s\n    destination:\n      file: {root: x}\n      s3: {endpoint: \"http://h\", bucket: abc}\n")
        #expect(both.first?.message.contains("exactly one of file, s3") == true)
        let none = errors("streams:\n  - name: s\n    destination: {}\n")
        #expect(none.first?.message.contains("exactly one of file, s3") == true)
    }

    @Test func s3Validation() {
        let found = errors("""
            streams:
              - name: s
                destination:
                  s3: {endpoint: "ftp://h", bucket: "Bad_Bucket", access_key_env: "1X"}
            """)
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.line == 4 })
    }

    @Test func missingStreams() {
        #expect(errors("server: {listen: \"127.0.0.1:1\"}\n").first?.kind == .missingKey)
        #expect(errors("streams: []\n").first?.kind == .missingKey)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = errors(stream("compression: lz4\nmax_active_partitions: 0\nbogus: 1"))
        #expect(found.count == 3)
    }
}

import HydrantArchive
import Testing
@testable import HydrantStream

/// `parquet: {exclude_columns: {dataset: [column, …]}}`: reading it and every way it can be wrong.
@Suite("Parquet exclude_columns configuration")
struct ParquetExclusionConfigurationTests {
    static func flowTable() throws -> ArchiveSchema {
        try #require(StreamSchemas.datasets["network.flow"])
    }

    @Test("exclude_columns reduces the named datasets' tables and leaves the others whole")
    func reads() throws {
        let configuration = try load(stream("""
            format: parquet
            compression: zstd
            parquet:
              exclude_columns:
                network.flow: [network.community_id, "@timestamp", event.duration]
                network.dns: [network.vlan_id, dns.question.entropy]
                network.tls: []
            """)).streams[0]
        let format = try #require(configuration.format.parquet)
        #expect(Set(format.reducedTables.keys) == ["network.flow", "network.dns", "network.tls"])
        let flow = try #require(format.reducedTables["network.flow"])
        #expect(flow.excludedColumns == ["@timestamp", "event.duration", "network.community_id"])
        #expect(flow.columns.map(\.name) == (try Self.flowTable()).columns.map(\.name)
            .filter { !["@timestamp", "event.duration", "network.community_id"].contains($0) })
        let dns = try #require(format.reducedTables["network.dns"])
        #expect(dns.excludedColumns == ["network.vlan.id", "dns.question.entropy"])
        #expect(format.reducedTables["network.tls"] == StreamSchemas.datasets["network.tls"])

        let converter = ParquetConverter(datasets: StreamSchemas.datasets, format: format)
        #expect(converter.datasets["network.flow"] == flow)
        #expect(converter.datasets["network.http"] == StreamSchemas.datasets["network.http"])
        #expect(try load(stream("format: parquet")).streams[0].format.parquet?.reducedTables.isEmpty == true)
    }

    /// The stream's line 6 is `parquet: {exclude_columns: <value>}`; `marker` is the text the error must point at
    /// (its first occurrence on that line).
    @Test("every invalid exclude_columns is reported at its line and column with its key path", arguments: [
        ("[network.community_id]", "[network", ConfigurationError.Kind.wrongType, "",
         "must be a mapping from dataset to the columns it leaves out"),
        ("{network.flows: [event.duration]}", "network.flows", .unknownKey, ".network.flows",
         "allowed keys here: alert, flowlog.netflow, flowlog.vpc, network.dns, network.flow, network.http, network.tls"),
        ("{declared: [ts]}", "declared", .unknownKey, ".declared", "is not a known key"),
        ("{network.flow: network.community_id}", "network.community_id", .wrongType, ".network.flow",
         "must be a sequence of column names of network.flow"),
        ("{network.flow: [network.communityid]}", "network.communityid", .notAllowed, ".network.flow[0]",
         #"names no column of network.flow, got "network.communityid" (did you mean "network.community_id"?)"#),
        ("{network.flow: [event.duration, bogus]}", "bogus", .notAllowed, ".network.flow[1]",
         "its columns: @timestamp, event.dataset, event.ingested, event.start"),
        ("{network.dns: [event.start]}", "event.start", .notAllowed, ".network.dns[0]", "names no column of network.dns"),
        (#"{network.flow: [event.duration, "@timestamp", 'event.duration']}"#, "'event.duration'", .duplicate,
         ".network.flow[2]", "excludes column event.duration of network.flow a second time"),
        ("{network.flow: [network.vlan.id, network.vlan_id]}", "network.vlan_id", .duplicate, ".network.flow[1]",
         "excludes column network.vlan.id of network.flow a second time"),
        ("{network.flow: [{a: 1}]}", "{a", .wrongType, ".network.flow[0]", "must be a string"),
        (#"{network.flow: [""]}"#, #""""#, .invalidValue, ".network.flow[0]", "must not be empty"),
        ("[]", "[]", .wrongType, "", "(a column name means different things in different datasets)"),
    ])
    func errorsArePrecise(value: String, marker: String, kind: ConfigurationError.Kind, path: String, message: String) throws {
        let lineText = "    parquet: {exclude_columns: \(value)}"
        let yaml = stream("format: parquet\nparquet: {exclude_columns: \(value)}")
        #expect(yaml.split(separator: "\n", omittingEmptySubsequences: false)[5] == Substring(lineText))
        let column = try #require(lineText.range(of: marker)).lowerBound.utf16Offset(in: lineText) + 1
        let found = errors(yaml)
        #expect(found.count == 1, "\(found)")
        guard let error = found.first else { return }
        let fullPath = "streams[0].parquet.exclude_columns" + path
        #expect(error.kind == kind, "\(error)")
        #expect(error.location.line == 6 && error.location.column == column, "\(error)")
        #expect(error.path == fullPath, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("hydrant.yaml:6:\(column): \(fullPath) "), "\(error)")
    }

    @Test("a list that excludes every column of a dataset is refused at the list")
    func everyColumn() throws {
        let names = try Self.flowTable().columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        let found = errors(stream("format: parquet\nparquet:\n  exclude_columns:\n    network.flow: [\(names)]"))
        #expect(found.count == 1, "\(found)")
        let error = try #require(found.first)
        #expect(error.kind == .invalidValue)
        #expect(error.location.line == 8 && error.location.column == 23, "\(error)")
        #expect(error.path == "streams[0].parquet.exclude_columns.network.flow")
        #expect(error.message == "leaves network.flow with no columns; keep at least one")
        // One column fewer is a valid table of one column.
        let allButOne = try Self.flowTable().columns.dropFirst().map { "\"\($0.name)\"" }.joined(separator: ", ")
        let configuration = try load(stream("format: parquet\nparquet:\n  exclude_columns:\n    network.flow: [\(allButOne)]"))
        #expect(configuration.streams[0].format.parquet?.reducedTables["network.flow"]?.columns.map(\.name) == ["@timestamp"])
    }

    @Test("exclude_columns needs format: parquet, and several mistakes are all reported")
    func combined() {
        let withoutParquet = errors(stream("parquet: {exclude_columns: {network.flow: [event.duration]}}"))
        #expect(withoutParquet.map(\.path) == ["streams[0].parquet"], "\(withoutParquet)")
        let several = errors(stream("""
            format: parquet
            parquet:
              exclude_columns:
                network.flow: [bogus, event.duration, event.duration]
                network.http: [also_bogus]
            """))
        #expect(several.map(\.path) == [
            "streams[0].parquet.exclude_columns.network.flow[0]",
            "streams[0].parquet.exclude_columns.network.flow[2]",
            "streams[0].parquet.exclude_columns.network.http[0]",
        ], "\(several)")
        #expect(several.map(\.location.line) == [8, 8, 9])
        // A dataset given twice is refused by the YAML preflight, as every repeated key is.
        let repeated = errors(stream("format: parquet\nparquet: {exclude_columns: {network.flow: [], network.flow: [event.duration]}}"))
        #expect(repeated.map(\.kind) == [.syntax], "\(repeated)")
        #expect(repeated.first?.message == "repeats the key network.flow in one mapping")
        #expect(repeated.first?.location.line == 6)
    }
}

import Foundation
import Testing
@testable import HydrantStream

@Suite struct ProcessorConfigurationTests {
    @Test func enrichExampleLoads() throws {
        let path = repositoryRoot.appendingPathComponent("examples/hydrant-enrich.yaml").path
        let configuration = try ConfigurationLoader(environment: ["HYDRANT_WEBHOOK_SECRET": "k"]).load(path: path)
        let stream = try #require(configuration.stream(named: "network"))
        #expect(stream.processors.map(\.name) == ["geoip", "assets", "direction", "intel", "http_transform", "detect"])
        guard case .geoIP(let geo) = stream.processors[0] else { Issue.record("not geoip"); return }
        #expect(geo.city == "/path/GeoLite2-City.mmdb")
        #expect(geo.asn == "/path/GeoLite2-ASN.mmdb")
        #expect(geo.country == nil)
        #expect(geo.source.location.line == 9)
        #expect(geo.source.path == "streams[0].processors[0].geoip")
        guard case .direction(let direction) = stream.processors[2] else { Issue.record("not direction"); return }
        #expect(direction.homeNetworks == ["10.0.0.0/8", "192.168.0.0/16"])
        guard case .intel(let intel) = stream.processors[3] else { Issue.record("not intel"); return }
        #expect(intel.feeds == [.init(feed: "abuse-ips", path: "intel/ips.txt"), .init(feed: "bad-domains", path: "intel/domains.txt")])
        guard case .httpTransform(let transform) = stream.processors[4] else { Issue.record("not a transform"); return }
        #expect(transform.url == "http://127.0.0.1:9100/transform")
        #expect(transform.retries == 3)
        #expect(transform.timeoutSeconds == HTTPTransformConfiguration.defaultTimeoutSeconds)
        #expect(transform.bufferSizeMB == 1.0)
        guard case .detect(let detect) = stream.processors[5] else { Issue.record("not detect"); return }
        #expect(detect.rules == ["rules/"])
        #expect(detect.allowedLatenessSeconds == 30)
        #expect(detect.maxGroups == 1_000_000)
        let alerts = try #require(configuration.alerts)
        #expect(alerts.webhooks.map(\.name) == ["soc"])
        #expect(alerts.webhooks.first?.secret == Array("k".utf8))
        #expect(alerts.outbox(storage: configuration.storage) == "./.hydrant/alerts")
        #expect(alerts.drainTimeoutSeconds == 60)
    }

    @Test func issueExampleBlockInEnrichmentDocsLoads() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/enrichment.md"), encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let configuration = try load(stream() + "\n" + block)
        #expect(configuration.streams[0].processors.count == 6)
    }

    @Test func bareNamesAndDefaults() throws {
        let configuration = try load(stream("""
        processors:
          - deaggregate_json
          - direction
          - dga
          - detect: {rules: [a.yml, dir/], placeholders: {admins: [root, admin], port: "22"}, allowed_lateness_s: 5, max_groups: 10}
          - http_transform: {url: "https://t.example/x", retries: 0, timeout_s: 2, buffer_size_mb: 0.5}
          - append_delimiter
        """))
        let processors = configuration.streams[0].processors
        #expect(processors.map(\.name) == ["deaggregate_json", "direction", "dga", "detect", "http_transform", "append_delimiter"])
        guard case .direction(let direction) = processors[1], case .dga(let dga) = processors[2],
              case .detect(let detect) = processors[3], case .httpTransform(let transform) = processors[4] else {
            Issue.record("wrong processors")
            return
        }
        #expect(direction.homeNetworks == nil)
        #expect(dga.publicSuffixList == DGAProcessorConfiguration.defaultPublicSuffixList)
        #expect(detect.rules == ["a.yml", "dir/"])
        #expect(detect.placeholders == ["admins": ["root", "admin"], "port": ["22"]])
        #expect(detect.allowedLatenessSeconds == 5)
        #expect(detect.maxGroups == 10)
        #expect(transform.retries == 0)
        #expect(transform.timeoutSeconds == 2)
        #expect(transform.bufferSizeMB == 0.5)
        #expect(RecordProcessingStage.isNeeded(for: processors))
        #expect(!RecordProcessingStage.isNeeded(for: [.deaggregateJSON, .appendDelimiter]))
    }

    /// Each bad processor setting gives one error at its own line and column, with its key path.
    @Test(arguments: [
        ("- geoip: {}", ConfigurationError.Kind.missingKey, 6, 16, "streams[0].processors[0].geoip", "needs at least one of city, country, asn"),
        ("- geoip: {city: a.mmdb, cty: b}", .unknownKey, 6, 31, "streams[0].processors[0].geoip.cty", "is not a known key"),
        ("- geoip", .missingKey, 6, 9, "streams[0].processors[0]", "geoip needs settings"),
        ("- assets: {path: a.csv, file: b}", .unknownKey, 6, 31, "streams[0].processors[0].assets.file", "is not a known key"),
        ("- direction: {home_networks: [10.0.0.0/33]}", .invalidValue, 6, 37, "streams[0].processors[0].direction.home_networks[0]", "must be a CIDR block"),
        ("- intel: [{feed: x}]", .missingKey, 6, 17, "streams[0].processors[0].intel[0].path", "is required"),
        ("- intel: {feed: x, path: y}", .wrongType, 6, 16, "streams[0].processors[0].intel", "must be a sequence"),
        ("- http_transform: {url: ftp://x/}", .invalidValue, 6, 31, "streams[0].processors[0].http_transform.url", "must be an http:// or https:// URL"),
        ("- http_transform: {url: http://x/, retries: -1}", .outOfRange, 6, 51, "streams[0].processors[0].http_transform.retries", "must be 0…300"),
        ("- http_transform: {url: http://x/, buffer_size_mb: 5}", .outOfRange, 6, 58, "streams[0].processors[0].http_transform.buffer_size_mb", "must be 0.2…3.0"),
        ("- http_transform: {url: http://x/, timeout_s: 0}", .outOfRange, 6, 53, "streams[0].processors[0].http_transform.timeout_s", "must be 1…300"),
        ("- detect: {rules: r/, rule: x}", .unknownKey, 6, 29, "streams[0].processors[0].detect.rule", "is not a known key"),
        ("- detect: {rules: r/, max_groups: 0}", .outOfRange, 6, 41, "streams[0].processors[0].detect.max_groups", "must be 1…100000000"),
        ("- detect: {rules: []}", .missingKey, 6, 25, "streams[0].processors[0].detect.rules", "must name at least one"),
        ("- lambda: {}", .notAllowed, 6, 9, "streams[0].processors[0]", "must be one of"),
        ("- {geoip: {city: a}, assets: {path: b}}", .invalidValue, 6, 9, "streams[0].processors[0]", "exactly one processor name"),
        ("- dga\n  - dga", .duplicate, 7, 9, "streams[0].processors[1]", "repeats processor dga"),
        ("- append_delimiter: {x: 1}", .invalidValue, 6, 27, "streams[0].processors[0].append_delimiter", "takes no settings"),
    ])
    func badSettingIsPrecise(_ yaml: String, _ kind: ConfigurationError.Kind, _ line: Int, _ column: Int, _ path: String,
                             _ message: String) {
        let found = errors(stream("processors:\n  " + yaml))
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.kind == kind)
        #expect(found.first?.path == path)
        #expect(found.first?.location.line == line)
        #expect(found.first?.location.column == column, "\(found.first?.description ?? "")")
        #expect(found.first?.message.contains(message) == true, "\(found.first?.message ?? "")")
        #expect(found.first?.description.hasPrefix("hydrant.yaml:\(line):\(column): \(path) ") == true)
    }

    @Test func webhookErrorsPointAtTheirKey() {
        let yaml = stream() + "\nalerts:\n  webhooks:\n    - name: soc\n      url: http://127.0.0.1:1/\n      secret_env: NOPE_UNSET\n"
        let found = errors(yaml)
        #expect(found.count == 1)
        #expect(found.first?.kind == .missingEnvironmentVariable)
        #expect(found.first?.path == "alerts.webhooks[0].secret_env")
        #expect(found.first?.location.line == 10)
        let unknown = errors(stream() + "\nalerts:\n  webhooks:\n    - {name: soc, url: \"http://x/\", colour: red}\n")
        #expect(unknown.first?.kind == .unknownKey)
        #expect(unknown.first?.path == "alerts.webhooks[0].colour")
        #expect(unknown.first?.location.line == 8)
        let duplicate = errors(stream() + "\nalerts:\n  webhooks:\n    - {name: a, url: \"http://x/\"}\n    - {name: a, url: \"http://y/\"}\n")
        #expect(duplicate.first?.kind == .duplicate)
        #expect(duplicate.first?.location.line == 9)
        let drain = errors(stream() + "\nalerts:\n  drain_timeout_s: -1\n")
        #expect(drain.first?.path == "alerts.drain_timeout_s")
    }

    @Test func startUpErrorsNameTheFile() throws {
        let directory = try ScratchDirectory("procstart")
        defer { directory.remove() }
        let missing = try streamConfiguration(in: directory, "processors: [{geoip: {city: \(directory.path)/none.mmdb}}]")
        let error = #expect(throws: ProcessorStartError.self) { _ = try openStream(missing) }
        #expect(error?.description.contains("\(directory.path)/none.mmdb") == true)
        #expect(error?.description.contains("streams[0].processors[0].geoip") == true)
        let corrupt = directory.path + "/corrupt.mmdb"
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: corrupt))
        let bad = try streamConfiguration(in: directory, "processors: [{geoip: {asn: \(corrupt)}}]")
        let corruptError = #expect(throws: ProcessorStartError.self) { _ = try openStream(bad) }
        #expect(corruptError?.description.contains(corrupt) == true)
        let rules = directory.path + "/bad.yml"
        try Data("title: x\nlogsource: {category: network}\ndetection:\n  sel: {destination.port: 1}\n  condition: sel AND sel\n".utf8)
            .write(to: URL(fileURLWithPath: rules))
        let badRules = try streamConfiguration(in: directory, "processors: [{detect: {rules: \(rules)}}]")
        let ruleError = #expect(throws: ProcessorStartError.self) { _ = try openStream(badRules) }
        #expect(ruleError?.description.contains("bad.yml") == true)
        // Nothing was opened for a stream that failed to start.
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/storage/s/wal"))
    }
}

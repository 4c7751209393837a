import Foundation
import HydrantFlowLogs
import Testing
@testable import HydrantStream

/// `sources.netflow` and the `vpc_flow_log` processor in hydrant.yaml: defaults, every setting, and precise errors
/// (file, line, key path, allowed values).
@Suite struct FlowLogSourceConfigurationTests {
    static let streams = """
        streams:
          - name: flows
            destination:
              file: {root: ./lake}
          - name: other
            destination:
              file: {root: ./other}
        """

    @Test("a netflow source with only a stream and a port takes the documented defaults")
    func defaults() throws {
        let configuration = try load(Self.streams + "\nsources:\n  netflow: {stream: flows, ipfix_port: 4739}\n")
        let netflow = try #require(configuration.sources.netflow)
        #expect(netflow.stream == "flows")
        #expect(netflow.ports == [4739] && netflow.netflowPort == nil)
        #expect(netflow.bind == "0.0.0.0")
        #expect(netflow.templateTimeoutSeconds == 1800)
        #expect(netflow.pendingMaxAgeSeconds == 30 && netflow.pendingMaxMB == 4)
        #expect(netflow.receiveBufferMB == 32)
        #expect(netflow.applySampling && !netflow.keepEnterprise && netflow.observerName == nil)
        #expect(netflow.location.line == 9)
        #expect(try load(Self.streams).sources.isEmpty)
    }

    @Test("the sources example of docs/config.md loads, with a stream named flows")
    func documentedExampleLoads() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/config.md"), encoding: .utf8)
        let block = try #require(text.components(separatedBy: "```yaml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }.first { $0.hasPrefix("sources:") })
        let netflow = try #require(try load(Self.streams + "\n" + block).sources.netflow)
        #expect(netflow.stream == "flows" && netflow.ports == [2055, 4739] && netflow.observerName == "collector-1")
    }

    @Test("every setting is read")
    func everySetting() throws {
        let configuration = try load(Self.streams + """

            sources:
              netflow:
                stream: other
                netflow_port: 2055
                ipfix_port: 4739
                bind: 127.0.0.1
                template_timeout_s: 0
                pending_max_age_s: 5
                pending_max_mb: 16
                receive_buffer_mb: 64
                apply_sampling: false
                keep_enterprise: true
                observer_name: edge-1
            """)
        let netflow = try #require(configuration.sources.netflow)
        #expect(netflow.stream == "other" && netflow.ports == [2055, 4739] && netflow.bind == "127.0.0.1")
        #expect(netflow.templateTimeoutSeconds == 0 && netflow.pendingMaxAgeSeconds == 5 && netflow.pendingMaxMB == 16)
        #expect(netflow.receiveBufferMB == 64 && !netflow.applySampling && netflow.keepEnterprise)
        #expect(netflow.observerName == "edge-1")
    }

    /// Each bad setting gives one error at its own line and column, with its key path and what is allowed.
    @Test(arguments: [
        ("netflow: {stream: nope, ipfix_port: 4739}", ConfigurationError.Kind.notAllowed, 9, 21, "sources.netflow.stream",
         "must be one of flows, other, got \"nope\""),
        ("netflow: {ipfix_port: 4739}", .missingKey, 9, 12, "sources.netflow.stream", "is required"),
        ("netflow: {stream: flows}", .missingKey, 9, 12, "sources.netflow", "needs netflow_port or ipfix_port"),
        ("netflow: {stream: flows, ipfix_port: 70000}", .outOfRange, 9, 40, "sources.netflow.ipfix_port", "must be 1…65535, got 70000"),
        ("netflow: {stream: flows, netflow_port: 2055, ipfix_port: 2055}", .duplicate, 9, 60, "sources.netflow.ipfix_port",
         "is the same port as netflow_port"),
        ("netflow: {stream: flows, ipfix_port: 4739, bind: localhost}", .invalidValue, 9, 52, "sources.netflow.bind",
         "must be an IPv4 address"),
        ("netflow: {stream: flows, ipfix_port: 4739, keep_enterprise: yes}", .wrongType, 9, 63, "sources.netflow.keep_enterprise",
         "must be true or false"),
        ("netflow: {stream: flows, ipfix_port: 4739, template_timeout_s: -1}", .outOfRange, 9, 66,
         "sources.netflow.template_timeout_s", "must be 0…86400"),
        ("netflow: {stream: flows, ipfix_port: 4739, port: 1}", .unknownKey, 9, 46, "sources.netflow.port",
         "allowed keys here: stream, netflow_port, ipfix_port, bind, template_timeout_s"),
        ("syslog: {}", .unknownKey, 9, 3, "sources.syslog", "allowed keys here: netflow"),
    ])
    func errorsArePrecise(setting: String, kind: ConfigurationError.Kind, line: Int, column: Int, path: String, message: String) {
        let found = errors(Self.streams + "\nsources:\n  " + setting + "\n")
        #expect(found.count == 1, "\(found)")
        guard let error = found.first else { return }
        #expect(error.kind == kind, "\(error)")
        #expect(error.location.line == line && error.location.column == column, "\(error)")
        #expect(error.path == path, "\(error)")
        #expect(error.message.contains(message), "\(error)")
        #expect(error.description.hasPrefix("hydrant.yaml:\(line):\(column): \(path)"), "\(error)")
    }

    @Test("vpc_flow_log: bare for the v2 default format, or with a LogFormat string and an observer name")
    func vpcFlowLogProcessor() throws {
        let bare = try load(stream("processors:\n  - vpc_flow_log\n  - append_delimiter"))
        guard case .vpcFlowLog(let plain) = bare.streams[0].processors.first else { Issue.record("not vpc_flow_log"); return }
        #expect(plain.format == .default && plain.formatText == nil)
        #expect(RecordProcessingStage.isNeeded(for: bare.streams[0].processors))

        let custom = try load(stream("""
            processors:
              - vpc_flow_log: {format: "${version} ${srcaddr} ${dstaddr} ${vpc-id} ${action}", observer_name: aws}
            """))
        guard case .vpcFlowLog(let configured) = custom.streams[0].processors.first else { Issue.record("not vpc_flow_log"); return }
        #expect(configured.format.columns.map(\.name) == ["version", "srcaddr", "dstaddr", "vpc-id", "action"])
        #expect(configured.observerName == "aws")
        #expect(configured.source.path == "streams[0].processors[0].vpc_flow_log")
    }

    @Test(arguments: [
        ("- vpc_flow_log: {format: \"version action\"}", ConfigurationError.Kind.invalidValue, "streams[0].processors[0].vpc_flow_log.format",
         "has no srcaddr or dstaddr"),
        ("- vpc_flow_log: {format: \"srcaddr dstaddr srcaddr\"}", .invalidValue, "streams[0].processors[0].vpc_flow_log.format",
         "names 'srcaddr' twice"),
        ("- vpc_flow_log: {fmt: x}", .unknownKey, "streams[0].processors[0].vpc_flow_log.fmt", "allowed keys here: format, observer_name"),
        ("- vpc_flow_log\n- vpc_flow_log", .duplicate, "streams[0].processors[1]", "repeats processor vpc_flow_log"),
    ])
    func vpcFlowLogErrors(setting: String, kind: ConfigurationError.Kind, path: String, message: String) {
        let found = errors(stream("processors:\n" + setting.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")))
        #expect(found.count == 1, "\(found)")
        guard let error = found.first else { return }
        #expect(error.kind == kind && error.path == path && error.message.contains(message), "\(error)")
        #expect(error.location.line == 6 || error.location.line == 7, "\(error)")
    }
}

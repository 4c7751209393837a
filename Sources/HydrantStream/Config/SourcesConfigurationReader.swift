import Foundation
import Yams

/// Reads `sources:` (a mapping of source kinds; only `netflow` so far) and checks each source's stream against
/// `streams:`.
extension StreamConfigurationReader {
    static let sourceKinds = ["netflow"]
    static let netflowKeys = ["stream", "netflow_port", "ipfix_port", "bind", "template_timeout_s", "pending_max_age_s",
                              "pending_max_mb", "receive_buffer_mb", "apply_sampling", "keep_enterprise", "observer_name"]

    /// `sources:`; nil when invalid (the errors are recorded). `streams` are the names declared, for the
    /// cross-reference.
    func readSources(_ node: Node, streams: [String]) -> SourcesConfiguration? {
        if case .scalar(let scalar) = node, NodeReader.isNull(scalar) { return SourcesConfiguration() }
        guard let fields = reader.mapping(node, path: "sources", allowed: Self.sourceKinds) else { return nil }
        guard let field = fields["netflow"] else { return SourcesConfiguration() }
        guard let netflow = readNetFlowSource(field.value, streams: streams) else { return nil }
        return SourcesConfiguration(netflow: netflow)
    }

    private func readNetFlowSource(_ node: Node, streams: [String]) -> NetFlowSourceConfiguration? {
        let path = "sources.netflow"
        typealias Defaults = NetFlowSourceConfiguration
        guard let fields = reader.mapping(node, path: path, allowed: Self.netflowKeys) else { return nil }
        var valid = true
        func check<T>(_ value: T?) -> T? {
            if value == nil { valid = false }
            return value
        }
        func integer(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int) -> Int {
            guard let field = fields[key] else { return fallback }
            return check(reader.integer(field.value, path: "\(path).\(key)", range: range)) ?? fallback
        }
        func flag(_ key: String, _ fallback: Bool) -> Bool {
            guard let field = fields[key] else { return fallback }
            return check(readBoolean(field.value, path: "\(path).\(key)")) ?? fallback
        }

        var stream: String?
        if let field = fields["stream"] {
            stream = check(reader.nonEmptyString(field.value, path: path + ".stream"))
            if let name = stream, !streams.isEmpty, !streams.contains(name) {
                reader.fail(.notAllowed, at: field.value, path: path + ".stream",
                            "names no stream of 'streams:'; must be one of \(streams.joined(separator: ", ")), got \(NodeReader.quoted(name))")
                valid = false
            }
        } else {
            reader.missing("stream", in: fields, "; the delivery stream that receives the flow records")
            valid = false
        }

        var netflowPort: Int?
        var ipfixPort: Int?
        if let field = fields["netflow_port"] { netflowPort = check(reader.integer(field.value, path: path + ".netflow_port", range: 1...65535)) }
        if let field = fields["ipfix_port"] { ipfixPort = check(reader.integer(field.value, path: path + ".ipfix_port", range: 1...65535)) }
        if fields["netflow_port"] == nil && fields["ipfix_port"] == nil {
            reader.fail(.missingKey, at: fields.node, path: path,
                        "needs netflow_port or ipfix_port (or both), e.g. {stream: flows, netflow_port: 2055, ipfix_port: 4739}")
            valid = false
        }
        if let netflowPort, netflowPort == ipfixPort, let field = fields["ipfix_port"] {
            reader.fail(.duplicate, at: field.value, path: path + ".ipfix_port",
                        "is the same port as netflow_port (\(netflowPort)); every port takes every version, so give it once")
            valid = false
        }

        var bind = Defaults.defaultBind
        if let field = fields["bind"], let text = check(reader.nonEmptyString(field.value, path: path + ".bind")) {
            var address = in_addr()
            if inet_pton(AF_INET, text, &address) == 1 {
                bind = text
            } else {
                reader.fail(.invalidValue, at: field.value, path: path + ".bind",
                            "must be an IPv4 address such as 0.0.0.0 or 127.0.0.1, got \(NodeReader.quoted(text))")
                valid = false
            }
        }

        let templateTimeout = integer("template_timeout_s", Defaults.templateTimeoutSecondsRange, Defaults.defaultTemplateTimeoutSeconds)
        let pendingAge = integer("pending_max_age_s", Defaults.pendingMaxAgeSecondsRange, Defaults.defaultPendingMaxAgeSeconds)
        let pendingMB = integer("pending_max_mb", Defaults.pendingMaxMBRange, Defaults.defaultPendingMaxMB)
        let receiveBuffer = integer("receive_buffer_mb", Defaults.receiveBufferMBRange, Defaults.defaultReceiveBufferMB)
        let applySampling = flag("apply_sampling", true)
        let keepEnterprise = flag("keep_enterprise", false)
        var observerName: String?
        if let field = fields["observer_name"] { observerName = check(reader.nonEmptyString(field.value, path: path + ".observer_name")) }

        guard valid, let stream else { return nil }
        return NetFlowSourceConfiguration(
            stream: stream, netflowPort: netflowPort, ipfixPort: ipfixPort, bind: bind, templateTimeoutSeconds: templateTimeout,
            pendingMaxAgeSeconds: pendingAge, pendingMaxMB: pendingMB, receiveBufferMB: receiveBuffer,
            applySampling: applySampling, keepEnterprise: keepEnterprise, observerName: observerName,
            location: reader.location(node))
    }

    /// `true` or `false` (YAML 1.2 core schema spellings); anything else is an error.
    func readBoolean(_ node: Node, path: String) -> Bool? {
        if case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any {
            switch scalar.string {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        reader.fail(.wrongType, at: node, path: path, "must be true or false, got \(NodeReader.describe(node))")
        return nil
    }
}

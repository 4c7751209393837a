import HydrantFlowLogs
import Yams

/// Reads `vpc_flow_log` in `processors:`; the format string is parsed here, so a bad one is a configuration error
/// with its file and line.
extension StreamConfigurationReader {
    static let vpcFlowLogKeys = ["format", "observer_name"]

    func readVPCFlowLog(_ settings: Node?, path: String, source: ProcessorSource) -> VPCFlowLogProcessorConfiguration? {
        guard let settings else { return VPCFlowLogProcessorConfiguration(source: source) }
        if case .scalar(let scalar) = settings, NodeReader.isNull(scalar) { return VPCFlowLogProcessorConfiguration(source: source) }
        guard let fields = reader.mapping(settings, path: path, allowed: Self.vpcFlowLogKeys) else { return nil }
        var valid = true
        var format = VPCFlowLogFormat.default
        var formatText: String?
        // `${...}` in a format string is AWS's LogFormat syntax, not an environment reference.
        if let field = fields["format"], let text = reader.string(field.value, path: path + ".format", substitute: false) {
            do {
                format = try VPCFlowLogFormat(text, source: "format")
                formatText = text
            } catch let error as VPCFlowLogError {
                let reason = error.reason == .formatLacksAddresses
                    ? "has no srcaddr or dstaddr, so its lines cannot be flow records"
                    : "names \(error.field.map { "'\($0)'" } ?? "a field") twice"
                reader.fail(.invalidValue, at: field.value, path: path + ".format",
                            "\(reason); give the LogFormat string, e.g. \"${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} …\"")
                valid = false
            } catch {
                reader.fail(.invalidValue, at: field.value, path: path + ".format", "is not a VPC Flow Logs format: \(error)")
                valid = false
            }
        } else if fields["format"] != nil {
            valid = false
        }
        var observerName: String?
        if let field = fields["observer_name"] {
            observerName = reader.nonEmptyString(field.value, path: path + ".observer_name")
            if observerName == nil { valid = false }
        }
        guard valid else { return nil }
        return VPCFlowLogProcessorConfiguration(format: format, formatText: formatText, observerName: observerName, source: source)
    }
}

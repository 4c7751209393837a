import HydrantFlowLogs

/// `vpc_flow_log: {format:, observer_name:}` (or bare `vpc_flow_log`): records that are VPC Flow Logs lines, one
/// line per record as VPC Flow Logs delivers to Firehose, become `flowlog.vpc` JSON records.
public struct VPCFlowLogProcessorConfiguration: Hashable, Sendable {
    /// The columns of the lines: the `LogFormat` string (`${version} ${account-id} …`) or field names separated by
    /// spaces; the default v2 format when absent.
    public let format: VPCFlowLogFormat
    /// `format` as written, nil for the default.
    public let formatText: String?
    /// Written to `observer.name`.
    public let observerName: String?
    /// Where the entry was written.
    public let source: ProcessorSource

    /// A configuration; `format` defaults to the v2 default format.
    public init(format: VPCFlowLogFormat = .default, formatText: String? = nil, observerName: String? = nil,
                source: ProcessorSource) {
        self.format = format
        self.formatText = formatText
        self.observerName = observerName
        self.source = source
    }
}

/// The direction of a flow relative to the observing interface (IPFIX IE 61, flowDirection), as `network.direction`
/// writes it.
public enum NetFlowDirection: String, Sendable {
    /// IE 61 value 0.
    case ingress
    /// IE 61 value 1.
    case egress
}

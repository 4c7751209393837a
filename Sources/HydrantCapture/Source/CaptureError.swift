/// Why a capture source could not be opened or read.
public enum CaptureError: Error, Equatable, CustomStringConvertible {
    /// libpcap could not open the file; `reason` is libpcap's own message.
    case cannotOpenFile(path: String, reason: String)
    /// libpcap could not open the interface.
    case cannotOpenInterface(name: String, reason: String)
    /// Capturing needs privileges the process lacks.
    case permissionDenied(name: String, reason: String)
    /// The BPF filter expression does not compile.
    case badFilter(expression: String, reason: String)
    /// libpcap failed while reading.
    case readFailed(source: String, reason: String)

    /// A message for the user that says what failed and what to do.
    public var description: String {
        switch self {
        case let .cannotOpenFile(path, reason):
            return "\(path): cannot read capture: \(reason)"
        case let .cannotOpenInterface(name, reason):
            return "interface \(name): cannot capture: \(reason)"
        case let .permissionDenied(name, reason):
            return "interface \(name): permission denied (\(reason)); live capture needs root or the CAP_NET_RAW "
                + "and CAP_NET_ADMIN capabilities, e.g. `sudo setcap cap_net_raw,cap_net_admin=eip $(which hydrant)`"
        case let .badFilter(expression, reason):
            return "filter '\(expression)': \(reason)"
        case let .readFailed(source, reason):
            return "\(source): read failed: \(reason)"
        }
    }
}

import ArgumentParser
import HydrantFlowLogs

/// What `replay` reads: a capture, or VPC Flow Logs.
enum ReplayInputFormat: String, ExpressibleByArgument, CaseIterable {
    /// pcap/pcapng, unless every file starts with a VPC Flow Logs header line.
    case auto
    /// VPC Flow Logs, with or without a header line.
    case vpcFlowLog = "vpc-flow-log"
}

/// `replay` options for flow logs: VPC Flow Logs files instead of captures, and NetFlow/IPFIX export found inside
/// captures.
struct FlowLogReplayOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Input format: auto or vpc-flow-log.",
        discussion: "auto reads captures, and VPC Flow Logs files (plain or .gz) recognised by their header line; "
            + "vpc-flow-log reads headerless VPC Flow Logs files and standard input."))
    var format: ReplayInputFormat = .auto

    @Option(help: ArgumentHelp(
        "Fields of headerless VPC Flow Logs lines, e.g. 'version account-id interface-id srcaddr …'.",
        discussion: "Default: the version 2 default format. A header line in the input overrides it."))
    var vpcFormat: String?

    @Option(name: .customLong("netflow-port"), help: ArgumentHelp(
        "Decode UDP datagrams to this port in captures as NetFlow v5/v9/IPFIX (repeatable; none by default).",
        discussion: "The export's flows become flowlog.netflow records beside the packet flows."))
    var netflowPorts: [UInt16] = []

    func validate() throws {
        if vpcFormat != nil && format != .vpcFlowLog {
            throw ValidationError("--vpc-format needs --format vpc-flow-log")
        }
        if let vpcFormat {
            do { _ = try VPCFlowLogFormat(vpcFormat, source: "--vpc-format") } catch { throw ValidationError("\(error)") }
        }
        if format == .vpcFlowLog && !netflowPorts.isEmpty {
            throw ValidationError("--netflow-port applies to captures, not to --format vpc-flow-log")
        }
    }

    /// The VPC Flow Logs format lines before any header line are read with: with `--format vpc-flow-log`,
    /// `--vpc-format` or else the v2 default; otherwise none (a file recognised by its header needs none).
    var headerlessFormat: VPCFlowLogFormat? {
        guard format == .vpcFlowLog else { return nil }
        return vpcFormat.flatMap { try? VPCFlowLogFormat($0, source: "--vpc-format") } ?? .default
    }

    /// Whether `files` are VPC Flow Logs rather than captures: `--format vpc-flow-log`, or every file starts with a
    /// header line. Mixing the two is refused, since one run writes one kind of summary.
    func readsVPCFlowLogs(_ files: [String]) throws -> Bool {
        if format == .vpcFlowLog { return true }
        let recognised = files.filter { VPCFlowLogReader.startsWithHeader(path: $0) }
        if recognised.isEmpty { return false }
        if recognised.count == files.count {
            guard netflowPorts.isEmpty else {
                throw ValidationError("--netflow-port applies to captures; \(recognised[0]) is a VPC Flow Logs file")
            }
            return true
        }
        let others = files.filter { !recognised.contains($0) }
        throw ValidationError("VPC Flow Logs files (\(recognised.joined(separator: ", "))) and captures "
            + "(\(others.joined(separator: ", "))) cannot be replayed in one run")
    }
}

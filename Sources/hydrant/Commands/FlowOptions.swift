import ArgumentParser
import HydrantCapture

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Flow-table and output options shared by `replay` and `agent`.
struct FlowOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write JSON-lines records here; '-' or absent means stdout.")
    var output: String?

    @Option(help: "BPF filter expression applied by libpcap, e.g. 'tcp port 443'.")
    var filter: String?

    @Option(help: "Flows tracked at most; past it the least recently active flow is emitted early.")
    var maxFlows: Int = 1_000_000

    @Option(help: "Inactive timeout of established TCP flows, seconds.")
    var tcpTimeout: Int = 300

    @Option(help: "Inactive timeout of half-open TCP flows, seconds.")
    var tcpHalfOpenTimeout: Int = 30

    @Option(help: "Inactive timeout of UDP flows, seconds.")
    var udpTimeout: Int = 60

    @Option(help: "Inactive timeout of ICMP and other flows, seconds.")
    var icmpTimeout: Int = 60

    @Option(help: "Interval of interim flow_update records for long flows, seconds.")
    var activeTimeout: Int = 300

    @Option(help: "observer.name of every record (default: this host's name).")
    var observer: String?

    @Option(help: "Datasets to emit, comma-separated: flow, dns, http, tls (default: all four).")
    var datasets: String = "flow,dns,http,tls"

    func validate() throws {
        if let filter {
            do { try PcapSource.validate(filter: filter) } catch { throw ValidationError(error.description) }
        }
        guard (1...100_000_000).contains(maxFlows) else {
            throw ValidationError("--max-flows must be 1…100000000, got \(maxFlows)")
        }
        _ = try selectedDatasets()
        for (name, value) in [("--tcp-timeout", tcpTimeout), ("--tcp-half-open-timeout", tcpHalfOpenTimeout),
                              ("--udp-timeout", udpTimeout), ("--icmp-timeout", icmpTimeout),
                              ("--active-timeout", activeTimeout)] {
            guard (1...86_400).contains(value) else {
                throw ValidationError("\(name) must be 1…86400 seconds, got \(value)")
            }
        }
    }

    /// The datasets `--datasets` names.
    func selectedDatasets() throws -> Set<CaptureDataset> {
        var selected: Set<CaptureDataset> = []
        for name in datasets.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = String(name.filter { $0 != " " })
            guard let dataset = CaptureDataset(rawValue: trimmed) else {
                let allowed = CaptureDataset.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--datasets: unknown dataset '\(trimmed)'; allowed: \(allowed)")
            }
            selected.insert(dataset)
        }
        return selected
    }

    /// The application-parser configuration the datasets and observer name describe.
    var applicationConfiguration: ApplicationConfiguration {
        let selected = (try? selectedDatasets()) ?? Set(CaptureDataset.allCases)
        var config = ApplicationConfiguration()
        config.dns = selected.contains(.dns)
        config.http = selected.contains(.http)
        config.tls = selected.contains(.tls)
        config.observerName = observer ?? hostName()
        return config
    }

    /// A capture engine with these options whose records (of the selected datasets) go to `writer`; a write error is
    /// kept by the writer and thrown by its next call.
    func makeEngine(writingTo writer: BackgroundRecordWriter) -> CaptureEngine {
        let keepFlows = ((try? selectedDatasets()) ?? [.flow]).contains(.flow)
        return CaptureEngine(flows: flowConfiguration, application: applicationConfiguration) { records in
            var records = records
            if !keepFlows { records.flows = [] }
            guard !records.isEmpty else { return }
            try? writer.write(records)
        }
    }

    /// The flow-table configuration these options describe.
    var flowConfiguration: FlowTableConfiguration {
        var config = FlowTableConfiguration()
        let second: Int64 = 1_000_000_000
        config.maxFlows = maxFlows
        config.tcpEstablishedTimeout = Int64(tcpTimeout) * second
        config.tcpHalfOpenTimeout = Int64(tcpHalfOpenTimeout) * second
        config.udpTimeout = Int64(udpTimeout) * second
        config.icmpTimeout = Int64(icmpTimeout) * second
        config.activeTimeout = Int64(activeTimeout) * second
        config.observerName = observer ?? hostName()
        return config
    }
}

/// A dataset `replay` and `agent` can emit, by its `--datasets` name.
enum CaptureDataset: String, CaseIterable, Hashable {
    case flow, dns, http, tls
}

/// This machine's host name, or nil when it cannot be read.
func hostName() -> String? {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
    let name = String(cString: buffer)
    return name.isEmpty ? nil : name
}

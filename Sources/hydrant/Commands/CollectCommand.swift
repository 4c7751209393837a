import ArgumentParser
import HydrantFlowLogs
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant collect`: a NetFlow v5/v9 and IPFIX collector writing `flowlog.netflow` records as JSON lines.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive NetFlow v5/v9 and IPFIX over UDP and write flow records.",
        discussion: """
        Every port accepts every version (the version is read from each datagram); --netflow and --ipfix only \
        name the ports exporters are told to use. Records go to stdout (or --output) as JSON lines; SIGINT or \
        SIGTERM stops the collector, which then writes a per-exporter summary to stderr.

        Example: hydrant collect --netflow 2055 --ipfix 4739 -o flows.jsonl
        """
    )

    @Option(name: .customLong("netflow"), help: "UDP port for NetFlow v5/v9 exporters.")
    var netflowPort: UInt16?

    @Option(name: .customLong("ipfix"), help: "UDP port for IPFIX exporters.")
    var ipfixPort: UInt16?

    @Option(name: .long, help: "IPv4 address to listen on.")
    var host = "0.0.0.0"

    @Option(name: [.short, .long], help: "Write JSON lines here instead of stdout.")
    var output: String?

    @Option(name: .long, help: "observer.name written into every record.")
    var observerName: String?

    @Flag(name: .long, help: "Keep counters as exported instead of multiplying them by the announced sampling interval.")
    var noSampling = false

    func validate() throws {
        guard netflowPort != nil || ipfixPort != nil else { throw ValidationError("give --netflow PORT and/or --ipfix PORT") }
    }

    func run() throws {
        let writer = try RecordFileWriter(path: output)
        var decoder = FlowExportDecoder.Configuration()
        decoder.observerName = observerName
        decoder.applySampling = !noSampling
        // Signals are taken synchronously by this thread (sigwait), so they must be blocked before the receive
        // thread starts and inherits the mask.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let ports = [netflowPort, ipfixPort].compactMap { $0 }
        let collector = try UDPFlowCollector(host: host, ports: ports, decoder: decoder) { records in
            writer.write(records)
        }
        collector.start()
        writeStandardError("hydrant collect: listening on udp \(collector.ports.map { "\(host):\($0)" }.joined(separator: ", "))\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        collector.stop()
        let failure = writer.close()

        var totals = ExporterStatistics()
        var summary = ""
        for (exporter, stats) in collector.statistics.sorted(by: { $0.key < $1.key }) {
            totals.add(stats)
            summary += "  \(exporter): \(Self.describe(stats))\n"
        }
        writeStandardError("hydrant collect: \(Self.describe(totals))\n" + summary)
        if let failure { throw failure }
    }

    private static func describe(_ s: ExporterStatistics) -> String {
        var text = "\(s.datagrams) datagrams, \(s.flowRecords) flow records, \(s.optionsRecords) options records, "
            + "\(s.templates) templates, \(s.malformedDatagrams) malformed datagrams, \(s.malformedSets) malformed sets, "
            + "\(s.sequenceGaps) sequence gaps (\(s.sequenceLost) lost), \(s.pendingSetsDropped) held sets dropped"
        if let last = s.lastMalformation { text += "; last malformation: \(last)" }
        return text
    }
}

/// Encodes `flowlog.netflow` records as JSON lines to a file or stdout, flushing after every batch so that a
/// reader sees whole lines promptly. Called from the collector's receive thread only.
final class RecordFileWriter: @unchecked Sendable {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String
    private let ownsFile: Bool
    private var encoder = JSONLinesEncoder<NetFlowRecord>()
    private var buffer: [UInt8] = []
    private var failure: OutputError?

    init(path requested: String?) throws {
        if let path = requested, path != "-" {
            guard let file = fopen(path, "w") else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            self.file = file
            self.path = path
            ownsFile = true
        } else {
            guard let out = fdopen(STDOUT_FILENO, "w") else {
                throw OutputError(path: "<stdout>", reason: String(cString: strerror(errno)))
            }
            file = out
            path = "<stdout>"
            ownsFile = false
        }
        buffer.reserveCapacity(1 << 20)
    }

    /// Writes a batch; the first write error is kept and reported by `close`.
    func write(_ records: [NetFlowRecord]) {
        guard failure == nil else { return }
        for record in records { encoder.encode(record, to: &buffer) }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != buffer.count || fflush(file) != 0 {
            failure = OutputError(path: path, reason: String(cString: strerror(errno)))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the file; returns the first write error, if any.
    func close() -> OutputError? {
        if fflush(file) != 0, failure == nil { failure = OutputError(path: path, reason: String(cString: strerror(errno))) }
        if ownsFile { fclose(file) }
        return failure
    }
}

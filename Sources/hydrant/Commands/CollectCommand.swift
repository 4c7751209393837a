import ArgumentParser
import HydrantFlowLogs
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant collect`: a NetFlow v5/v9 and IPFIX collector writing `flowlog.netflow` records as JSON lines, or
/// into a delivery stream.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Receive NetFlow v5/v9 and IPFIX over UDP and write flow records.",
        discussion: """
        Every port accepts every version (the version is read from each datagram); --netflow and --ipfix only \
        name the ports exporters are told to use. Records go to stdout (or --output) as JSON lines, or with \
        --config into a delivery stream of a hydrant.yaml run in-process (--deliver-to: a remote hydrant serve); \
        SIGINT or SIGTERM stops the collector, which then delivers what it holds and writes a per-exporter summary \
        to stderr.

        Example: hydrant collect --netflow 2055 --ipfix 4739 -o flows.jsonl
                 hydrant collect --ipfix 4739 --config hydrant.yaml --stream netflow
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

    @Flag(name: .long, help: "Keep unmapped enterprise-specific IPFIX elements in netflow.enterprise (<pen>.<id>=<value>) instead of skipping them.")
    var keepEnterprise = false

    @Option(name: .long, help: "Forget a template not re-announced for this many seconds (0: keep until replaced).")
    var templateTimeout = 1800

    @Option(name: .long, help: "Socket receive buffer per port, in MiB.")
    var receiveBufferMb = 32

    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    func validate() throws {
        guard netflowPort != nil || ipfixPort != nil else { throw ValidationError("give --netflow PORT and/or --ipfix PORT") }
        guard (0...86_400).contains(templateTimeout) else {
            throw ValidationError("--template-timeout must be 0…86400 seconds, got \(templateTimeout)")
        }
        guard (1...1024).contains(receiveBufferMb) else {
            throw ValidationError("--receive-buffer-mb must be 1…1024, got \(receiveBufferMb)")
        }
        try delivery.validate(output: output)
    }

    func run() throws {
        // Signals are taken synchronously by this thread (sigwait), so they must be blocked before any other thread
        // (the receive thread, the writer, a delivery stream's tasks) starts and inherits the mask.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        let target = try DeliveryTarget.make(options: delivery, fileOutput: output)
        guard let out = target.output as? any EncodedRecordOutput else {
            throw RuntimeFailure("the output cannot take NetFlow records")
        }
        // The receive thread only decodes; encoding and writing happen on the writer's thread.
        let writer = BackgroundEncodedWriter<NetFlowLineEncoder>(out)
        var decoder = FlowExportDecoder.Configuration()
        decoder.observerName = observerName
        decoder.applySampling = !noSampling
        decoder.keepEnterpriseElements = keepEnterprise
        decoder.templateTimeoutNanoseconds = templateTimeout > 0 ? Int64(templateTimeout) * 1_000_000_000 : nil
        let ports = [netflowPort, ipfixPort].compactMap { $0 }
        // Record arrays go round between the decode thread and the writer instead of one new allocation per batch;
        // as many are kept as the writer may hold queued (64), so that a burst's arrays are not freed after it.
        let batches = RecordBatchPool<NetFlowRecord>(limit: 64, capacity: 1024 + 64)
        let collector = try UDPFlowCollector(host: host, ports: ports, receiveBufferBytes: receiveBufferMb << 20,
                                             batchSize: 1024, decoder: decoder, recordBatches: batches) { records in
            writer.write(records) { batches.give($0) }
        }
        collector.start()
        writeStandardError("hydrant collect: listening on udp \(collector.ports.map { "\(host):\($0)" }.joined(separator: ", "))\n")
        var received: Int32 = 0
        sigwait(&signals, &received)
        collector.stop()
        var failure: (any Error)?
        var written = 0
        do { written = try writer.close() } catch { failure = error }
        var deliveryLines: [String] = []
        do { deliveryLines = try target.finish() } catch { failure = failure ?? error }

        var totals = ExporterStatistics()
        var summary = ""
        for (exporter, stats) in collector.statistics.sorted(by: { $0.key < $1.key }) {
            totals.add(stats)
            summary += "  \(exporter): \(Self.describe(stats))\n"
        }
        writeStandardError("hydrant collect: \(Self.describe(totals))\n" + summary
            + "  kernel drops (receive buffer full): \(collector.kernelDrops)\n"
            + "  records written: \(written)\n" + deliveryLines.map { $0 + "\n" }.joined())
        if let failure { throw failure }
    }

    private static func describe(_ s: ExporterStatistics) -> String {
        var text = "\(s.datagrams) datagrams, \(s.flowRecords) flow records, \(s.optionsRecords) options records, "
            + "\(s.templates) templates, \(s.malformedDatagrams) malformed datagrams, \(s.malformedSets) malformed sets, "
            + "\(s.sequenceGaps) sequence gaps (\(s.sequenceLost) lost), \(s.pendingSetsDropped) held sets dropped, "
            + "\(s.templatesExpired) templates expired"
        if let last = s.lastMalformation { text += "; last malformation: \(last)" }
        return text
    }
}

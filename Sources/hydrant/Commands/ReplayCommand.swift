import ArgumentParser
import HydrantCapture

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant replay`: runs the capture pipeline over pcap/pcapng files in packet time.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Turn pcap/pcapng files into flow records, in packet time.",
        discussion: """
        Files are read in the order given, as one continuous capture; '-' reads a capture from standard input. \
        Records go to stdout (or --output) as JSON lines; a summary goes to stderr. A file libpcap cannot read \
        is reported and skipped, and the run exits 1.

        With --rules, Sigma rules run on the records (on event time) and alerts go to --alerts FILE, or to stdout \
        when the records go elsewhere; --webhook delivers them, and the replay waits up to --drain-timeout for \
        delivery before it exits. See docs/rules.md.

        Examples: hydrant replay captures/mixed-2k.pcap --filter 'tcp port 443' -o flows.jsonl
                  hydrant replay captures/mixed-2k.pcap --rules rules/ -o flows.jsonl > alerts.jsonl
        """
    )

    @Argument(help: "pcap or pcapng files, read in this order ('-' for standard input).")
    var files: [String]

    @OptionGroup var options: FlowOptions

    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    @OptionGroup(title: "Detection") var detection: DetectionOptions

    @OptionGroup(title: "Flow logs") var flowLogs: FlowLogReplayOptions

    /// Whether the records take standard output (then alerts need --alerts to be seen).
    private var recordsOnStdout: Bool {
        delivery.config == nil && delivery.deliverTo == nil && (options.output == nil || options.output == "-")
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one capture file") }
        try delivery.validate(output: options.output)
        try detection.validate(recordsOnStdout: recordsOnStdout, config: delivery.config != nil)
    }

    func run() throws {
        if try flowLogs.readsVPCFlowLogs(files) {
            return try FlowLogReplay(files: files, lineFormat: flowLogs.headerlessFormat, observerName: options.observer ?? hostName(),
                                     delivery: delivery, output: options.output).run()
        }
        let target = try DeliveryTarget.make(options: delivery, fileOutput: options.output)
        let detectionRun = try DetectionRun(options: detection, output: target.output, recordsOnStdout: recordsOnStdout,
                                            reloadOnHangup: false)
        let netflow = try NetFlowInCapture(ports: flowLogs.netflowPorts, observerName: options.observer ?? hostName(),
                                           output: detectionRun.output)
        let writer = BackgroundRecordWriter(netflow.output)
        let engine = options.makeEngine(writingTo: writer)
        engine.udpPayloadTap = netflow.tap(feeding: writer)
        var progress = Progress()
        let started = monotonicSeconds()
        var failed: [String] = []
        // SIGINT/SIGTERM end the replay early but cleanly: open flows are emitted and every buffer is flushed.
        let stop = StopSignal()
        for path in files where !stop.requested {
            let source: PcapSource
            do {
                source = try PcapSource.openFile(path, filter: options.filter)
            } catch {
                writeStandardError("hydrant: \(error)\n")
                failed.append(path)
                continue
            }
            do {
                try replay(source, into: engine, writer: writer, progress: &progress, stop: stop)
            } catch let error as CaptureError {
                writeStandardError("hydrant: \(error)\n")
                failed.append(path)
            }
        }
        engine.finish()
        let written = try writer.close()
        let deliveryLines = try target.finish() + detectionRun.finish()
        progress.finish()
        Summary.print(engine.statistics, seconds: monotonicSeconds() - started,
                      recordsWritten: written, failedSources: failed, kernelDrops: nil,
                      deliveryLines: netflow.summary + deliveryLines)
        if !failed.isEmpty { throw ExitCode.failure }
    }

    private func replay(_ source: PcapSource, into engine: CaptureEngine, writer: BackgroundRecordWriter,
                        progress: inout Progress, stop: StopSignal) throws {
        let linkType = source.linkType
        var sinceCheck = 0
        while true {
            switch try source.next() {
            case .frame(let frame):
                engine.process(frame, linkType: linkType)
                sinceCheck &+= 1
                if sinceCheck >= 16_384 {
                    sinceCheck = 0
                    if stop.requested { return }
                    try writer.check()
                    if progress.isDue() {
                        progress.show(engine.statistics, openFlows: engine.openFlows,
                                      fileDone: source.fileOffset, fileSize: source.fileSize)
                    }
                }
            case .idle:
                continue
            case .end:
                return
            }
        }
    }
}

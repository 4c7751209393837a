import ArgumentParser
import HydrantCapture
import HydrantRecords
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant agent`: captures live from an interface until interrupted.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Capture live from a network interface and emit flow records.",
        discussion: """
        Needs root or the CAP_NET_RAW and CAP_NET_ADMIN capabilities. Runs until SIGINT or SIGTERM, then emits \
        every open flow as flow_shutdown and prints a summary to stderr. With --rules, SIGHUP re-reads the rule \
        files (see docs/rules.md for what a reload keeps).

        Example: sudo hydrant agent --interface eth0 --filter 'not port 22' -o flows.jsonl
        """
    )

    @Option(name: .shortAndLong, help: "The interface to capture on, e.g. eth0 or any.")
    var interface: String

    @Option(help: "Bytes captured per packet.")
    var snapLength: Int32 = 262_144

    @Flag(help: "Do not put the interface into promiscuous mode.")
    var noPromiscuous = false

    @OptionGroup var options: FlowOptions

    @OptionGroup(title: "Delivery") var delivery: DeliveryOptions

    @OptionGroup(title: "Detection") var detection: DetectionOptions

    /// Whether the records take standard output (then alerts need --alerts to be seen).
    private var recordsOnStdout: Bool {
        delivery.config == nil && delivery.deliverTo == nil && (options.output == nil || options.output == "-")
    }

    func validate() throws {
        try delivery.validate(output: options.output)
        try detection.validate(recordsOnStdout: recordsOnStdout, config: delivery.config != nil)
    }

    func run() throws {
        let source: PcapSource
        do {
            source = try PcapSource.openLive(interface: interface, filter: options.filter, snapLength: snapLength,
                                             promiscuous: !noPromiscuous)
        } catch {
            if case .badFilter = error { throw ValidationError(error.description) }
            writeStandardError("hydrant: \(error)\n")
            throw ExitCode.failure
        }
        let stop = StopSignal()
        let target = try DeliveryTarget.make(options: delivery, fileOutput: options.output)
        let detectionRun = try DetectionRun(options: detection, output: target.output, recordsOnStdout: recordsOnStdout,
                                            reloadOnHangup: true)
        let writer = BackgroundRecordWriter(detectionRun.output)
        let engine = options.makeEngine(writingTo: writer)
        let started = monotonicSeconds()
        var lastFlush = started
        var failed: [String] = []
        let linkType = source.linkType
        capture: while !stop.requested {
            let read: CaptureRead
            do {
                read = try source.next()
            } catch {
                writeStandardError("hydrant: \(error)\n")
                failed.append(interface)
                break capture
            }
            switch read {
            case .frame(let frame):
                engine.process(frame, linkType: linkType)
            case .idle:
                source.waitForPackets(milliseconds: 500)
            case .end:
                break capture
            }
            let now = monotonicSeconds()
            if now - lastFlush >= 1 {
                lastFlush = now
                engine.expire(upTo: wallClock())
                engine.drain()
                try writer.flush()
            }
        }
        engine.finish()
        let written = try writer.close()
        let deliveryLines = try target.finish() + detectionRun.finish()
        Summary.print(engine.statistics, seconds: monotonicSeconds() - started, recordsWritten: written,
                      failedSources: failed, kernelDrops: source.kernelDrops, deliveryLines: deliveryLines)
        if !failed.isEmpty { throw ExitCode.failure }
    }
}

/// The current UTC time as a timestamp, for expiring flows when a live interface is quiet.
func wallClock() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(seconds: Int64(ts.tv_sec), nanoseconds: Int64(ts.tv_nsec))
}

/// Raised by SIGINT or SIGTERM; a lock-free atomic store is safe inside a signal handler.
private let stopRequested = Atomic<Bool>(false)

/// Turns SIGINT and SIGTERM into a flag the capture loop polls, so the run ends with a flush, not mid-write.
struct StopSignal {
    init() {
        // A parent may have started us with these signals blocked (the mask is inherited); unblock them so that
        // a stop request always arrives.
        var set = sigset_t()
        sigemptyset(&set)
        for number in [SIGINT, SIGTERM] {
            sigaddset(&set, number)
            signal(number) { _ in stopRequested.store(true, ordering: .relaxed) }
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether a stop was asked for.
    var requested: Bool { stopRequested.load(ordering: .relaxed) }
}

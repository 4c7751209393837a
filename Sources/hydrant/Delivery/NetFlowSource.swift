import Foundation
import HydrantFlowLogs
import HydrantRecords
import HydrantStream
import Logging
import Metrics
import ServiceLifecycle

/// `sources.netflow` of a hydrant.yaml run by `hydrant serve`: a UDP collector whose `flowlog.netflow` records go
/// into the configured delivery stream as PutRecordBatch records would (write-ahead log, processors, archive).
///
/// The receive and decode threads never wait for the stream: records are encoded and put on the writer's thread.
/// When the stream is over its backlog bound, the writer waits and the collector's queue fills; what the kernel
/// then drops is counted (`hydrant_netflow_kernel_drops_total`). On graceful shutdown the collector stops first
/// and delivers what it holds into the stream, which is still running (services stop in reverse order).
final class NetFlowSourceService: Service, @unchecked Sendable {
    private let configuration: NetFlowSourceConfiguration
    private let collector: UDPFlowCollector
    private let writer: BackgroundEncodedWriter<NetFlowLineEncoder>
    private let logger: Logger
    private let metrics: NetFlowSourceMetrics
    private var published = ExporterStatistics()
    private var publishedDrops = 0

    /// Binds the ports (so that a port in use fails start-up, before anything is served) without receiving yet.
    init(_ configuration: NetFlowSourceConfiguration, streams: DeliveryStreams, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let stream = configuration.stream
        let output = StreamRecordOutput { batch in try await streams.putAll(batch, toStream: stream) }
        let writer = BackgroundEncodedWriter<NetFlowLineEncoder>(output)
        self.writer = writer
        // Record arrays go round between the decode thread and the writer instead of one new allocation per batch;
        // as many are kept as the writer may hold queued (64), so that a burst's arrays are not freed after it.
        let batches = RecordBatchPool<NetFlowRecord>(limit: 64, capacity: 1024 + 64)
        do {
            collector = try UDPFlowCollector(
                host: configuration.bind, ports: configuration.ports.map { UInt16($0) },
                receiveBufferBytes: configuration.receiveBufferMB << 20, batchSize: 1024,
                decoder: configuration.decoderConfiguration, recordBatches: batches
            ) { records in writer.write(records) { batches.give($0) } }
        } catch {
            throw RuntimeFailure("\(configuration.location): sources.netflow: \(error)")
        }
        metrics = NetFlowSourceMetrics(stream: stream)
    }

    /// The ports bound, in the order configured.
    var ports: [UInt16] { collector.ports }

    func run() async throws {
        collector.start()
        logger.notice("netflow source listening", metadata: [
            "udp": "\(collector.ports.map { "\(configuration.bind):\($0)" }.joined(separator: ", "))",
            "stream": "\(configuration.stream)",
        ])
        try? await cancelWhenGracefulShutdown {
            var reported = false
            while true {
                try await Task.sleep(for: .seconds(5))
                self.publish()
                // The writer drops what follows a failed put; say so now rather than only at shutdown.
                if !reported, let failure = self.writerFailure {
                    reported = true
                    self.logger.error("netflow source: records cannot be put into the stream; later records are dropped",
                                      metadata: ["stream": "\(self.configuration.stream)", "error": "\(failure)"])
                }
            }
        }
        // Stopping joins threads and waits for the stream to take the last records: not on the cooperative pool.
        let (written, failure) = await withCheckedContinuation { (continuation: CheckedContinuation<(Int, (any Error)?), Never>) in
            DispatchQueue.global().async {
                self.collector.stop()
                do {
                    continuation.resume(returning: (try self.writer.close(), nil))
                } catch {
                    continuation.resume(returning: (0, error))
                }
            }
        }
        publish()
        var totals = ExporterStatistics()
        for (_, statistics) in collector.statistics { totals.add(statistics) }
        logger.notice("netflow source stopped", metadata: [
            "datagrams": "\(totals.datagrams)", "flow_records": "\(totals.flowRecords)", "records_put": "\(written)",
            "malformed_datagrams": "\(totals.malformedDatagrams)", "malformed_sets": "\(totals.malformedSets)",
            "sequence_lost": "\(totals.sequenceLost)", "kernel_drops": "\(collector.kernelDrops)",
        ])
        if let failure {
            logger.error("netflow source: records could not be put into the stream", metadata: [
                "stream": "\(configuration.stream)", "error": "\(failure)",
            ])
            throw RuntimeFailure("sources.netflow: stream \(configuration.stream): \(failure)")
        }
    }

    private var writerFailure: (any Error)? {
        do { try writer.check() } catch { return error }
        return nil
    }

    /// Adds what changed since the last call to the counters.
    private func publish() {
        var totals = ExporterStatistics()
        for (_, statistics) in collector.statistics { totals.add(statistics) }
        metrics.datagrams.increment(by: max(0, totals.datagrams - published.datagrams))
        metrics.flowRecords.increment(by: max(0, totals.flowRecords - published.flowRecords))
        metrics.malformed.increment(by: max(0, totals.malformedDatagrams + totals.malformedSets
                                            - published.malformedDatagrams - published.malformedSets))
        metrics.sequenceLost.increment(by: max(0, totals.sequenceLost - published.sequenceLost))
        let drops = collector.kernelDrops
        metrics.kernelDrops.increment(by: max(0, drops - publishedDrops))
        published = totals
        publishedDrops = drops
    }
}

/// The collector's counters on /metrics, with the dimension `stream`.
private struct NetFlowSourceMetrics {
    let datagrams: Counter
    let flowRecords: Counter
    let malformed: Counter
    let sequenceLost: Counter
    let kernelDrops: Counter

    init(stream: String) {
        let dimensions = [("stream", stream)]
        datagrams = Counter(label: "hydrant_netflow_datagrams_total", dimensions: dimensions)
        flowRecords = Counter(label: "hydrant_netflow_flow_records_total", dimensions: dimensions)
        malformed = Counter(label: "hydrant_netflow_malformed_total", dimensions: dimensions)
        sequenceLost = Counter(label: "hydrant_netflow_sequence_lost_total", dimensions: dimensions)
        kernelDrops = Counter(label: "hydrant_netflow_kernel_drops_total", dimensions: dimensions)
    }
}

extension NetFlowSourceConfiguration {
    /// The decoder settings this source asks for.
    var decoderConfiguration: FlowExportDecoder.Configuration {
        var decoder = FlowExportDecoder.Configuration()
        decoder.pendingMaxAgeNanoseconds = Int64(pendingMaxAgeSeconds) * 1_000_000_000
        decoder.pendingByteLimit = pendingMaxMB << 20
        decoder.applySampling = applySampling
        decoder.keepEnterpriseElements = keepEnterprise
        decoder.templateTimeoutNanoseconds = templateTimeoutSeconds > 0 ? Int64(templateTimeoutSeconds) * 1_000_000_000 : nil
        decoder.observerName = observerName
        return decoder
    }
}

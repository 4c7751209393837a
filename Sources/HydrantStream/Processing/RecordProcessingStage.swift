import Foundation
import HydrantDetect
import HydrantRecords
import Logging

/// A stream's record processors between the write-ahead log and partitioning, run on batches in the order
/// configured: `deaggregate_json` splits records, enrichment steps rewrite them, `http_transform` replaces, drops
/// or fails them, `detect` raises alerts on them. `append_delimiter` is applied when records are buffered.
///
/// Streams whose processors are only Firehose's built-ins do not use a stage (the router handles those without
/// copying). Not thread-safe: the stream admits one batch at a time through its gate.
final class RecordProcessingStage: @unchecked Sendable {
    private enum Step {
        case deaggregate
        case enrich(EnrichmentStep)
        case transform(HTTPTransformStep)
        case detect(DetectStep)
        case vpcFlowLog(VPCFlowLogStep)
    }

    private let steps: [Step]
    private let alerts: AlertSubmitter?
    private let metrics: ProcessorMetrics
    private let deaggregator = ProcessorChain([.deaggregateJSON])

    /// Whether `processors` need a stage: anything beyond `append_delimiter` and `deaggregate_json`.
    static func isNeeded(for processors: [ProcessorConfiguration]) -> Bool {
        processors.contains { $0 != .appendDelimiter && $0 != .deaggregateJSON }
    }

    /// Builds the steps, opening every file they read; throws naming the processor and file when one cannot start.
    init(stream: DeliveryStreamConfiguration, alerts: AlertSubmitter?,
         logger: Logger = Logger(label: "hydrant.stream")) throws(ProcessorStartError) {
        let metrics = ProcessorMetrics(stream: stream.name)
        var steps: [Step] = []
        var enrichment: [ProcessorConfiguration] = []
        func closeEnrichment() throws(ProcessorStartError) {
            guard !enrichment.isEmpty else { return }
            let reloadLogger = logger
            steps.append(.enrich(try EnrichmentStep(enrichment, metrics: metrics) { error in
                reloadLogger.error("an enrichment file changed but cannot be reloaded; the previous data stays in use: \(error)")
            }))
            enrichment = []
        }
        for processor in stream.processors {
            if processor.isEnrichment {
                enrichment.append(processor)
                continue
            }
            try closeEnrichment()
            switch processor {
            case .deaggregateJSON:
                steps.append(.deaggregate)
            case .httpTransform(let transform):
                steps.append(.transform(HTTPTransformStep(transform, streamName: stream.name, metrics: metrics, logger: logger)))
            case .detect(let detect):
                steps.append(.detect(try DetectStep(detect, metrics: metrics)))
            case .vpcFlowLog(let vpc):
                steps.append(.vpcFlowLog(VPCFlowLogStep(vpc, streamName: stream.name)))
            default:
                continue
            }
        }
        try closeEnrichment()
        self.steps = steps
        self.alerts = alerts
        self.metrics = metrics
    }

    /// Runs every step over `frames`; CPU-bound steps run off the cooperative pool.
    func process(_ frames: [WALFrame]) async -> [ProcessedFrame] {
        var processed = frames.map(ProcessedFrame.init)
        guard !processed.isEmpty else { return processed }
        for step in steps {
            switch step {
            case .deaggregate:
                let input = processed
                processed = await offPool { [self] in
                    var output = input
                    deaggregate(&output)
                    return output
                }
            case .enrich(let enrichment):
                let input = processed
                processed = await offPool {
                    var output = input
                    enrichment.apply(&output)
                    return output
                }
            case .transform(let transform):
                await transform.apply(&processed)
            case .detect(let detect):
                let input = processed
                let (output, raised) = await offPool {
                    var output = input
                    let raised = detect.apply(&output)
                    return (output, raised)
                }
                processed = output
                await alerts?.submit(raised)
            case .vpcFlowLog(let vpc):
                let input = processed
                processed = await offPool {
                    var output = input
                    vpc.apply(&output)
                    return output
                }
            }
        }
        return processed
    }

    /// Decides every open correlation window (at shutdown); the alerts as records, already submitted to webhooks.
    func finish() async -> IngestBatch {
        var batch = IngestBatch()
        for step in steps {
            guard case .detect(let detect) = step else { continue }
            let raised = detect.finish()
            DetectStep.append(raised, to: &batch)
            await alerts?.submit(raised)
        }
        return batch
    }

    private func deaggregate(_ frames: inout [ProcessedFrame]) {
        var pieces: [Range<Int>] = []
        for index in frames.indices {
            let old = frames[index].records
            var records = IngestBatch(reservingRecords: old.count, bytes: old.byteCount)
            var failures = 0
            old.bytes.withUnsafeBufferPointer { all in
                for recordIndex in 0..<old.count {
                    let record = UnsafeBufferPointer(rebasing: all[old.range(of: recordIndex)])
                    do throws(ProcessorChain.Failure) {
                        try deaggregator.process(record, into: &pieces)
                        for piece in pieces { records.append(UnsafeBufferPointer(rebasing: record[piece])) }
                    } catch {
                        failures += 1
                        frames[index].failures.append(.init(record: Array(record), code: error.code,
                                                            message: error.message, attempts: 1))
                    }
                }
            }
            frames[index].records = records
            frames[index].deaggregated = true
            metrics.deaggregationFailures.increment(by: failures)
        }
    }

    private func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
        }
    }
}

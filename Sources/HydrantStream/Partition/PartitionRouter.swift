import HydrantArchive
import HydrantRecords

/// The per-record stage of a stream, after the write-ahead log: processors, partitioning, buffering, error output
/// and source backup. Not thread-safe; its owner serialises calls.
///
/// Every source record yields pieces (processed records, error records, a backup copy, the alerts it completed), each
/// counted against the record's log segment; `route` reports how many pieces beyond one per record it made (fewer
/// when records were dropped) so that the log keeps a segment until every piece is delivered.
final class PartitionRouter {
    /// What one call produced.
    struct Output {
        /// Buffers sealed (full, or all of them at interval 0), ready to deliver.
        var sealed: [PendingObject] = []
        /// Extra outstanding pieces per segment, to retain in the log before delivering `sealed` (negative: pieces
        /// that will never be delivered, released at once).
        var extraPieces: [SegmentCount] = []
        /// Records routed to the error output.
        var errorRecords = 0
    }

    private let configuration: DeliveryStreamConfiguration
    private let chain: ProcessorChain
    /// The chain for records a processing stage already split: only `append_delimiter` is left to apply.
    private let delimiterOnly: ProcessorChain
    private var evaluator: PartitionEvaluator
    private var buffers: [[UInt8]: PartitionBuffer] = [:]
    /// The buffer the last record went to and its key: consecutive records mostly share a partition, and comparing
    /// the key is far cheaper than hashing it byte by byte for the dictionary.
    private var lastKey: [UInt8] = []
    private var lastBuffer: PartitionBuffer?
    private var errorBuffers: [ErrorOutputType: PartitionBuffer] = [:]
    private var backupBuffer: PartitionBuffer?
    private var random = SystemRandomNumberGenerator()
    private var key: [UInt8] = []
    private var pieces: [Range<Int>] = []
    /// The memory of delivered objects, reused by the next buffers.
    let bodies: ObjectBodyPool

    init(configuration: DeliveryStreamConfiguration) {
        self.configuration = configuration
        chain = ProcessorChain(configuration.processors)
        delimiterOnly = ProcessorChain(configuration.processors.filter { $0 == .appendDelimiter })
        evaluator = PartitionEvaluator(prefix: configuration.prefix, keys: configuration.partitionKeys)
        key.reserveCapacity(128)
        bodies = ObjectBodyPool(sizeLimit: configuration.buffering.sizeBytes)
    }

    /// Buffers of records (not error output or backup) open now: Firehose's active partitions.
    var partitionCount: Int { buffers.count }

    /// The arrival time of the oldest buffered record, if any.
    var oldestArrival: Timestamp? {
        var oldest: Timestamp?
        for buffer in buffers.values { oldest = min(oldest ?? buffer.oldestArrival, buffer.oldestArrival) }
        for buffer in errorBuffers.values { oldest = min(oldest ?? buffer.oldestArrival, buffer.oldestArrival) }
        if let backupBuffer { oldest = min(oldest ?? backupBuffer.oldestArrival, backupBuffer.oldestArrival) }
        return oldest
    }

    /// Routes every record of `frames`; `now` is the wall-clock time for error records' `attemptEndingTimestamp`.
    func route(_ frames: [WALFrame], now: Timestamp, instant: ContinuousClock.Instant, into output: inout Output) {
        route(frames.map(ProcessedFrame.init), now: now, instant: instant, into: &output)
    }

    /// Routes processed frames: source backup copies, the processed records, the records processors failed and the
    /// alerts raised. A record that became no piece (dropped by a transform) is released at once, so the count per
    /// segment stays exact.
    func route(_ frames: [ProcessedFrame], now: Timestamp, instant: ContinuousClock.Instant, into output: inout Output) {
        let sizeLimit = configuration.buffering.sizeBytes
        for frame in frames {
            var pieceCount = 0
            let segment = frame.segment
            let arrival = frame.arrival
            if configuration.sourceRecordBackupPrefix != nil {
                frame.source.records.bytes.withUnsafeBufferPointer { all in
                    var start = 0
                    for end in frame.source.records.ends {
                        let record = UnsafeBufferPointer(rebasing: all[start..<end])
                        start = end
                        let buffer = backup(arrival: arrival, instant: instant)
                        buffer.append(record, appendDelimiter: false, segment: segment)
                        pieceCount += 1
                        if buffer.body.count >= sizeLimit { output.sealed.append(sealBackup()) }
                    }
                }
            }
            for failure in frame.failures {
                failure.record.withUnsafeBufferPointer { record in
                    fail(record, type: .processingFailed, code: failure.code, message: failure.message,
                         attempts: failure.attempts, arrival: arrival, now: now, instant: instant, segment: segment,
                         output: &output)
                }
                pieceCount += 1
            }
            let chain = frame.deaggregated ? delimiterOnly : self.chain
            let transformKeys = frame.transformKeys
            frame.records.bytes.withUnsafeBufferPointer { all in
                var start = 0
                for (index, end) in frame.records.ends.enumerated() {
                    let record = UnsafeBufferPointer(rebasing: all[start..<end])
                    start = end
                    let keys = index < transformKeys.count ? transformKeys[index] : nil
                    do throws(ProcessorChain.Failure) {
                        try chain.process(record, into: &pieces)
                    } catch {
                        fail(record, type: .processingFailed, code: error.code, message: error.message, arrival: arrival,
                             now: now, instant: instant, segment: segment, output: &output)
                        pieceCount += 1
                        continue
                    }
                    for piece in pieces {
                        pieceCount += 1
                        place(UnsafeBufferPointer(rebasing: record[piece]), appendDelimiter: chain.appendsDelimiter,
                              transformKeys: keys, arrival: arrival, now: now, instant: instant, segment: segment, output: &output)
                    }
                }
            }
            frame.alerts.bytes.withUnsafeBufferPointer { all in
                var start = 0
                for end in frame.alerts.ends {
                    pieceCount += 1
                    place(UnsafeBufferPointer(rebasing: all[start..<end]), appendDelimiter: false, arrival: arrival,
                          now: now, instant: instant, segment: segment, output: &output)
                    start = end
                }
            }
            let extra = pieceCount - frame.source.records.count
            if extra != 0 { output.extraPieces.append(SegmentCount(segment: segment, count: extra)) }
        }
    }

    /// Partitions one output record into its buffer (or the error output), sealing the buffer when full.
    private func place(_ record: UnsafeBufferPointer<UInt8>, appendDelimiter: Bool,
                       transformKeys: [String: String]? = nil, arrival: Timestamp, now: Timestamp,
                       instant: ContinuousClock.Instant, segment: UInt64, output: inout Output) {
        do throws(PartitionEvaluator.Failure) {
            try evaluator.evaluate(record, arrival: arrival, transformKeys: transformKeys, key: &key)
        } catch {
            fail(record, type: .partitioningFailed, code: error.code, message: error.message,
                 arrival: arrival, now: now, instant: instant, segment: segment, output: &output)
            return
        }
        guard let buffer = partition(arrival: arrival, now: now, instant: instant, record: record,
                                     segment: segment, output: &output) else { return }
        buffer.append(record, appendDelimiter: appendDelimiter, segment: segment)
        if buffer.body.count >= configuration.buffering.sizeBytes {
            buffers[key] = nil
            lastBuffer = nil
            output.sealed.append(buffer.seal())
        }
    }

    /// The buffer for the record whose key is in `key`, opening one if there is room; nil when the record went to
    /// the error output instead.
    private func partition(arrival: Timestamp, now: Timestamp, instant: ContinuousClock.Instant,
                           record: UnsafeBufferPointer<UInt8>, segment: UInt64,
                           output: inout Output) -> PartitionBuffer? {
        if let lastBuffer, lastKey == key { return lastBuffer }
        if let buffer = buffers[key] {
            remember(buffer)
            return buffer
        }
        guard buffers.count < configuration.maxActivePartitions else {
            fail(record, type: .activePartitionExceeded, code: ProcessingErrorCode.activePartitionsExceeded,
                 message: "the stream already buffers \(configuration.maxActivePartitions) partitions "
                    + "(max_active_partitions)", arrival: arrival, now: now, instant: instant, segment: segment,
                 output: &output)
            return nil
        }
        let prefix: String
        do {
            prefix = try configuration.prefix.evaluate(arrival: arrival, eventTime: evaluator.lastEventTime,
                                                      partitionKeys: evaluator.lastValuesByName,
                                                      transformKeys: evaluator.lastTransformKeys, errorOutputType: nil,
                                                      random: &random)
        } catch {
            fail(record, type: .partitioningFailed, code: ProcessingErrorCode.partitionValueRejected,
                 message: "the prefix cannot be evaluated: \(error)", arrival: arrival, now: now, instant: instant,
                 segment: segment, output: &output)
            return nil
        }
        let buffer = PartitionBuffer(prefix: prefix, kind: .data, oldestArrival: arrival, openedAt: instant, pool: bodies)
        buffers[key] = buffer
        remember(buffer)
        return buffer
    }

    private func remember(_ buffer: PartitionBuffer) {
        lastKey.removeAll(keepingCapacity: true)
        lastKey.append(contentsOf: key)
        lastBuffer = buffer
    }

    /// Sends `record` to the error output of `type`.
    private func fail(_ record: UnsafeBufferPointer<UInt8>, type: ErrorOutputType, code: String, message: String,
                      attempts: Int = 1, arrival: Timestamp, now: Timestamp, instant: ContinuousClock.Instant, segment: UInt64,
                      output: inout Output) {
        output.errorRecords += 1
        let buffer: PartitionBuffer
        if let existing = errorBuffers[type] {
            buffer = existing
        } else {
            buffer = PartitionBuffer(prefix: errorPrefix(type, arrival: arrival), kind: .errorOutput,
                                     oldestArrival: arrival, openedAt: instant, pool: bodies)
            errorBuffers[type] = buffer
        }
        buffer.appendLine(segment: segment) { out in
            ErrorRecordEncoder.append(record: record, arrival: arrival, attemptEnding: now, errorCode: code,
                                      errorMessage: message, attempts: attempts, to: &out)
        }
        if buffer.body.count >= configuration.buffering.sizeBytes {
            errorBuffers[type] = nil
            output.sealed.append(buffer.seal())
        }
    }

    private func errorPrefix(_ type: ErrorOutputType, arrival: Timestamp) -> String {
        do {
            return try configuration.errorOutputPrefix.evaluate(arrival: arrival, errorOutputType: type, random: &random)
        } catch {
            // The loader validated the template; only an over-long result can fail, and errors must land somewhere.
            return "errors/" + type.rawValue + "/"
        }
    }

    private func backup(arrival: Timestamp, instant: ContinuousClock.Instant) -> PartitionBuffer {
        if let backupBuffer { return backupBuffer }
        var prefix = "source-backup/"
        if let template = configuration.sourceRecordBackupPrefix {
            // The backup has one buffer per stream: partition keys are not evaluated for it, event time is arrival.
            prefix = (try? template.evaluate(arrival: arrival, eventTime: arrival, partitionKeys: [:],
                                             errorOutputType: nil, random: &random)) ?? prefix
        }
        let buffer = PartitionBuffer(prefix: prefix, kind: .sourceBackup, oldestArrival: arrival, openedAt: instant, pool: bodies)
        backupBuffer = buffer
        return buffer
    }

    private func sealBackup() -> PendingObject {
        let object = backupBuffer?.seal()
        backupBuffer = nil
        // Only called with a backup buffer open.
        return object ?? PendingObject(kind: .sourceBackup, prefix: "", body: [], records: 0, oldestArrival: .zero,
                                       segments: [])
    }

    /// Seals every buffer opened at or before `deadline` (all when nil) and returns them.
    func sealExpired(openedBefore deadline: ContinuousClock.Instant?) -> [PendingObject] {
        var sealed: [PendingObject] = []
        func due(_ buffer: PartitionBuffer) -> Bool { deadline.map { buffer.openedAt <= $0 } ?? true }
        for (bufferKey, buffer) in buffers where due(buffer) {
            buffers[bufferKey] = nil
            if buffer === lastBuffer { lastBuffer = nil }
            sealed.append(buffer.seal())
        }
        for (type, buffer) in errorBuffers where due(buffer) {
            errorBuffers[type] = nil
            sealed.append(buffer.seal())
        }
        if let backupBuffer, due(backupBuffer) { sealed.append(sealBackup()) }
        return sealed
    }
}

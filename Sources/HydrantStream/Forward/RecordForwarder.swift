import HydrantArchive
import Logging

/// Ships records to a remote delivery stream with PutRecordBatch: failed entries are retried, and while the server
/// is unreachable batches wait in a spool on local disk, to be sent in order once it answers again (also after a
/// restart of the agent).
public actor RecordForwarder {
    /// What the forwarder did, for the run's summary.
    public struct Statistics: Sendable, Hashable {
        /// Records the server acknowledged.
        public var delivered = 0
        /// Records written to the spool because the server was unreachable.
        public var spooled = 0
        /// Records dropped because no server can ever accept them (larger than Firehose's record limit).
        public var oversized = 0
        /// Batches found damaged in the spool and set aside.
        public var corruptSpoolFiles = 0
        /// Batches still waiting in the spool.
        public var waitingBatches = 0
    }

    private let client: FirehoseClient
    private let stream: String
    private let spool: Spool
    private let maximumSpoolBytes: Int
    private let backoff: BackoffSchedule
    private let logger: Logger
    private var statistics = Statistics()
    private var drainTask: Task<Void, Never>?
    private var rejection: ForwardError?
    /// When the endpoint last could not be reached, so that `finish` does not wait on it again at once.
    private var lastUnreachable: ContinuousClock.Instant?
    /// Set by `finish`: the drain loop stops at its next failure or at this instant.
    private var finishDeadline: ContinuousClock.Instant?

    /// A forwarder to `stream` through `client`, spooling under `spoolDirectory` up to `maximumSpoolBytes`
    /// (past which `send` waits for the spool to drain: backpressure instead of unbounded disk use).
    public init(client: FirehoseClient, stream: String, spoolDirectory: String,
                maximumSpoolBytes: Int = 1 << 30, backoff: BackoffSchedule = BackoffSchedule(),
                logger: Logger) throws(ForwardError) {
        self.client = client
        self.stream = stream
        self.spool = try Spool(directory: spoolDirectory)
        self.maximumSpoolBytes = maximumSpoolBytes
        self.backoff = backoff
        self.logger = logger
    }

    /// Sends batches a previous run left in the spool, in the background.
    public func start() {
        if !spool.isEmpty {
            logger.info("sending batches a previous run spooled", metadata: ["batches": "\(spool.count)"])
            startDraining()
        }
    }

    /// Delivers `batch`, or spools it durably when the server cannot be reached. Throws when the server refuses
    /// the records for good (then the agent should stop: nothing it sends will be accepted).
    public func send(_ batch: IngestBatch) async throws(ForwardError) {
        if let rejection { throw rejection }
        guard !batch.isEmpty else { return }
        if spool.isEmpty {
            let undelivered = try await deliver(batch, attempts: 4)
            if undelivered.isEmpty { return }
            try spoolBatch(undelivered)
        } else {
            try spoolBatch(batch)
        }
        while spool.bytes > maximumSpoolBytes {
            if let rejection { throw rejection }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends what waits in the spool until it is empty, the endpoint fails, or `timeout` passes; what remains
    /// stays spooled for the next run.
    public func finish(timeout: Duration) async -> Statistics {
        finishDeadline = ContinuousClock().now + timeout
        if let running = drainTask {
            // Not cancelled: a request cancelled mid-flight may have been stored by the server and would be sent
            // again. The loop sees `finishDeadline` and stops at its next failure or at the deadline.
            await running.value
        } else if rejection == nil && !spool.isEmpty {
            let recentlyUnreachable = lastUnreachable.map { ContinuousClock().now - $0 < .seconds(5) } ?? false
            if !recentlyUnreachable { await drain() }
        }
        statistics.waitingBatches = spool.count
        return statistics
    }

    private func spoolBatch(_ batch: IngestBatch) throws(ForwardError) {
        try spool.append(batch)
        statistics.spooled += batch.count
        startDraining()
    }

    private func startDraining() {
        guard drainTask == nil else { return }
        drainTask = Task {
            await self.drain()
            await self.drainEnded()
        }
    }

    private func drainEnded() { drainTask = nil }

    /// Sends spooled batches oldest first until the spool is empty, waiting between failed attempts; once
    /// `finish` was called, it stops at the next failure or at the finish deadline instead of waiting.
    private func drain() async {
        var failures = 0
        while true {
            if let finishDeadline, ContinuousClock().now >= finishDeadline { break }
            guard let (name, batch) = spool.oldest(corrupt: { path in
                self.statistics.corruptSpoolFiles += 1
                self.logger.error("spooled batch is damaged; set aside", metadata: ["file": "\(path).corrupt"])
            }) else { break }
            do {
                let undelivered = try await deliver(batch, attempts: 1)
                if undelivered.isEmpty {
                    spool.removeOldest(named: name)
                    failures = 0
                    continue
                }
            } catch {
                logger.error("\(error)")
                break
            }
            failures += 1
            if finishDeadline != nil { break }
            // Sleep in short steps so that `finish` is not kept waiting by a long backoff.
            let wake = ContinuousClock().now + backoff.delay(forAttempt: failures)
            while ContinuousClock().now < wake, finishDeadline == nil {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Sends `batch` in requests within Firehose's limits, retrying failed entries up to `attempts` times per
    /// request; returns the records not delivered. Throws only when the server refuses the records for good.
    private func deliver(_ batch: IngestBatch, attempts: Int) async throws(ForwardError) -> IngestBatch {
        var undelivered = IngestBatch()
        var request: [Int] = []
        var requestBytes = 0
        var index = 0
        while index <= batch.count {
            let size = index < batch.count ? batch.range(of: index).count : 0
            if index < batch.count && size > FirehoseClient.maximumRecordBytes {
                statistics.oversized += 1
                logger.error("record larger than Firehose's 1,024,000-byte limit dropped", metadata: ["bytes": "\(size)"])
                index += 1
                continue
            }
            let full = request.count == FirehoseClient.maximumRecordsPerRequest
                || requestBytes + size > FirehoseClient.maximumBytesPerRequest
            if !request.isEmpty && (index == batch.count || full) {
                let failed = try await deliverRequest(batch, indices: request, attempts: attempts)
                for failedIndex in failed { undelivered.append(batch[failedIndex]) }
                request.removeAll(keepingCapacity: true)
                requestBytes = 0
            }
            if index == batch.count { break }
            request.append(index)
            requestBytes += size
            index += 1
        }
        return undelivered
    }

    /// One request's records: retried entry by entry; returns the indices still not accepted.
    private func deliverRequest(_ batch: IngestBatch, indices: [Int],
                                attempts: Int) async throws(ForwardError) -> [Int] {
        var pending = indices
        for attempt in 1...max(attempts, 1) {
            do {
                let outcomes = try await client.putRecordBatch(stream: stream, batch: batch, indices: pending)
                var retry: [Int] = []
                for (position, outcome) in outcomes.enumerated() {
                    switch outcome {
                    case .accepted: statistics.delivered += 1
                    case .throttled, .failed: retry.append(pending[position])
                    }
                }
                pending = retry
                if pending.isEmpty { return [] }
            } catch let error where error.isRetryable {
                logger.warning("delivery to \(client.endpoint) failed; will retry", metadata: ["error": "\(error)"])
                if case .unreachable = error {
                    lastUnreachable = ContinuousClock().now
                    return pending
                }
            } catch {
                let refused = ForwardError.rejected("\(error)")
                rejection = refused
                throw refused
            }
            if attempt < attempts { try? await Task.sleep(for: backoff.delay(forAttempt: attempt)) }
        }
        return pending
    }
}

import Foundation
import HydrantArchive
import HydrantRecords
import Logging

/// One delivery stream: the write-ahead log, the routing of committed records into partition buffers, interval
/// flushing, and delivery of objects with retries.
///
/// `put` only appends to the log (group commit) and returns once synced. The log's writer hands committed frames
/// to a routing task; sealed buffers go to a delivery task that keeps up to `maximumConcurrentPuts` puts in flight,
/// retries failures forever with backoff (the log holds the data), and releases the records in the log once the
/// destination confirmed the object. `run()` drives all of this; without it records are only logged, to be
/// delivered by a later run or after a restart (replay).
public final class DeliveryStream: @unchecked Sendable {
    /// Puts in flight per stream.
    public static let maximumConcurrentPuts = 4

    /// The stream's configuration.
    public let configuration: DeliveryStreamConfiguration
    /// When the stream first started on this storage (persisted in `<storage>/<stream>/created`).
    public let createdAt: Timestamp
    /// What reopening the log found.
    public let replayReport: WALReplayReport

    private let destination: any ObjectDestination
    private let wal: WriteAheadLog
    private let inbox: FrameInbox
    private let ids: RecordIDGenerator
    private let metrics: StreamMetrics
    private let logger: Logger
    private let backoff: BackoffSchedule
    private let encoder: ObjectEncoder
    private let objects: AsyncStream<(Int, PendingObject)>
    private let objectsContinuation: AsyncStream<(Int, PendingObject)>.Continuation

    /// Guards the router; held for a routing pass. Taken before `lock` when both are needed.
    private let routerLock = NSLock()
    private let router: PartitionRouter
    /// The record processors beyond Firehose's built-ins, or nil when the stream has none.
    private let stage: RecordProcessingStage?
    /// Admits one batch at a time to processing and routing, so that frames keep log order.
    private let gate = AsyncGate()
    /// Guards everything below; held only briefly, so puts never wait for routing.
    private let lock = NSLock()
    private var inFlight: [Int: Timestamp] = [:]
    private var nextObject = 0
    private var stopping = false
    /// True until every segment found at start has been routed.
    private var replaying = false
    private var objectsFinished = false
    private var accepted = 0
    private var throttled = 0
    private var replayed = 0
    private var deliveredRecords = 0
    private var deliveredObjects = 0
    private var errorRecords = 0
    private var failures = 0
    /// Objects delivered so far; a failed object waiting out its backoff retries at once when this moves.
    private var successfulPuts = 0

    /// Opens the stream's log under `storageDirectory/<name>/wal/` (replaying what it holds), starts its processors
    /// and prepares delivery to `destination`. Alerts of `detect` processors also go to `alerts` when given.
    /// Throws `ProcessorStartError` when a processor cannot start (a missing database, a rule error) and `WALError`
    /// when the log cannot be opened.
    public init(configuration: DeliveryStreamConfiguration, storageDirectory: String, destination: any ObjectDestination,
                recordIDs: RecordIDGenerator = RecordIDGenerator(), backoff: BackoffSchedule = BackoffSchedule(),
                alerts: AlertSubmitter? = nil, logger: Logger = Logger(label: "hydrant.stream")) throws {
        self.configuration = configuration
        self.destination = destination
        self.ids = recordIDs
        self.backoff = backoff
        self.encoder = ObjectEncoder(configuration: configuration)
        var logger = logger
        logger[metadataKey: "stream"] = "\(configuration.name)"
        self.logger = logger
        self.metrics = StreamMetrics(stream: configuration.name)
        // Processors start before the log opens: a bad database or rule file must not leave a log half replayed.
        if RecordProcessingStage.isNeeded(for: configuration.processors) {
            stage = try RecordProcessingStage(stream: configuration, alerts: alerts, logger: logger)
        } else {
            stage = nil
        }
        let streamDirectory = (storageDirectory.hasSuffix("/") ? storageDirectory : storageDirectory + "/")
            + configuration.name
        try SegmentFiles.makeDirectories(streamDirectory)
        createdAt = Self.creationTime(in: streamDirectory)
        let inbox = FrameInbox()
        self.inbox = inbox
        wal = try WriteAheadLog(directory: streamDirectory + "/wal",
                                options: .init(maximumBacklogBytes: configuration.maxBacklogMB << 20,
                                               compression: configuration.logCompression,
                                               compressionLevel: Int32(configuration.logCompressionLevel)),
                                onCommit: { frames in inbox.push(frames) })
        replayReport = wal.replayReport
        router = PartitionRouter(configuration: configuration)
        (objects, objectsContinuation) = AsyncStream.makeStream(of: (Int, PendingObject).self)
        replayed = replayReport.records
        replaying = replayed > 0
        if replayed > 0 {
            metrics.replayedRecords.increment(by: replayed)
            logger.notice("replaying \(replayed) records from the write-ahead log; some may be delivered again",
                          metadata: ["segments": "\(replayReport.segments)",
                                     "truncatedBytes": "\(replayReport.truncatedBytes)"])
        }
        if replayReport.corruptFrames > 0 {
            logger.error("the write-ahead log has \(replayReport.corruptFrames) corrupt frames; records after them in their segments are lost")
        }
    }

    /// The stream name.
    public var name: String { configuration.name }

    /// Appends `batch` to the log; returns one outcome per record once it is synced, or all `.throttled` when the
    /// backlog is full or the stream is stopping. Throws `storageFailure` when the log cannot be written.
    public func put(_ batch: IngestBatch) async throws(IngestError) -> [PutRecordOutcome] {
        guard !batch.isEmpty else { return [] }
        switch await wal.append(batch, arrival: WallClock.now()) {
        case .committed:
            metrics.incomingRecords.increment(by: batch.count)
            metrics.incomingBytes.increment(by: batch.byteCount)
            lock.withLock { accepted += batch.count }
            return ids.make(batch.count).map { .accepted(recordID: $0) }
        case .throttled:
            metrics.throttledRecords.increment(by: batch.count)
            lock.withLock { throttled += batch.count }
            logger.debug("throttled a batch: the write-ahead log is at its bound", metadata: ["records": "\(batch.count)"])
            return Array(repeating: .throttled, count: batch.count)
        case .failed(let reason):
            logger.error("write-ahead log append failed: \(reason)")
            throw .storageFailure(reason)
        }
    }

    /// Whether the stream accepts records now, with a short state for `GET /health`.
    public var health: (accepting: Bool, state: String) {
        if let failure = wal.failure { return (false, "log write failing: \(failure)") }
        lock.lock()
        let stopping = self.stopping
        lock.unlock()
        if stopping { return (false, "stopping") }
        if wal.isFull { return (false, "backlog full") }
        return (true, "ok")
    }

    /// A snapshot of the stream's state.
    public func status() -> DeliveryStreamStatus {
        let backlog = wal.backlogBytes
        let segmentCount = wal.segmentCount
        let failure = wal.failure
        let accepting = health.accepting
        routerLock.lock()
        lock.lock()
        defer {
            lock.unlock()
            routerLock.unlock()
        }
        return DeliveryStreamStatus(
            name: name, backlogBytes: backlog, segments: segmentCount, partitionCount: router.partitionCount,
            oldestUndeliveredArrival: oldestUndeliveredLocked(), objectsInFlight: inFlight.count,
            acceptedRecords: accepted, throttledRecords: throttled, replayedRecords: replayed,
            deliveredRecords: deliveredRecords, deliveredObjects: deliveredObjects, errorOutputRecords: errorRecords,
            deliveryFailures: failures, storageFailure: failure, acceptingRecords: accepting)
    }

    /// Routes everything logged so far, seals every buffer and waits until the destination confirmed every
    /// object. Needs `run()` to be running (it does the delivering).
    public func flushAll() async {
        while lock.withLock({ replaying }) && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
        await processAndRoute(sealAll: true)
        while !Task.isCancelled {
            let idle = lock.withLock { inFlight.isEmpty }
            if idle && inbox.waitingRecords == 0 { return }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Drives routing, interval flushes and delivery until `stop()` (then flushes everything and waits for its
    /// delivery) or cancellation (then returns at once; undelivered records stay in the log for the next start).
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.routeLoop() }
            group.addTask { await self.timerLoop() }
            group.addTask { await self.deliveryLoop() }
            await group.waitForAll()
        }
        if Task.isCancelled { wal.close() }
    }

    /// Stops accepting records and makes `run()` flush every buffer, deliver it and return.
    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        inbox.wake()
    }

    /// Closes the log without flushing: buffered records are not delivered now but replayed by the next start
    /// (what a crash would leave). For error paths and tests; do not call while `run()` runs.
    public func abandon() {
        wal.close()
        inbox.finish()
        objectsContinuation.finish()
    }

    // MARK: - Tasks

    private func routeLoop() async {
        await replay()
        for await _ in inbox.signals {
            let stopping = lock.withLock { self.stopping }
            if stopping {
                // No append is in flight once the log is closed, so everything committed is in the inbox now.
                wal.close()
                await processAndRoute(sealAll: true, finishing: true)
                lock.withLock { objectsFinished = true }
                objectsContinuation.finish()
                inbox.finish()
                return
            }
            await processAndRoute(sealAll: configuration.buffering.intervalSeconds == 0)
        }
        // Cancelled: stop delivery too.
        objectsContinuation.finish()
    }

    /// Routes what the log held at start, a segment at a time, waiting while many objects are undelivered so that
    /// a large backlog is never all in memory.
    private func replay() async {
        defer { lock.withLock { replaying = false } }
        while !Task.isCancelled {
            while lock.withLock({ inFlight.count }) >= 2 * Self.maximumConcurrentPuts && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
            }
            let frames: [WALFrame]?
            do {
                frames = try wal.nextReplayedSegment()
            } catch {
                // The segment stays on disk (its records are outstanding) and is tried again at the next start.
                logger.error("cannot read a write-ahead log segment back: \(error)")
                continue
            }
            guard let frames else { return }
            await processAndRoute(sealAll: configuration.buffering.intervalSeconds == 0, replayed: frames)
        }
    }

    /// Processes and routes `replayed` and the frames waiting in the inbox, one caller at a time. With `finishing`,
    /// the processors' open state is flushed too (correlation windows decided); those alerts belong to no frame
    /// and are not covered by the log, but the stream is stopping and delivers them before `run()` returns.
    private func processAndRoute(sealAll: Bool, replayed: [WALFrame] = [], finishing: Bool = false) async {
        await gate.enter()
        let frames = replayed + inbox.takeAll()
        if let stage {
            var processed = await stage.process(frames)
            if finishing {
                let alerts = await stage.finish()
                if !alerts.isEmpty {
                    var last = ProcessedFrame(WALFrame(segment: UInt64.max, firstSequence: 0, arrival: WallClock.now(),
                                                       records: IngestBatch()))
                    last.alerts = alerts
                    processed.append(last)
                }
            }
            let ready = processed
            await offPool { self.routePending(sealAll: sealAll, frames: ready) }
        } else {
            await offPool { self.routePending(sealAll: sealAll, frames: frames.map(ProcessedFrame.init)) }
        }
        await gate.leave()
    }

    /// Routes processed frames and sends sealed buffers to delivery.
    private func routePending(sealAll: Bool, frames: [ProcessedFrame]) {
        let now = WallClock.now()
        let instant = ContinuousClock.now
        var output = PartitionRouter.Output()
        routerLock.lock()
        router.route(frames, now: now, instant: instant, into: &output)
        for extra in output.extraPieces { wal.retain(segment: extra.segment, count: extra.count) }
        if sealAll { output.sealed.append(contentsOf: router.sealExpired(openedBefore: nil)) }
        // Registered before the router is released, so `flushAll` never sees an object neither buffered nor in flight.
        lock.lock()
        errorRecords += output.errorRecords
        let numbered = register(output.sealed)
        lock.unlock()
        routerLock.unlock()
        if output.errorRecords > 0 { metrics.errorOutputRecords.increment(by: output.errorRecords) }
        send(numbered)
    }

    /// Must hold `lock`.
    private func register(_ sealed: [PendingObject]) -> [(Int, PendingObject)] {
        var numbered: [(Int, PendingObject)] = []
        for object in sealed where object.records > 0 {
            nextObject += 1
            inFlight[nextObject] = object.oldestArrival
            numbered.append((nextObject, object))
        }
        return numbered
    }

    private func send(_ numbered: [(Int, PendingObject)]) {
        for item in numbered {
            if case .terminated = objectsContinuation.yield(item) {
                // Delivery has ended (cancelled or abandoned): the records stay in the log for the next start.
                lock.lock()
                inFlight[item.0] = nil
                lock.unlock()
            }
        }
    }

    private func timerLoop() async {
        let interval = configuration.buffering.intervalSeconds
        let tick: Duration = interval <= 5 ? .milliseconds(100) : .seconds(1)
        // `log_compression: auto` moves the share as the machine's load changes; each move is logged (debug) so
        // that a share that stays where it should not can be traced to the readings around it.
        var loggedShare = wal.compressedShare
        while !Task.isCancelled {
            if lock.withLock({ stopping }) { return }
            if interval > 0 { flushExpired(openedBefore: ContinuousClock.now - .seconds(interval)) }
            publishGauges()
            let share = wal.compressedShare
            if share != loggedShare {
                logger.debug("the write-ahead log compresses another share of puts",
                             metadata: ["share": "\(share)", "was": "\(loggedShare)"])
                loggedShare = share
            }
            try? await Task.sleep(for: tick)
        }
    }

    /// Seals and sends the buffers opened at or before `deadline`.
    private func flushExpired(openedBefore deadline: ContinuousClock.Instant) {
        routerLock.lock()
        let expired = router.sealExpired(openedBefore: deadline)
        lock.lock()
        let numbered = register(expired)
        lock.unlock()
        routerLock.unlock()
        send(numbered)
    }

    private func publishGauges() {
        let now = WallClock.now()
        routerLock.lock()
        lock.lock()
        let oldest = oldestUndeliveredLocked()
        let partitions = router.partitionCount
        lock.unlock()
        routerLock.unlock()
        let age = oldest.map { max(0, Double(now.nanoseconds - $0.nanoseconds) / 1e9) } ?? 0
        metrics.dataFreshness.record(age)
        metrics.partitionCount.record(partitions)
        metrics.backlogBytes.record(wal.backlogBytes)
        metrics.logCompressedShare.record(wal.compressedShare)
    }

    /// Must hold `routerLock` and `lock`.
    private func oldestUndeliveredLocked() -> Timestamp? {
        var oldest = router.oldestArrival
        for arrival in inFlight.values { oldest = min(oldest ?? arrival, arrival) }
        return oldest
    }

    private func deliveryLoop() async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await (id, object) in objects {
                if running >= Self.maximumConcurrentPuts {
                    _ = await group.next()
                    running -= 1
                }
                group.addTask { await self.deliver(object, id: id) }
                running += 1
            }
            await group.waitForAll()
        }
    }

    /// Puts one object (the objects it encodes to: one per Parquet table, plus error output for records that did not
    /// convert), retrying until the destination confirms every one (or the task is cancelled).
    private func deliver(_ object: PendingObject, id: Int) async {
        let encoder = self.encoder
        let encoded = await offPool { encoder.encode(object, now: WallClock.now()) }
        if let warning = encoded.warning { logger.error("\(warning)") }
        if encoded.conversionFailures > 0 {
            lock.withLock { errorRecords += encoded.conversionFailures }
            metrics.errorOutputRecords.increment(by: encoded.conversionFailures)
            logger.warning("records failed format conversion and went to the error output",
                           metadata: ["records": "\(encoded.conversionFailures)", "prefix": "\(object.prefix)"])
        }
        var pending = encoded.objects
        var attempt = 0
        var random = SystemRandomNumberGenerator()
        while true {
            attempt += 1
            do {
                while let next = pending.first {
                    let name = try ObjectName(stream: configuration.name, time: object.oldestArrival,
                                              fileExtension: next.fileExtension, random: &random)
                    guard let (key, repaired) = ObjectKeyBuilder.key(prefix: next.prefix, name: name.description) else {
                        throw DestinationError(.invalidKey, "no valid object key for prefix '\(next.prefix)'")
                    }
                    if repaired && attempt == 1 {
                        logger.error("the prefix '\(next.prefix)' makes an invalid object key; delivering under \(key) instead")
                    }
                    if let routed = destination as? any StreamObjectDestination {
                        try await routed.put(key: key, body: next.body, kind: object.kind, arrival: object.oldestArrival)
                    } else {
                        try await destination.put(key: key, body: next.body)
                    }
                    logger.trace("delivered \(key)", metadata: ["records": "\(object.records)"])
                    pending.removeFirst()
                }
                for segment in object.segments { wal.release(segment: segment.segment, count: segment.count) }
                metrics.deliverySuccess.increment()
                metrics.deliveryRecords.increment(by: object.records)
                metrics.deliveryBytes.increment(by: object.body.count)
                lock.withLock {
                    inFlight[id] = nil
                    deliveredRecords += object.records
                    deliveredObjects += 1
                    successfulPuts += 1
                }
                return
            } catch {
                metrics.deliveryFailures.increment()
                let successesBefore = lock.withLock {
                    failures += 1
                    return successfulPuts
                }
                let delay = backoff.delay(forAttempt: attempt, using: &random)
                logger.warning("delivery to \(destination.description) failed; retrying",
                               metadata: ["error": "\(error)", "attempt": "\(attempt)", "kind": "\(object.kind.rawValue)",
                                          "prefix": "\(object.prefix)", "retryIn": "\(delay)"])
                // Wait out the delay, but retry at once when another object got through meanwhile: the
                // destination is back, and every stalled object should not sit out its own long backoff.
                let clock = ContinuousClock()
                let wake = clock.now + delay
                while clock.now < wake {
                    do {
                        try await Task.sleep(for: min(.milliseconds(250), wake - clock.now))
                    } catch {
                        return
                    }
                    if lock.withLock({ successfulPuts }) != successesBefore {
                        attempt = 0
                        break
                    }
                }
            }
        }
    }

    /// Runs CPU-heavy work (routing a group of records, compressing an object) on Dispatch's threads rather than
    /// on the Swift cooperative pool, which has one thread per core and also serves the HTTP handlers.
    private func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
        }
    }

    /// The creation time recorded in `directory/created`, writing now when absent or unreadable.
    private static func creationTime(in directory: String) -> Timestamp {
        let path = directory + "/created"
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let nanoseconds = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            return Timestamp(nanoseconds: nanoseconds)
        }
        let now = WallClock.now()
        try? "\(now.nanoseconds)\n".write(toFile: path, atomically: true, encoding: .utf8)
        return now
    }
}

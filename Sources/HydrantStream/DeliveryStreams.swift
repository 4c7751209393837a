import HydrantAlert
import HydrantArchive
import HydrantRecords
import Logging
import ServiceLifecycle

/// Every configured delivery stream: the real `RecordIngest` behind the Firehose API and in-process agents, and a
/// swift-service-lifecycle `Service` whose `run()` drives flushing and delivery.
///
/// On graceful shutdown (SIGTERM/SIGINT through the service group) the streams stop accepting records, flush every
/// buffer and wait for its delivery before `run()` returns; alert webhooks then get `alerts.drain_timeout_s` to
/// deliver what is queued (the rest stays in their outboxes for the next start). On cancellation they return at
/// once; whatever was not delivered stays in the write-ahead logs and is replayed by the next start.
public final class DeliveryStreams: RecordIngest, Service, @unchecked Sendable {
    /// Makes the destination of a stream (the CLI plugs in S3 here).
    public typealias DestinationFactory = @Sendable (DeliveryStreamConfiguration) throws -> any ObjectDestination

    /// The streams, in configuration order.
    public let streams: [DeliveryStream]
    private let byName: [String: DeliveryStream]
    /// Alert delivery to the webhooks of `alerts:`, when configured.
    public let alertDelivery: AlertDelivery?
    private let drainTimeout: Duration
    private let logger: Logger
    /// The HTTP-endpoint destinations, whose connection pools close when `run()` ends.
    private let httpEndpoints: [HTTPEndpointObjectDestination]

    /// Opens every stream of `configuration` under its `storage.dir` (replaying their logs), each delivering to
    /// the destination `destinationFactory` makes for it (for a stream with an `http_endpoint`, that destination is
    /// its backup and the endpoint gets `secrets.httpEndpointAccessKeys`). The factory is where S3 credentials are
    /// used.
    public init(configuration: StreamConfiguration, secrets: ResolvedSecrets,
                destinationFactory: DestinationFactory = DeliveryStreams.fileDestinations,
                backoff: BackoffSchedule = BackoffSchedule(),
                logger: Logger = Logger(label: "hydrant.stream")) throws {
        let ids = RecordIDGenerator()
        let webhooks = configuration.alerts?.webhooks ?? []
        let submitter = webhooks.isEmpty ? nil : AlertSubmitter(logger: logger)
        var streams: [DeliveryStream] = []
        var destinations: [any ObjectDestination] = []
        var endpoints: [HTTPEndpointObjectDestination] = []
        for stream in configuration.streams {
            let destination = try destinationFactory(stream)
            destinations.append(destination)
            var delivery: any ObjectDestination = destination
            if stream.httpEndpoint != nil {
                let endpoint = try HTTPEndpointObjectDestination(
                    stream: stream, accessKey: secrets.httpEndpointAccessKeys[stream.name], backup: destination,
                    logger: logger)
                endpoints.append(endpoint)
                delivery = endpoint
            }
            streams.append(try DeliveryStream(configuration: stream, storageDirectory: configuration.storage.dir,
                                              destination: delivery, recordIDs: ids, backoff: backoff,
                                              alerts: submitter, logger: logger))
        }
        self.streams = streams
        httpEndpoints = endpoints
        self.logger = logger
        drainTimeout = .seconds(configuration.alerts?.drainTimeoutSeconds ?? AlertsConfiguration.defaultDrainTimeoutSeconds)
        if let submitter, let alerts = configuration.alerts, !streams.isEmpty {
            // Dead letters go to the error output of the first stream that detects (the first stream otherwise).
            let index = configuration.streams.firstIndex { stream in
                stream.processors.contains { if case .detect = $0 { true } else { false } }
            } ?? 0
            let sink = ErrorOutputDeadLetterSink(stream: configuration.streams[index], destination: destinations[index])
            let delivery = try AlertDelivery(webhooks: webhooks, outboxDirectory: alerts.outbox(storage: configuration.storage),
                                             deadLetters: sink, logger: logger)
            submitter.connect(delivery)
            alertDelivery = delivery
        } else {
            alertDelivery = nil
        }
        var byName: [String: DeliveryStream] = [:]
        for stream in streams { byName[stream.name] = stream }
        self.byName = byName
    }

    /// The factory for `file` destinations; refuses others (the CLI supplies one that also makes S3 destinations).
    public static let fileDestinations: DestinationFactory = { stream in
        switch stream.destination {
        case .file(let file):
            let destination = FileObjectDestination(root: file.root)
            // The destination creates directories below its root; the root itself is made here, once.
            do {
                try SegmentFiles.makeDirectories(destination.root)
            } catch {
                throw DeliveryStreamsError("cannot create the archive root of stream \(stream.name): \(error)")
            }
            return destination
        case .s3:
            throw DeliveryStreamsError("stream \(stream.name) has an s3 destination; this factory makes file destinations only")
        }
    }

    /// The stream named `name`.
    public func stream(named name: String) -> DeliveryStream? { byName[name] }

    // MARK: RecordIngest

    /// The configured stream names, in configuration order.
    public var streamNames: [String] { streams.map(\.name) }

    /// The description of the stream `name`.
    public func describeStream(named name: String) -> DeliveryStreamDescription? {
        guard let stream = byName[name] else { return nil }
        return DeliveryStreamDescription(configuration: stream.configuration, createdAt: stream.createdAt)
    }

    /// Appends `batch` to the stream `name`'s log.
    public func put(_ batch: IngestBatch, toStream name: String) async throws(IngestError) -> [PutRecordOutcome] {
        guard let stream = byName[name] else { throw .streamNotFound(name) }
        return try await stream.put(batch)
    }

    /// Whether every stream accepts records.
    public func health() -> IngestHealth {
        var states: [String: String] = [:]
        var accepting = true
        for stream in streams {
            let health = stream.health
            states[stream.name] = health.state
            accepting = accepting && health.accepting
        }
        return IngestHealth(acceptingRecords: accepting, streams: states)
    }

    // MARK: Lifecycle

    /// Runs every stream until graceful shutdown (flush, deliver, drain alerts, return) or cancellation (return at
    /// once).
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for stream in streams { group.addTask { await stream.run() } }
                await group.waitForAll()
            }
        } onGracefulShutdown: {
            self.stop()
        }
        for endpoint in httpEndpoints { await endpoint.shutdown() }
        guard let alertDelivery else { return }
        if !Task.isCancelled {
            let report = await alertDelivery.drain(timeout: drainTimeout)
            if !report.isComplete {
                logger.warning("alerts not yet delivered stay in the outbox for the next start",
                               metadata: ["pending": "\(report.totalPending)"])
            }
        }
        await alertDelivery.shutdown()
    }

    /// Makes every stream stop accepting, flush and deliver; `run()` returns when all are delivered.
    public func stop() {
        for stream in streams { stream.stop() }
    }

    /// Seals every buffer of every stream and waits until all objects are delivered (needs `run()` running).
    public func flushAll() async {
        await withTaskGroup(of: Void.self) { group in
            for stream in streams { group.addTask { await stream.flushAll() } }
            await group.waitForAll()
        }
    }

    /// A snapshot of every stream, in configuration order.
    public func status() -> [DeliveryStreamStatus] { streams.map { $0.status() } }
}

/// Why the streams could not be set up.
public struct DeliveryStreamsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    /// An error.
    public init(_ message: String) {
        self.message = message
    }

    /// A sentence for logs.
    public var description: String { message }
}

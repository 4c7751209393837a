import ArgumentParser
import AsyncHTTPClient
import Foundation
import HydrantArchive
import HydrantStream
import Logging

/// Where one capture run's records go, and what has to happen at the end of the run for nothing to be lost.
final class DeliveryTarget {
    /// The output the background writer feeds.
    let output: any RecordOutput
    private let finishRun: () throws -> [String]
    private let abandonRun: () -> Void
    private var finished = false

    private init(output: any RecordOutput, finish: @escaping () throws -> [String],
                 abandon: @escaping () -> Void = {}) {
        self.output = output
        self.finishRun = finish
        self.abandonRun = abandon
    }

    /// A run that failed before `finish` still releases its HTTP clients (whose deinit traps otherwise); what a
    /// stream accepted stays in its write-ahead log or spool for the next run.
    deinit {
        if !finished { abandonRun() }
    }

    /// Flushes and stops whatever the run started; returns summary lines for stderr.
    func finish() throws -> [String] {
        finished = true
        return try finishRun()
    }

    /// The target the options ask for: a file or stdout by default, else a stream.
    static func make(options: DeliveryOptions, fileOutput: String?) throws -> DeliveryTarget {
        if let endpoint = options.deliverTo, let stream = options.stream {
            return try remote(endpoint: endpoint, stream: stream, options: options)
        }
        if let config = options.config {
            return try inProcess(configPath: config, stream: options.stream)
        }
        let writer = try RecordWriter(path: fileOutput)
        return DeliveryTarget(output: writer) { [] }
    }

    /// PutRecordBatch to a remote `hydrant serve`, spooling while it is unreachable.
    private static func remote(endpoint: String, stream: String, options: DeliveryOptions) throws -> DeliveryTarget {
        let environment = ProcessInfo.processInfo.environment
        var credentials: SigV4Credentials?
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"],
           !id.isEmpty, !secret.isEmpty {
            credentials = SigV4Credentials(accessKeyID: id, secretAccessKey: secret,
                                           sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        let region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        // A refused connection is reported at once (the forwarder spools), not retried until the request deadline.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.timeout.connect = .seconds(5)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let client = FirehoseClient(endpoint: endpoint, region: region, credentials: credentials, httpClient: httpClient)
        let forwarder: RecordForwarder
        do {
            forwarder = try RecordForwarder(client: client, stream: stream, spoolDirectory: options.spoolDir,
                                            maximumSpoolBytes: options.maxSpoolMb * 1024 * 1024,
                                            logger: Logger(label: "hydrant.forward"))
        } catch {
            try? waitFor { try await httpClient.shutdown() }
            throw error
        }
        try waitFor { await forwarder.start() }
        let output = StreamRecordOutput { batch in try await forwarder.send(batch) }
        return DeliveryTarget(output: output) {
            let statistics = try waitFor { await forwarder.finish(timeout: .seconds(30)) }
            try? waitFor { try await httpClient.shutdown() }
            var lines = ["  delivered to \(endpoint) stream \(stream): \(statistics.delivered) records"]
            if statistics.spooled > 0 || statistics.waitingBatches > 0 {
                lines.append("  spooled while unreachable: \(statistics.spooled) records; "
                    + "\(statistics.waitingBatches) batches still wait in \(options.spoolDir) for the next run")
            }
            if statistics.oversized > 0 { lines.append("  dropped, over 1,024,000 bytes: \(statistics.oversized)") }
            if statistics.corruptSpoolFiles > 0 {
                lines.append("  damaged spool files set aside (*.corrupt): \(statistics.corruptSpoolFiles)")
            }
            return lines
        } abandon: {
            try? waitFor { try await httpClient.shutdown() }
        }
    }

    /// The delivery streams of a configuration, run in this process: records are durable in the stream's
    /// write-ahead log when the capture loop moves on, and the end of the run flushes every buffer.
    private static func inProcess(configPath: String, stream requested: String?) throws -> DeliveryTarget {
        let logger = Logger(label: "hydrant.stream")
        let runtime: StreamRuntime
        do {
            runtime = try waitFor { try await StreamRuntime.open(configPath: configPath, includingAuth: false, logger: logger) }
        } catch let failure as UsageFailure {
            throw ValidationError(failure.description)
        }
        let streams = runtime.streams
        guard let stream = requested ?? streams.streamNames.first, streams.stream(named: stream) != nil else {
            try waitFor { await runtime.close() }
            throw ValidationError("--stream \(requested ?? ""): \(configPath) has no such stream; it has "
                + streams.streamNames.joined(separator: ", "))
        }
        let running = Task { try await streams.run() }
        let output = StreamRecordOutput { batch in try await streams.putAll(batch, toStream: stream) }
        return DeliveryTarget(output: output) {
            streams.stop()
            try waitFor { try await running.value }
            let status = streams.status().first { $0.name == stream }
            try waitFor { await runtime.close() }
            let destination: String
            switch streams.stream(named: stream)?.configuration.destination {
            case .file(let file): destination = FileObjectDestination(root: file.root).root
            case .s3(let s3): destination = "s3://\(s3.bucket) (\(s3.endpoint))"
            case nil: destination = "?"
            }
            var lines = ["  stream \(stream): \(status?.deliveredRecords ?? 0) records in \(status?.deliveredObjects ?? 0) objects under \(destination)"]
            if let errors = status?.errorOutputRecords, errors > 0 { lines.append("  error output: \(errors) records") }
            if let replayed = status?.replayedRecords, replayed > 0 {
                lines.append("  replayed from an earlier run's write-ahead log: \(replayed) records")
            }
            return lines
        } abandon: {
            running.cancel()
            try? waitFor { await runtime.close() }
        }
    }
}

extension DeliveryStreams {
    /// Puts `batch` and retries the throttled records until every record is accepted (the stream is over its
    /// backlog bound while its destination catches up, so the capture waits). Other per-record failures throw.
    func putAll(_ batch: IngestBatch, toStream stream: String) async throws {
        var pending = batch
        while true {
            let outcomes = try await put(pending, toStream: stream)
            var retry = IngestBatch()
            for (index, outcome) in outcomes.enumerated() {
                switch outcome {
                case .accepted: continue
                case .throttled: retry.append(pending[index])
                case .failed(let code, let message): throw RuntimeFailure("stream \(stream) refused a record: \(code): \(message)")
                }
            }
            if retry.isEmpty { return }
            pending = retry
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Why a run's delivery target could not be set up.
struct DeliveryTargetError: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String
    init(_ description: String) { self.description = description }
}

import ArgumentParser
import Foundation
import HTTPTypes
import Hummingbird
import HydrantAlert
import HydrantDetect
import HydrantRecords
import Logging
import NIOCore
import Synchronization

/// `hydrant bench alerts`: end-to-end alert latency and throughput, from a record's arrival at the rule engine to
/// a webhook receiver's receipt.
struct BenchAlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Measure alert latency (record arrival to webhook receipt) and alerts/s to one local receiver.",
        discussion: """
            Starts a webhook receiver in this process (Hummingbird, verifying
            every Hydrant-Signature) and an AlertDelivery with a durable outbox
            under --state-dir, as 'replay --webhook' does (throttling off). Then:

            1. latency: --alerts DNS records arrive one at a time at --rate per
               second (a live source); each is evaluated by a DetectionEngine
               with one single-record rule, its alert is submitted (outbox
               append + fsync) and POSTed. Latency is from the moment the record
               is handed to the engine to the moment the receiver has read the
               request, on one monotonic clock.
            2. throughput: --alerts more records in batches of --batch, as fast
               as the delivery takes them; alerts/s from the first submit to the
               last receipt.

            The last line, starting with RESULT, is for scripts.
            """
    )

    @Option(help: "Alerts per phase.")
    var alerts: Int = 10_000

    @Option(help: "Records (= alerts) per second in the latency phase.")
    var rate: Double = 500

    @Option(help: "Records per batch in the throughput phase.")
    var batch: Int = 500

    @Option(help: "Requests in flight to the receiver (the webhook's max_concurrency).")
    var concurrency: Int = 8

    @Option(help: "Directory for the outbox (emptied first).")
    var stateDir: String = ".hydrant/bench-alerts"

    func validate() throws {
        guard (1...10_000_000).contains(alerts) else { throw ValidationError("--alerts must be 1…10000000") }
        guard rate > 0, rate <= 1_000_000 else { throw ValidationError("--rate must be in (0, 1000000]") }
        guard (1...100_000).contains(batch) else { throw ValidationError("--batch must be 1…100000") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1…64") }
    }

    static let rule = """
        title: Bench lookup
        id: 8d0b6a52-3c1e-4f43-9a55-0b3f0c0be001
        status: test
        level: high
        logsource:
          category: network
          service: dns
        detection:
          selection:
            dns.question.name|endswith: '.bench.invalid'
          condition: selection
        """

    func run() throws {
        try? FileManager.default.removeItem(atPath: stateDir)
        try FileManager.default.createDirectory(atPath: stateDir, withIntermediateDirectories: true)
        let (rules, errors) = RuleSet.parse(yaml: Self.rule, file: "bench-alerts.yml")
        guard errors.isEmpty, rules.detections.count == 1 else {
            throw RuntimeFailure("bench rule did not load: \(errors.map(\.description).joined(separator: "; "))")
        }
        let secret = Array("bench-alerts-secret".utf8)
        let receiver = BenchReceiver(verifier: SignatureVerifier(secret: secret))
        let alerts = self.alerts, rate = self.rate, batch = self.batch, concurrency = self.concurrency
        let stateDir = self.stateDir
        let result = try waitFor { () async throws -> BenchAlertsResult in
            let port = try await receiver.start()
            let webhook = try WebhookConfiguration(
                name: "bench", url: "http://127.0.0.1:\(port)/", secret: secret, throttleWindow: .zero,
                maxConcurrency: concurrency)
            let delivery = try AlertDelivery(
                webhooks: [webhook], outboxDirectory: stateDir,
                deadLetters: try DeadLetterFile(path: stateDir + "/alert-delivery-failed.jsonl"))
            do {
                let engine = DetectionEngine(rules: rules)
                var result = BenchAlertsResult()
                // Latency: one record at a time, paced.
                var arrivals: [String: Double] = [:]
                arrivals.reserveCapacity(alerts)
                let start = monotonicSeconds()
                for index in 0..<alerts {
                    let due = start + Double(index) / rate
                    let wait = due - monotonicSeconds()
                    if wait > 0 { try await Task.sleep(for: .nanoseconds(Int64(wait * 1e9))) }
                    let record = Self.record(index)
                    let arrived = monotonicSeconds()
                    let raised = engine.evaluate(record, ends: [record.count])
                    try await delivery.submit(raised.map(AlertNotification.init))
                    for alert in raised { arrivals[alert.id] = arrived }
                }
                let latencyReport = await delivery.drain(timeout: .seconds(120))
                result.latencyPending = latencyReport.totalPending
                let receipts = receiver.takeReceipts()
                result.latencies = arrivals.compactMap { id, arrived in receipts[id].map { ($0 - arrived) * 1000 } }.sorted()
                result.latencyReceived = receipts.count
                result.latencySeconds = monotonicSeconds() - start

                // Throughput: batches as fast as delivery takes them.
                var sent = 0
                let throughputStart = monotonicSeconds()
                while sent < alerts {
                    let count = min(batch, alerts - sent)
                    var bytes: [UInt8] = []
                    var ends: [Int] = []
                    for index in sent..<(sent + count) {
                        bytes += Self.record(alerts + index)
                        ends.append(bytes.count)
                    }
                    let raised = engine.evaluate(bytes, ends: ends)
                    try await delivery.submit(raised.map(AlertNotification.init))
                    sent += count
                }
                let throughputReport = await delivery.drain(timeout: .seconds(300))
                let received = receiver.takeReceipts()
                result.throughputPending = throughputReport.totalPending
                result.throughputReceived = received.count
                result.throughputSeconds = (received.values.max() ?? monotonicSeconds()) - throughputStart
                result.invalidSignatures = receiver.invalid
                await delivery.shutdown()
                await receiver.stop()
                return result
            } catch {
                await delivery.shutdown()
                await receiver.stop()
                throw error
            }
        }
        let latencies = result.latencies
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, max(0, Int((Double(latencies.count) * p).rounded(.up)) - 1))
            return latencies[index]
        }
        let throughput = result.throughputSeconds > 0 ? Double(result.throughputReceived) / result.throughputSeconds : 0
        var out = "hydrant bench alerts: \(alerts) alerts per phase, receiver in process, outbox under \(stateDir)\n"
        out += "  latency      \(result.latencyReceived) received of \(alerts) at \(String(format: "%.0f", rate))/s: "
            + "p50 \(String(format: "%.1f", percentile(0.5))) ms, p99 \(String(format: "%.1f", percentile(0.99))) ms, "
            + "max \(String(format: "%.1f", latencies.last ?? 0)) ms\n"
        out += "  throughput   \(result.throughputReceived) received in \(String(format: "%.2f", result.throughputSeconds)) s: "
            + "\(String(format: "%.0f", throughput)) alerts/s (batches of \(batch), \(concurrency) in flight)\n"
        out += "  not received \(result.latencyPending + result.throughputPending) pending, "
            + "\(result.invalidSignatures) bad signatures\n"
        out += "RESULT p50_ms=\(String(format: "%.1f", percentile(0.5))) p99_ms=\(String(format: "%.1f", percentile(0.99))) "
            + "alerts_per_s=\(String(format: "%.0f", throughput)) received=\(result.latencyReceived + result.throughputReceived) "
            + "pending=\(result.latencyPending + result.throughputPending) bad_signatures=\(result.invalidSignatures)\n"
        print(out, terminator: "")
        if result.latencyReceived + result.throughputReceived < 2 * alerts { throw ExitCode.failure }
    }

    /// A DNS record, unique per index (so every alert id differs), one millisecond of event time apart.
    static func record(_ index: Int) -> [UInt8] {
        var out: [UInt8] = Array(#"{"@timestamp":""#.utf8)
        Timestamp(nanoseconds: 1_704_067_200_000_000_000 + Int64(index) * 1_000_000).appendRFC3339(to: &out)
        out += Array(#"","event":{"dataset":"network.dns"},"source":{"ip":"10.10.0.5","port":53000},"#.utf8)
        out += Array(#""destination":{"ip":"10.0.0.53","port":53},"network":{"transport":"udp"},"#.utf8)
        out += Array(#""dns":{"question":{"name":"q\#(index).bench.invalid","type":"A"}}}"#.utf8)
        return out
    }
}

/// What the two phases measured.
private struct BenchAlertsResult: Sendable {
    var latencies: [Double] = []
    var latencyReceived = 0
    var latencyPending = 0
    var latencySeconds = 0.0
    var throughputReceived = 0
    var throughputPending = 0
    var throughputSeconds = 0.0
    var invalidSignatures = 0
}

/// A webhook receiver that verifies each request and notes when each alert (by `Idempotency-Key`) first arrived.
private final class BenchReceiver: Sendable {
    private let verifier: SignatureVerifier
    private let receipts = Mutex<[String: Double]>([:])
    private let invalidCount = Atomic<Int>(0)
    private let task = Mutex<Task<Void, any Error>?>(nil)

    init(verifier: SignatureVerifier) { self.verifier = verifier }

    /// Requests that failed verification.
    var invalid: Int { invalidCount.load(ordering: .relaxed) }

    /// Receipts so far (alert id → monotonic seconds), emptied.
    func takeReceipts() -> [String: Double] {
        receipts.withLock { current in
            defer { current = [:] }
            return current
        }
    }

    /// Starts listening on a free loopback port and returns it.
    func start() async throws -> Int {
        let router = Router()
        let signature = HTTPField.Name(WebhookSignature.headerName)
        let idempotency = HTTPField.Name(WebhookSignature.idempotencyHeaderName)
        router.post("/") { [self] request, _ -> Response in
            let buffer = try await request.body.collect(upTo: 4 << 20)
            let now = monotonicSeconds()
            let body = Array(buffer.readableBytesView)
            let header = signature.flatMap { request.headers[$0] }
            do {
                try self.verifier.verify(header: header, body: body, now: Int64(time(nil)))
            } catch {
                self.invalidCount.add(1, ordering: .relaxed)
                return Response(status: .unauthorized)
            }
            if let key = idempotency.flatMap({ request.headers[$0] }) {
                self.receipts.withLock { if $0[key] == nil { $0[key] = now } }
            }
            return Response(status: .ok)
        }
        var logger = Logger(label: "hydrant.bench.receiver")
        // The server is stopped by cancelling its task, which Hummingbird logs as errors; nothing else is expected.
        logger.logLevel = .critical
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        task.withLock { $0 = Task { try await application.runService(gracefulShutdownSignals: []) } }
        for await port in stream { return port }
        throw RuntimeFailure("the bench receiver did not start")
    }

    /// Stops the server.
    func stop() async {
        guard let running = task.withLock({ $0 }) else { return }
        running.cancel()
        _ = try? await running.value
    }
}

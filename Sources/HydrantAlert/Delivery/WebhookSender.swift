import AsyncHTTPClient
import HydrantRecords
import Logging
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one outbox entry to one receiver until it is delivered, fails permanently or runs out of retry time.
/// Each attempt is signed afresh (its own `t`) and carries the alert id as `Idempotency-Key`.
struct WebhookSender: Sendable {
    /// How an entry's delivery ended.
    enum Result: Sendable {
        case delivered(attempts: Int)
        case failed(AlertDeliveryFailure)
        /// The task was cancelled (shutdown); the entry stays pending.
        case cancelled
    }

    let configuration: WebhookConfiguration
    let client: HTTPClient
    let metrics: AlertMetrics
    let logger: Logger

    func deliver(_ entry: OutboxEntry) async -> Result {
        let body = AlertPayload.render(entry.alert, format: configuration.format)
        var attempt = 0
        var waited: Duration = .zero
        while true {
            attempt += 1
            if Task.isCancelled { return .cancelled }
            let outcome = await send(body: body, alertID: entry.alert.id)
            if case .delivered = outcome {
                // Recorded even when shutdown began meanwhile: the receiver has it, resending would duplicate it.
                metrics.delivered.increment()
                return .delivered(attempts: attempt)
            }
            if Task.isCancelled { return .cancelled }
            switch outcome {
            case .delivered:
                return .delivered(attempts: attempt)
            case .permanent(let status, let excerpt, let reason):
                return .failed(failure(entry, code: .permanentFailure, message: "receiver refused the alert: \(reason)",
                                       status: status, excerpt: excerpt, attempts: attempt))
            case .retryable(let status, let excerpt, let retryAfter, let reason):
                let backoff = configuration.retry.delay(forRetry: attempt)
                let delay = max(backoff, retryAfter ?? .zero)
                guard waited + delay <= configuration.retry.duration else {
                    return .failed(failure(
                        entry, code: .retriesExhausted,
                        message: "gave up after \(attempt) attempts within the retry duration of "
                            + "\(configuration.retry.duration); last: \(reason)",
                        status: status, excerpt: excerpt, attempts: attempt))
                }
                metrics.retries.increment()
                logger.debug("webhook attempt failed, retrying", metadata: [
                    "webhook": "\(configuration.name)", "alert": "\(entry.alert.id)", "attempt": "\(attempt)",
                    "reason": "\(reason)", "delay_ms": "\(Int(delay.seconds * 1000))",
                ])
                do { try await Task.sleep(for: delay) } catch { return .cancelled }
                waited += delay
            }
        }
    }

    /// One signed POST.
    func send(body: [UInt8], alertID: String) async -> AttemptOutcome {
        var request = HTTPClientRequest(url: configuration.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Hydrant-Alerts/1")
        request.headers.add(name: WebhookSignature.idempotencyHeaderName, value: alertID)
        if let secret = configuration.secret {
            let header = WebhookSignature.header(body: body, secret: secret, timestamp: Self.unixSeconds())
            request.headers.add(name: WebhookSignature.headerName, value: header)
        }
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.timeout))
        do {
            let response = try await client.execute(request, timeout: timeout, logger: logger)
            let status = Int(response.status.code)
            let retryAfter = response.headers.first(name: "Retry-After").flatMap {
                RetryAfter.delay($0, now: Self.unixSeconds())
            }
            var excerpt: [UInt8] = []
            // Only the start of the body is kept; the rest is left unread and the connection closed by the client.
            for try await chunk in response.body {
                excerpt.append(contentsOf: chunk.readableBytesView.prefix(AttemptOutcome.excerptLimit - excerpt.count))
                if excerpt.count >= AttemptOutcome.excerptLimit { break }
            }
            return AttemptOutcome.classify(
                status: status, excerpt: String(decoding: excerpt, as: UTF8.self), retryAfter: retryAfter)
        } catch {
            return .retryable(status: nil, excerpt: "", retryAfter: nil, reason: Self.describe(error))
        }
    }

    private func failure(_ entry: OutboxEntry, code: AlertDeliveryFailure.Code, message: String, status: Int?,
                         excerpt: String, attempts: Int) -> AlertDeliveryFailure {
        AlertDeliveryFailure(
            webhook: configuration.name, alert: entry.alert, code: code, message: message, lastStatus: status,
            lastResponseExcerpt: excerpt, attempts: attempts, enqueuedAt: entry.enqueuedAt, failedAt: Self.now())
    }

    static func describe(_ error: any Error) -> String {
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timeout (\(client))"
            case .remoteConnectionClosed: return "connection closed by the receiver"
            default: return "\(client)"
            }
        }
        return "connection error: \(error)"
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }

    static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int64(spec.tv_nsec))
    }

    static func unixSeconds() -> Int64 { now().nanoseconds.floorDivided(by: 1_000_000_000).quotient }
}

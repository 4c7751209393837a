import Foundation
import Hummingbird
import HydrantArchive
import HydrantStream
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// The Firehose-compatible HTTP server: `POST /` (Firehose JSON 1.1), `GET /metrics`, `GET /health`, on
/// Hummingbird 2. Run it with `run()` (until cancelled) or hand it to a `ServiceGroup`; it is a `Service`.
public struct FirehoseServer: Service {
    /// Everything the server needs besides the streams.
    public struct Configuration: Sendable {
        /// The address to listen on, e.g. `127.0.0.1`.
        public var host: String
        /// The port; 0 picks a free one (learn it from `onServerRunning`).
        public var port: Int
        /// Limits on requests and connections.
        public var limits: FirehoseLimits
        /// The region in ARNs when a request is not signed.
        public var defaultRegion: String

        /// A configuration.
        public init(host: String = "127.0.0.1", port: Int = 4443, limits: FirehoseLimits = FirehoseLimits(),
                    defaultRegion: String = "us-east-1") {
            self.host = host
            self.port = port
            self.limits = limits
            self.defaultRegion = defaultRegion
        }
    }

    /// The server's configuration.
    public let configuration: Configuration
    private let responder: FirehoseResponder
    private let logger: Logger
    private let onServerRunning: @Sendable (Int) async -> Void

    /// A server over `ingest`. `authenticator` nil accepts any credentials; `registry` is what `/metrics` shows
    /// (nil: an empty page); `onServerRunning` receives the bound port once the server listens.
    public init(ingest: any RecordIngest, authenticator: RequestAuthenticator? = nil,
                registry: PrometheusCollectorRegistry? = nil, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "hydrant.server"),
                onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onServerRunning = onServerRunning
        responder = FirehoseResponder(api: FirehoseAPI(ingest: ingest, defaultRegion: configuration.defaultRegion),
                                      authenticator: authenticator, registry: registry,
                                      limits: configuration.limits, logger: logger)
    }

    /// The Hummingbird application: HTTP/1.1 with the idle timeout of the limits.
    public func application() -> some ApplicationProtocol {
        let idle = TimeAmount.nanoseconds(Int64(configuration.limits.idleTimeoutSeconds * 1e9))
        let callback = onServerRunning
        let logger = logger
        return Application(
            responder: responder,
            server: .http1(configuration: .init(idleTimeout: idle)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "hydrant", reuseAddress: true),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("listening on \(channel.localAddress?.ipAddress ?? "?"):\(port)")
                await callback(port)
            },
            logger: logger
        )
    }

    /// Serves until the task is cancelled or graceful shutdown is triggered.
    public func run() async throws {
        try await application().run()
    }
}

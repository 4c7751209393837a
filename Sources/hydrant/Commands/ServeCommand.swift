import ArgumentParser
import Foundation
import HydrantArchive
import HydrantServer
import HydrantStream
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `hydrant serve`: the delivery streams of a hydrant.yaml behind Firehose's HTTP API.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the delivery streams of a hydrant.yaml behind a Firehose-compatible HTTP API.",
        discussion: """
        Any AWS SDK or the AWS CLI can send records with --endpoint-url http://HOST:PORT. Records are in the \
        stream's write-ahead log (storage.dir) before they are acknowledged, and are archived per the stream's \
        prefix. GET /metrics serves Prometheus metrics, GET /health whether records are accepted. SIGTERM or SIGINT \
        stops accepting, flushes every buffer and exits once the archive has everything.

        Example: hydrant serve --config examples/hydrant.yaml
        """
    )

    @Option(help: "The configuration file (see docs/config.md).")
    var config: String

    func run() throws {
        do {
            try waitFor { try await Self.serve(configPath: config) }
        } catch let failure as UsageFailure {
            throw ValidationError(failure.description)
        } catch let failure as RuntimeFailure {
            writeStandardError("hydrant: \(failure)\n")
            throw ExitCode.failure
        }
    }

    private static func serve(configPath: String) async throws {
        let logger = Logger(label: "hydrant.serve")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let runtime = try await StreamRuntime.open(configPath: configPath, includingAuth: true, logger: logger)
        let listen = runtime.configuration.server.listen
        let authenticator = runtime.configuration.auth.map { _ in
            RequestAuthenticator(store: StaticSecretStore(runtime.secrets.accessKeys))
        }
        let server = FirehoseServer(
            ingest: runtime.streams, authenticator: authenticator, registry: registry,
            configuration: .init(host: listen.host, port: listen.port), logger: logger)
        // Bound before the API starts, so that a port in use stops start-up.
        let netflow: NetFlowSourceService?
        do {
            netflow = try runtime.configuration.sources.netflow.map {
                try NetFlowSourceService($0, streams: runtime.streams, logger: logger)
            }
        } catch {
            await runtime.close()
            throw error
        }
        for status in runtime.streams.status() where status.replayedRecords > 0 {
            logger.notice("replayed undelivered records from the write-ahead log",
                          metadata: ["stream": "\(status.name)", "records": "\(status.replayedRecords)"])
        }
        // Services stop in reverse order: the API stops accepting first, then the NetFlow source puts what it holds,
        // then the streams flush and deliver.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: runtime.streams)]
        if let netflow {
            services.append(.init(service: netflow, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        services.append(.init(service: server, successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            await runtime.close()
            throw RuntimeFailure("\(error)")
        }
        await runtime.close()
    }
}

import AsyncHTTPClient
import Foundation
import HydrantArchive
import HydrantStream
import Logging
import NIOCore

/// The delivery streams of a hydrant.yaml, opened for `serve` and for in-process `replay`/`agent` runs: the
/// configuration loaded and validated, secrets read from the environment, destinations made (files or S3), and
/// every stream's write-ahead log replayed.
struct StreamRuntime {
    /// The validated configuration.
    let configuration: StreamConfiguration
    /// The secrets it names.
    let secrets: ResolvedSecrets
    /// The streams.
    let streams: DeliveryStreams
    /// The HTTP client S3 destinations share; shut down by `close()`.
    let httpClient: HTTPClient

    /// Loads `configPath` and opens its streams. `includingAuth` is false for in-process runs, which serve no API.
    /// Configuration and secret errors are thrown as `UsageFailure` (exit 2).
    static func open(configPath: String, includingAuth: Bool, logger: Logger) async throws -> StreamRuntime {
        let environment = ProcessInfo.processInfo.environment
        let configuration: StreamConfiguration
        let secrets: ResolvedSecrets
        do {
            configuration = try ConfigurationLoader(environment: environment).load(path: configPath)
            secrets = try configuration.resolveSecrets(environment: environment, includingAuth: includingAuth)
        } catch {
            throw UsageFailure(error.description)
        }
        // A refused connection must fail the put promptly (the stream retries it with backoff), not be retried by
        // the client until the request deadline.
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.timeout.connect = .seconds(5)
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            var s3Destinations: [String: S3ObjectDestination] = [:]
            for stream in configuration.streams {
                guard case .s3(let s3) = stream.destination, let credentials = secrets.s3[stream.name] else { continue }
                let destination: S3ObjectDestination
                do {
                    destination = try S3ObjectDestination(
                        endpoint: s3.endpoint, bucket: s3.bucket, region: s3.region,
                        credentials: SigV4Credentials(accessKeyID: credentials.accessKeyID,
                                                      secretAccessKey: credentials.secretAccessKey),
                        httpClient: httpClient)
                } catch {
                    throw UsageFailure("\(s3.location): \(s3.path).endpoint: \(error)")
                }
                do {
                    try await destination.checkBucket()
                } catch {
                    throw RuntimeFailure("stream \(stream.name): \(destination): \(error)")
                }
                s3Destinations[stream.name] = destination
            }
            let chosen = s3Destinations
            let streams = try DeliveryStreams(
                configuration: configuration, secrets: secrets,
                destinationFactory: { stream in
                    if let destination = chosen[stream.name] { return destination }
                    return try DeliveryStreams.fileDestinations(stream)
                },
                logger: logger)
            return StreamRuntime(configuration: configuration, secrets: secrets, streams: streams, httpClient: httpClient)
        } catch {
            try? await httpClient.shutdown()
            // A processor that cannot start (a missing database, a rule error) is a configuration problem: exit 2.
            if let error = error as? ProcessorStartError { throw UsageFailure(error.description) }
            throw error
        }
    }

    /// Releases the HTTP client (after the streams stopped).
    func close() async {
        try? await httpClient.shutdown()
    }
}

/// A usage or configuration error: reported on stderr, exit status 2.
struct UsageFailure: Error, CustomStringConvertible {
    /// What is wrong, with file and line where there is one.
    let description: String
    init(_ description: String) { self.description = description }
}

/// A runtime failure: reported on stderr, exit status 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String
    init(_ description: String) { self.description = description }
}

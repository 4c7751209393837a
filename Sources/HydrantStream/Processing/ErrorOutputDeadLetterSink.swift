import HydrantAlert
import HydrantArchive
import HydrantRecords

/// Dead letters of alert delivery written to a stream's error output as `alert-delivery-failed` objects: each
/// `write` is one object (Firehose's error envelope plus the webhook fields, one line per alert) put directly to the
/// stream's destination, so that it is durable when `write` returns and the outbox may let the alerts go.
public struct ErrorOutputDeadLetterSink: DeadLetterSink {
    private let stream: DeliveryStreamConfiguration
    private let destination: any ObjectDestination

    /// A sink writing under the error output prefix of `stream` to `destination`.
    public init(stream: DeliveryStreamConfiguration, destination: any ObjectDestination) {
        self.stream = stream
        self.destination = destination
    }

    /// Puts `failures` as one object; throws when the destination refuses it (the alerts stay in the outbox).
    public func write(_ failures: [AlertDeliveryFailure]) async throws {
        guard !failures.isEmpty else { return }
        var body: [UInt8] = []
        for failure in failures {
            body.append(contentsOf: failure.jsonLine())
            body.append(0x0A)
        }
        let now = WallClock.now()
        var random = SystemRandomNumberGenerator()
        let prefix = (try? stream.errorOutputPrefix.evaluate(arrival: now, errorOutputType: .alertDeliveryFailed,
                                                              random: &random))
            ?? "errors/" + ErrorOutputType.alertDeliveryFailed.rawValue + "/"
        let compressed = try ObjectCompressor.compress(body, as: stream.compression)
        let name = try ObjectName(stream: stream.name, time: now, fileExtension: ".json" + stream.compression.fileExtension,
                                  random: &random)
        guard let (key, _) = ObjectKeyBuilder.key(prefix: prefix, name: name.description) else {
            throw DestinationError(.invalidKey, "no valid object key for prefix '\(prefix)'")
        }
        try await destination.put(key: key, body: compressed)
    }
}

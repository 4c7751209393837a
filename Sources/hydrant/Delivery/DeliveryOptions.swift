import ArgumentParser

/// Where `replay` and `agent` send their records when not to a file: a delivery stream run in-process from a
/// configuration, or a remote `hydrant serve` reached with PutRecordBatch.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "Run the delivery streams of this hydrant.yaml in-process and send the records to one of them.")
    var config: String?

    @Option(help: "Send the records with PutRecordBatch to this Firehose endpoint, e.g. http://127.0.0.1:4443.")
    var deliverTo: String?

    @Option(help: "The delivery stream to send to (default: the first stream of --config; required with --deliver-to).")
    var stream: String?

    @Option(help: "Where --deliver-to keeps batches while the endpoint is unreachable.")
    var spoolDir: String = "./.hydrant/spool"

    @Option(help: "Largest spool, in MiB; past it the capture waits for the endpoint.")
    var maxSpoolMb: Int = 1024

    /// Checks the combination; `output` is the `-o` of the flow options (a file and a stream exclude each other).
    func validate(output: String?) throws {
        if config != nil && deliverTo != nil { throw ValidationError("give --config or --deliver-to, not both") }
        if (config != nil || deliverTo != nil) && output != nil {
            throw ValidationError("--output writes a file; it cannot be combined with --config or --deliver-to")
        }
        if deliverTo != nil {
            guard let stream, !stream.isEmpty else { throw ValidationError("--deliver-to needs --stream NAME") }
            guard let endpoint = deliverTo, endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
                throw ValidationError("--deliver-to must be an http:// or https:// URL, got \(deliverTo ?? "")")
            }
        }
        if stream != nil && config == nil && deliverTo == nil {
            throw ValidationError("--stream needs --config or --deliver-to")
        }
        guard (1...1_048_576).contains(maxSpoolMb) else {
            throw ValidationError("--max-spool-mb must be 1…1048576, got \(maxSpoolMb)")
        }
    }
}

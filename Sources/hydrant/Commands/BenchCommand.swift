import ArgumentParser
import Foundation
import HydrantServer
import HydrantStream
import Logging

/// `hydrant bench`: load generators and measurements for the ingest API, Parquet writing, rule evaluation and alert
/// delivery.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the ingest API (load generator, parse-only ceiling server), Parquet writing, rule evaluation, alert delivery and NetFlow collection (with a paced IPFIX sender).",
        subcommands: [
            BenchIngestCommand.self, BenchCeilingCommand.self, BenchParquetCommand.self, BenchRulesCommand.self,
            BenchAlertsCommand.self, BenchEnrichCommand.self, BenchNetFlowCommand.self, BenchNetFlowSendCommand.self,
        ]
    )
}

/// `hydrant bench ingest`: PutRecordBatch load against a server, with throughput and latency.
struct BenchIngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send PutRecordBatch requests from several connections and report records/s and latency.",
        discussion: """
            Each connection sends a pre-built PutRecordBatch body (500 records of
            1 KiB by default, JSON records with event.dataset "bench"), waits for
            the answer and sends it again, for --seconds. The records are padded
            with one repeated byte, or with --content FILE (JSON lines, e.g. the
            output of 'hydrant replay') are lines of that file, each extended to
            the record size with a "more" member holding the next line's text,
            different for each connection, so that they are partitioned and
            compress as real records do (the log compresses them by default).
            Prints records/s,
            MB/s of record data (10^6 bytes), p50/p99 acknowledgement latency,
            failed and throttled records, and HTTP errors; the last line, starting
            with RESULT, is for scripts.

            Example:
              hydrant bench ingest --endpoint http://127.0.0.1:4443 --stream network
            """
    )

    @Option(help: "The server's URL.")
    var endpoint: String

    @Option(help: "The delivery stream name.")
    var stream: String

    @Option(help: "Concurrent connections.")
    var connections: Int = 8

    @Option(help: "How long to send, in seconds.")
    var seconds: Double = 20

    @Option(help: "Records per PutRecordBatch (at most 500).")
    var records: Int = 500

    @Option(help: "Bytes per record, before base64.")
    var recordBytes: Int = 1024

    @Option(help: "A JSON-lines file whose lines fill the records (default: padding).")
    var content: String?

    func validate() throws {
        guard endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") else {
            throw ValidationError("--endpoint must be an http:// or https:// URL, got '\(endpoint)'")
        }
        guard (1...1024).contains(connections) else { throw ValidationError("--connections must be 1…1024") }
        guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600]") }
        guard (1...500).contains(records) else { throw ValidationError("--records must be 1…500") }
        guard (1...1_024_000).contains(recordBytes) else { throw ValidationError("--record-bytes must be 1…1024000") }
    }

    func run() throws {
        var generator = IngestLoadGenerator(endpoint: endpoint, stream: stream, connections: connections,
                                            seconds: seconds, records: records, recordBytes: recordBytes)
        if let content {
            guard let data = FileManager.default.contents(atPath: content) else {
                throw ValidationError("--content: cannot read \(content)")
            }
            generator.contentLines = data.split(separator: UInt8(ascii: "\n")).map { Array($0) }
            guard !generator.contentLines.isEmpty else { throw ValidationError("--content: \(content) has no lines") }
        }
        let prepared = generator
        let (tally, elapsed) = try waitFor { try await prepared.run() }
        let latencies = tally.latenciesNanoseconds.sorted()
        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            let index = min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)
            return Double(latencies[max(0, index)]) / 1e6
        }
        let recordsPerSecond = Double(tally.acceptedRecords) / elapsed
        let megabytesPerSecond = recordsPerSecond * Double(recordBytes) / 1e6
        let errors = tally.httpErrors.values.reduce(0, +)
        var out = "hydrant bench ingest: \(endpoint) stream \(stream), \(connections) connections, "
            + "\(records) records x \(recordBytes) B per request, \(String(format: "%.1f", elapsed)) s\n"
        out += "  requests     \(tally.requests) (\(errors) not 200)\n"
        out += "  records/s    \(String(format: "%.0f", recordsPerSecond)) accepted\n"
        out += "  MB/s         \(String(format: "%.1f", megabytesPerSecond)) of record data\n"
        out += "  latency      p50 \(String(format: "%.1f", percentile(0.5))) ms, p99 "
            + "\(String(format: "%.1f", percentile(0.99))) ms\n"
        out += "  failed       \(tally.failedRecords) records (throttled \(tally.throttledRecords))\n"
        for (kind, count) in tally.httpErrors.sorted(by: { $0.value > $1.value }).prefix(5) {
            out += "  error        \(count) x \(kind)\n"
        }
        out += "RESULT records_per_s=\(String(format: "%.0f", recordsPerSecond)) "
            + "mb_per_s=\(String(format: "%.1f", megabytesPerSecond)) "
            + "p50_ms=\(String(format: "%.1f", percentile(0.5))) p99_ms=\(String(format: "%.1f", percentile(0.99))) "
            + "failed=\(tally.failedRecords) throttled=\(tally.throttledRecords) http_errors=\(errors)\n"
        print(out, terminator: "")
        if tally.acceptedRecords == 0 { throw ExitCode.failure }
    }
}

/// `hydrant bench ceiling`: the Firehose server over an ingest that stores nothing.
struct BenchCeilingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ceiling",
        abstract: "Serve the Firehose API with the real parser but store nothing: the ceiling of the HTTP stack.",
        discussion: """
            Runs the same HTTP server, limits and PutRecordBatch parser (JSON and
            base64 decoding) as 'hydrant serve', over an ingest that accepts every
            record and keeps none. Point 'hydrant bench ingest' at it. Stops on
            SIGINT/SIGTERM.
            """
    )

    @Option(help: "host:port to listen on (port 0 picks a free one).")
    var listen: String = "127.0.0.1:4443"

    @Option(help: "Accept only this stream name (any name when absent).")
    var stream: String?

    func validate() throws {
        guard ListenAddress(parsing: listen) != nil else {
            throw ValidationError("--listen must be host:port, got '\(listen)'")
        }
    }

    func run() throws {
        guard let address = ListenAddress(parsing: listen) else { throw ExitCode(2) }
        var logger = Logger(label: "hydrant.bench.ceiling")
        logger.logLevel = .warning
        let server = FirehoseServer(
            ingest: DiscardingIngest(stream: stream),
            configuration: .init(host: address.host, port: address.port),
            logger: logger,
            onServerRunning: { port in writeStandardError("listening on \(address.host):\(port)\n") }
        )
        try waitFor { try await server.application().runService() }
    }
}

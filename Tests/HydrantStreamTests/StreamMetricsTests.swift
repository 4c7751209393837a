import Foundation
import Metrics
import MetricsTestKit
import Testing
@testable import HydrantStream

/// The process's metrics backend: bootstrapped once, on first use (other suites run with the no-op default).
private let testMetrics: TestMetrics = {
    let metrics = TestMetrics()
    MetricsSystem.bootstrap(metrics)
    return metrics
}()

@Suite("Stream metrics")
struct StreamMetricsTests {
    @Test("ingest, delivery, error output, throttling and replay are counted under Firehose's names")
    func counted() async throws {
        let metrics = testMetrics
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let name = "metrics-\(UInt32.random(in: 0 ... .max))"
        // Plain log frames: the backlog checks below are in record bytes (padding would compress to nothing).
        let configuration = try streamConfiguration(in: directory, "max_backlog_mb: 1\nlog_compression: none",
                                                    name: name)
        let dimensions = [("stream", name)]
        let first = try openStream(configuration)
        _ = try await first.put(batch([record(1), "not json"]))
        first.abandon()

        let stream = try openStream(configuration)
        #expect(try metrics.expectCounter("hydrant_replayed_records_total", dimensions).totalValue == 2)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([record(2), record(3)]))
            await stream.flushAll()
            // Fill the 1 MiB log to the bound: the next batch is throttled.
            let big = String(repeating: "x", count: 900_000)
            let accepted = try await stream.put(batch([big]))
            #expect(accepted.count == 1 && accepted != [.throttled])
            let throttled = try await stream.put(batch([big]))
            #expect(throttled == [.throttled])
            // Gauges are published once a second for streams with intervals above 5 s.
            let deadline = ContinuousClock.now + .seconds(3)
            while ContinuousClock.now < deadline,
                  try metrics.expectGauge("hydrant_backlog_bytes", dimensions).lastValue ?? 0 < 900_000 {
                try await Task.sleep(for: .milliseconds(50))
            }
            // The big record is not JSON: it waits in the error output buffer, undelivered for a while.
            #expect(try metrics.expectGauge("firehose_DeliveryToS3_DataFreshness", dimensions).lastValue ?? 0 > 0)
            #expect(try metrics.expectGauge("firehose_PartitionCount", dimensions).lastValue == 0)
            let backlog = try metrics.expectGauge("hydrant_backlog_bytes", dimensions)
            #expect(backlog.lastValue ?? 0 > 900_000)
            // `log_compression: none` compresses no put.
            #expect(try metrics.expectGauge("hydrant_log_compressed_share", dimensions).lastValue == 0)
        }
        #expect(try metrics.expectCounter("firehose_IncomingRecords", dimensions).totalValue == 5)
        #expect(try metrics.expectCounter("firehose_IncomingBytes", dimensions).totalValue
                == Int64(record(1).utf8.count + 8 + record(2).utf8.count + record(3).utf8.count + 900_000))
        #expect(try metrics.expectCounter("firehose_ThrottledRecords", dimensions).totalValue == 1)
        #expect(try metrics.expectCounter("hydrant_error_output_records_total", dimensions).totalValue == 2)
        // Replayed: record 1 (data) and "not json" (error); then records 2, 3 (data) and the big one (error).
        #expect(try metrics.expectCounter("firehose_DeliveryToS3_Records", dimensions).totalValue == 5)
        #expect(try metrics.expectCounter("firehose_DeliveryToS3_Success", dimensions).totalValue >= 2)
        #expect(try metrics.expectCounter("firehose_DeliveryToS3_Bytes", dimensions).totalValue > 900_000)
    }
}

@Suite("Processor metrics")
struct ProcessorMetricsTests {
    @Test("enrichment, intel matches and alerts are counted per stream")
    func counted() async throws {
        let metrics = testMetrics
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let name = "processors-\(UInt32.random(in: 0 ... .max))"
        try Data("203.0.113.9\n".utf8).write(to: URL(fileURLWithPath: directory.path + "/ips.txt"))
        try Data("""
        title: Port 23
        logsource: {category: network}
        detection:
          selection: {destination.port: 23}
          condition: selection
        """.utf8).write(to: URL(fileURLWithPath: directory.path + "/rules.yml"))
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        processors:
          - direction
          - intel: [{feed: f, path: \(directory.path)/ips.txt}]
          - detect: {rules: \(directory.path)/rules.yml}
        """, name: name)
        let stream = try openStream(configuration)
        func flow(_ destination: String, _ port: Int) -> String {
            #"{"@timestamp":"2024-05-01T13:45:00Z","event":{"dataset":"network.flow"},"source":{"ip":"10.0.0.1","port":5000},"destination":{"ip":"\#(destination)","port":\#(port)}}"#
        }
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([flow("203.0.113.9", 23), flow("198.51.100.1", 443), "not json"]))
            await stream.flushAll()
        }
        let dimensions = [("stream", name)]
        #expect(try metrics.expectCounter("hydrant_enrich_records_enriched_total", dimensions).totalValue == 2)
        #expect(try metrics.expectCounter("hydrant_enrich_records_passed_through_total", dimensions).totalValue == 1)
        #expect(try metrics.expectCounter("hydrant_enrich_intel_matches_total", dimensions).totalValue == 1)
        #expect(try metrics.expectCounter("hydrant_alerts_raised_total", dimensions).totalValue == 1)
    }
}

import ArgumentParser
import Foundation
import HydrantFlowLogs
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `hydrant bench netflow`: CPU time per flow record of the collector's per-record work (IPFIX decoding, and
/// JSON-lines encoding as `hydrant collect` does it), without sockets, on one thread.
struct BenchNetFlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netflow",
        abstract: "Measure CPU time per record of NetFlow/IPFIX decoding and JSON-lines encoding.",
        discussion: """
            Builds the same IPFIX messages bench/netflow_sender.py sends (one template; 64 data messages of 30
            records with varying addresses and ports), then on this thread, with the thread's CPU clock running:
              decode   FlowExportDecoder over the messages, records collected in batches of 1024 as the
                       collector's decode thread does;
              encode   the decoded batches encoded as JSON lines into one reused buffer, as the collector's
                       writer thread does (NetFlowLineEncoder; the bytes are then discarded, as with -o /dev/null);
              generic  the same with the field-table encoder (JSONLinesEncoder), which writes the same bytes.
            Each is run --runs times; the best counts. Reports ns of thread CPU time per record and bytes per
            line. The last line, starting with RESULT, is for scripts.

            Example:
              hydrant bench netflow --records 3000000
            """
    )

    @Option(help: "Flow records per run.")
    var records: Int = 3_000_000

    @Option(help: "Timed runs of each phase; the best counts.")
    var runs: Int = 3

    func validate() throws {
        guard (30...1_000_000_000).contains(records) else { throw ValidationError("--records must be 30…1000000000") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be 1…100") }
    }

    func run() throws {
        let messages = Self.messages(exportSeconds: 1_704_067_200)
        let exporter = IPAddress(ipv4: 0x7F00_0001)
        let receivedAt = Timestamp(seconds: 1_704_067_200, nanoseconds: 0)
        let perMessage = 30
        let messageCount = (records + perMessage - 1) / perMessage
        let batchSize = 1024

        // Decoded once, outside the clock, for the encode phase (batches as the collector hands them on).
        var batches: [[NetFlowRecord]] = []
        var bestDecode = Double.infinity
        var decoded = 0
        for run in 0..<runs {
            let decoder = FlowExportDecoder()
            var batch: [NetFlowRecord] = []
            decoder.decode(messages.template, from: exporter, receivedAt: receivedAt, into: &batch)
            batch.reserveCapacity(batchSize + 64)
            decoded = 0
            let started = Self.threadCPUSeconds()
            for index in 0..<messageCount {
                decoder.decode(messages.data[index % messages.data.count], from: exporter, receivedAt: receivedAt,
                               into: &batch)
                if batch.count >= batchSize {
                    decoded += batch.count
                    if run == 0 { batches.append(batch) }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            decoded += batch.count
            if run == 0, !batch.isEmpty { batches.append(batch) }
            bestDecode = min(bestDecode, Self.threadCPUSeconds() - started)
        }

        let (bestEncode, bytes) = Self.encode(batches, with: NetFlowLineEncoder(), runs: runs, batchSize: batchSize)
        let (bestGeneric, _) = Self.encode(batches, with: JSONLinesEncoder<NetFlowRecord>(), runs: runs, batchSize: batchSize)

        let decodeNs = bestDecode * 1e9 / Double(max(decoded, 1))
        let encodeNs = bestEncode * 1e9 / Double(max(decoded, 1))
        let genericNs = bestGeneric * 1e9 / Double(max(decoded, 1))
        let lineBytes = Double(bytes) / Double(max(decoded, 1))
        var out = "hydrant bench netflow: \(decoded) IPFIX flow records (30 per message), best of \(runs), thread CPU time\n"
        out += "  decode   \(String(format: "%.0f", decodeNs)) ns/record\n"
        out += "  encode   \(String(format: "%.0f", encodeNs)) ns/record (\(String(format: "%.0f", lineBytes)) bytes/line)\n"
        out += "  total    \(String(format: "%.0f", decodeNs + encodeNs)) ns/record\n"
        out += "  generic  \(String(format: "%.0f", genericNs)) ns/record (field-table encoder, for comparison)\n"
        out += "RESULT decode_ns=\(String(format: "%.1f", decodeNs)) encode_ns=\(String(format: "%.1f", encodeNs)) "
            + "total_ns=\(String(format: "%.1f", decodeNs + encodeNs)) generic_encode_ns=\(String(format: "%.1f", genericNs)) records=\(decoded) bytes_per_line=\(String(format: "%.1f", lineBytes))\n"
        print(out, terminator: "")
    }

    /// The best thread CPU time of `runs` runs of encoding every batch with `encoder` into one reused set of lines,
    /// and the bytes one run wrote.
    private static func encode<Encoder: JSONLinesBatchEncoding>(_ batches: [[Encoder.Record]], with encoder: Encoder, runs: Int,
                                                               batchSize: Int) -> (seconds: Double, bytes: Int) {
        var encoder = encoder
        var best = Double.infinity
        var bytes = 0
        var encoded = EncodedRecords(reservingRecords: batchSize)
        for _ in 0..<runs {
            bytes = 0
            let started = threadCPUSeconds()
            for batch in batches {
                encoded.removeAll()
                encoded.append(contentsOf: batch, with: &encoder)
                bytes += encoded.withUnsafeBytes { $0.count }
            }
            best = min(best, threadCPUSeconds() - started)
        }
        return (best, bytes)
    }

    /// The template message and the data messages of bench/netflow_sender.py, with a fixed export time.
    static func messages(exportSeconds: UInt32) -> (template: [UInt8], data: [[UInt8]]) {
        // sourceIPv4Address, destinationIPv4Address, sourceTransportPort, destinationTransportPort,
        // protocolIdentifier, octetDeltaCount(8), packetDeltaCount(8), flowStartMilliseconds, flowEndMilliseconds,
        // tcpControlBits, ingressInterface
        let fields: [(UInt16, UInt16)] = [(8, 4), (12, 4), (7, 2), (11, 2), (4, 1), (1, 8), (2, 8), (152, 8), (153, 8),
                                          (6, 2), (10, 4)]
        func put<T: FixedWidthInteger>(_ value: T, _ out: inout [UInt8]) {
            withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
        }
        func message(sequence: UInt32, set: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            put(UInt16(10), &out)
            put(UInt16(16 + set.count), &out)
            put(exportSeconds, &out)
            put(sequence, &out)
            put(UInt32(1), &out)
            return out + set
        }
        func set(_ id: UInt16, _ content: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            put(id, &out)
            put(UInt16(4 + content.count), &out)
            return out + content
        }
        var templateBody: [UInt8] = []
        put(UInt16(256), &templateBody)
        put(UInt16(fields.count), &templateBody)
        for (id, length) in fields {
            put(id, &templateBody)
            put(length, &templateBody)
        }
        let template = message(sequence: 0, set: set(2, templateBody))
        let nowMs = UInt64(exportSeconds) * 1000
        var data: [[UInt8]] = []
        var sequence: UInt32 = 0
        for p in 0..<64 {
            var records: [UInt8] = []
            for i in 0..<30 {
                put(UInt32(0x0A00_0000 + p * 30 + i), &records)
                put(UInt32(0xC0A8_0000 + i), &records)
                put(UInt16(1024 + p), &records)
                put(UInt16(443), &records)
                put(UInt8(6), &records)
                put(UInt64(1500 * (i + 1)), &records)
                put(UInt64(i + 1), &records)
                put(nowMs - 1000, &records)
                put(nowMs, &records)
                put(UInt16(0x1B), &records)
                put(UInt32(3), &records)
            }
            data.append(message(sequence: sequence, set: set(256, records)))
            sequence &+= 30
        }
        return (template, data)
    }

    private static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

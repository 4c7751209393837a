import Foundation
import Testing

/// `hydrant replay` end to end: the real binary over real captures.
@Suite struct ReplayCommandTests {
    private func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
        }
    }

    private var sample: String {
        HydrantProcess.packageRoot.appendingPathComponent("captures/mixed-2k.pcap").path
    }

    @Test func writesAllFourDatasetsToStdoutAndASummaryToStderr() throws {
        let outcome = try HydrantProcess.run(["replay", sample])
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let records = try jsonLines(outcome.stdout)
        #expect(records.count > 10)
        var datasets: [String: Int] = [:]
        for record in records {
            let dataset = (record["event"] as? [String: Any])?["dataset"] as? String ?? "none"
            datasets[dataset, default: 0] += 1
            #expect(record["@timestamp"] is String)
            #expect((record["network"] as? [String: Any])?["community_id"] is String)
        }
        #expect(Set(datasets.keys) == ["network.flow", "network.dns", "network.http", "network.tls"], "\(datasets)")
        #expect(outcome.stderr.contains("2000 packets"))
        #expect(outcome.stderr.contains("decode errors: 0"))
        #expect(outcome.stderr.contains("\(records.count) records written"))
    }

    @Test func datasetsSelectsWhatIsWritten() throws {
        let flows = try HydrantProcess.run(["replay", sample, "--datasets", "flow"])
        #expect(flows.exitStatus == 0, "\(flows.stderr)")
        let flowRecords = try jsonLines(flows.stdout)
        #expect(!flowRecords.isEmpty)
        #expect(flowRecords.allSatisfy { ($0["event"] as? [String: Any])?["dataset"] as? String == "network.flow" })
        // Without the parsers, flows carry no application protocol.
        #expect(flowRecords.allSatisfy { ($0["network"] as? [String: Any])?["protocol"] == nil })

        let dns = try HydrantProcess.run(["replay", sample, "--datasets", "dns,tls"])
        let dnsRecords = try jsonLines(dns.stdout)
        let kinds = Set(dnsRecords.compactMap { ($0["event"] as? [String: Any])?["dataset"] as? String })
        #expect(kinds == ["network.dns", "network.tls"])

        let bad = try HydrantProcess.run(["replay", sample, "--datasets", "flow,smtp"])
        #expect(bad.exitStatus == 2)
        #expect(bad.stderr.contains("unknown dataset 'smtp'") && bad.stderr.contains("allowed: flow, dns, http, tls"))
    }

    @Test func sameInputGivesSameRecords() throws {
        let first = try HydrantProcess.run(["replay", sample, "--observer", "test"])
        let second = try HydrantProcess.run(["replay", sample, "--observer", "test"])
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
    }

    @Test func writesToTheOutputFileAndKeepsStdoutEmpty() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: output) }
        let outcome = try HydrantProcess.run(["replay", sample, "-o", output.path])
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout.isEmpty)
        let written = try String(contentsOf: output, encoding: .utf8)
        #expect(try jsonLines(written).count > 10)
    }

    @Test func unreadableFileIsReportedAndTheRunGoesOnThenExitsOne() throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-\(UUID().uuidString).pcap")
        try Data("this is not a capture file at all".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let alone = try HydrantProcess.run(["replay", sample, "--observer", "t"])
        let outcome = try HydrantProcess.run(["replay", garbage.path, "/nonexistent/x.pcap", sample, "--observer", "t"])
        #expect(outcome.exitStatus == 1)
        #expect(outcome.stderr.contains("\(garbage.path): cannot read capture: unknown file format"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("/nonexistent/x.pcap: cannot read capture"))
        #expect(outcome.stdout == alone.stdout, "the readable file after the bad ones is processed in full")
    }

    @Test func bpfFilterSelectsPackets() throws {
        let outcome = try HydrantProcess.run(["replay", sample, "--filter", "udp port 53"])
        #expect(outcome.exitStatus == 0, "\(outcome.stderr)")
        let records = try jsonLines(outcome.stdout)
        #expect(!records.isEmpty)
        for record in records {
            let network = record["network"] as? [String: Any]
            #expect(network?["transport"] as? String == "udp")
            let ports = [(record["source"] as? [String: Any])?["port"] as? Int, (record["destination"] as? [String: Any])?["port"] as? Int]
            #expect(ports.contains(53))
        }
    }

    @Test(arguments: [
        (["replay", "x.pcap", "--filter", "tcp port"], "filter 'tcp port'"),
        (["replay", "x.pcap", "--max-flows", "0"], "--max-flows must be"),
        (["replay", "x.pcap", "--udp-timeout", "0"], "--udp-timeout must be"),
        (["replay"], "files"),
        (["no-such-command"], "no-such-command"),
    ])
    func usageErrorsExitTwoWithAMessage(arguments: [String], message: String) throws {
        let outcome = try HydrantProcess.run(arguments)
        #expect(outcome.exitStatus == 2, "\(arguments): \(outcome.stderr)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func filesAreReadInTheOrderGivenAsOneCapture() throws {
        guard let folder = HydrantProcess.conformance("community-id/pcaps") else {
            Issue.record(Comment(rawValue: "../shared/conformance is absent; skipped"), severity: .warning)
            return
        }
        let tcp = folder.appendingPathComponent("tcp.pcap").path
        let udp = folder.appendingPathComponent("udp.pcap").path
        let both = try jsonLines(HydrantProcess.run(["replay", tcp, udp]).stdout)
        let tcpOnly = try jsonLines(HydrantProcess.run(["replay", tcp]).stdout)
        let udpOnly = try jsonLines(HydrantProcess.run(["replay", udp]).stdout)
        #expect(both.count == tcpOnly.count + udpOnly.count)
        #expect(both.count >= 2)
    }

    @Test func mappedFileAndStandardInputGiveTheSameRecords() throws {
        // Several megabytes, so the mapped reader releases pages behind itself many times over.
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-\(UUID().uuidString).pcap")
        defer { try? FileManager.default.removeItem(at: capture) }
        let synth = try HydrantProcess.run(["synth", "--scenario", "mixed", "--packets", "30000", "--seed", "3", "-o", capture.path])
        #expect(synth.exitStatus == 0, "\(synth.stderr)")
        let size = try FileManager.default.attributesOfItem(atPath: capture.path)[.size] as? Int ?? 0
        #expect(size > 8 << 20)
        let mapped = try HydrantProcess.run(["replay", capture.path, "--observer", "t"])
        let piped = try HydrantProcess.run(["replay", "-", "--observer", "t"], stdinPath: capture.path)
        #expect(mapped.exitStatus == 0 && piped.exitStatus == 0, "\(mapped.stderr)\n\(piped.stderr)")
        #expect(mapped.stderr.contains("30000 packets"))
        #expect(!mapped.stdout.isEmpty)
        // Each dataset's records come out in the same order; how the datasets interleave follows the batches, which
        // a mapped file (payloads read in place) and a stream (payloads copied) cut at different packets.
        func byDataset(_ output: String) -> [String: [Substring]] {
            Dictionary(grouping: output.split(separator: "\n")) { line in
                ["network.flow", "network.dns", "network.http", "network.tls"].first { line.contains("\"dataset\":\"\($0)\"") } ?? "other"
            }
        }
        let mappedDatasets = byDataset(mapped.stdout)
        #expect(Set(mappedDatasets.keys) == ["network.flow", "network.dns", "network.http", "network.tls"])
        #expect(mappedDatasets == byDataset(piped.stdout))
    }

    @Test func schemaCommandPrintsTheCommittedSchema() throws {
        let outcome = try HydrantProcess.run(["schema"])
        let committed = try String(contentsOf: HydrantProcess.packageRoot.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        #expect(outcome.exitStatus == 0)
        #expect(outcome.stdout == committed)
    }
}

import ArgumentParser
import Foundation
import HydrantCapture

/// `hydrant synth`: writes a deterministic synthetic capture (classic pcap, nanosecond timestamps, Ethernet).
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a deterministic synthetic pcap capture.",
        discussion: """
            The same scenario, packet count and seed always give a byte-identical
            file (classic pcap, nanosecond timestamps, Ethernet).

            Scenarios:
              mixed   Clients of 10.10.0.0/16 and a few hundred servers: HTTPS
                      (TLS ClientHello with SNI), HTTP/1.1, DNS (A, AAAA, CNAME,
                      NXDOMAIN), NTP, ICMP echo, SSH, rejected and unanswered
                      connections, ICMP port unreachable, syslog; about 10%
                      IPv6. Starts at 2024-01-01T00:00:00Z, ~3,000 packets/s.

            Example:
              hydrant synth --scenario mixed --packets 2000 --seed 1 \\
                -o captures/mixed-2k.pcap
            """
    )

    /// The scenarios this command knows.
    enum Scenario: String, CaseIterable {
        case mixed

        /// The allowed values, comma-separated.
        static let allowedValues = allCases.map(\.rawValue).joined(separator: ", ")
    }

    @Option(name: .long, help: "Scenario to generate (allowed: \(Scenario.allowedValues)).")
    var scenario: String = Scenario.mixed.rawValue

    @Option(name: .long, help: "Exact number of packets to write.")
    var packets: Int = 10_000

    @Option(name: .long, help: "Seed of the pseudo-random generator.")
    var seed: UInt64 = 1

    @Option(name: [.short, .customLong("output")], help: "Output pcap file ('-' for standard output).")
    var output: String

    func validate() throws {
        guard Scenario(rawValue: scenario) != nil else {
            throw usageError("unknown scenario '\(scenario)'; allowed values: \(Scenario.allowedValues)")
        }
        guard packets >= 0 else {
            throw usageError("--packets must be 0 or more, got \(packets)")
        }
        guard !output.isEmpty else {
            throw usageError("--output must name a file, or '-' for standard output")
        }
    }

    func run() throws {
        do {
            var writer = try PcapWriter(path: output)
            let summary = try MixedScenario(packets: packets, seed: seed).write(to: &writer)
            try writer.close()
            var line = "hydrant synth: wrote \(summary.packets) packets (\(summary.bytes) frame bytes, "
            line += "\(summary.conversations) conversations"
            if let first = summary.firstTime, let last = summary.lastTime {
                line += ", \(first.rfc3339) to \(last.rfc3339)"
            }
            writeStandardError(line + ") to \(output)\n")
        } catch {
            writeStandardError("hydrant synth: error: \(error)\n")
            throw ExitCode.failure
        }
    }

    /// Prints a usage error with the usage line; the returned exit code (2) ends the command.
    private func usageError(_ message: String) -> ExitCode {
        writeStandardError("Error: \(message)\nUsage: hydrant \(SynthCommand.usageString())\n"
            + "  See 'hydrant synth --help' for more information.\n")
        return ExitCode(2)
    }
}

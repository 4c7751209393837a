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

            Rule scenarios (one per shipped rule's attack, and benign traffic no
            shipped rule may alert on; their size is fixed, --packets does not
            apply; captures/scenarios.json lists the alerts each must raise):
            \(SynthCommand.ruleScenarioLines)

            Examples:
              hydrant synth --scenario mixed --packets 2000 --seed 1 \\
                -o captures/mixed-2k.pcap
              hydrant synth --scenario portscan --seed 1 -o captures/portscan.pcap
            """
    )

    /// One help line per rule scenario: name and summary.
    static var ruleScenarioLines: String {
        RuleScenario.allCases.map { "  " + $0.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + $0.summary }
            .joined(separator: "\n")
    }

    /// The scenario names this command knows: `mixed` and the rule scenarios.
    static let allowedValues = (["mixed"] + RuleScenario.allCases.map(\.rawValue)).joined(separator: ", ")

    @Option(name: .long, help: "Scenario to generate (allowed: \(SynthCommand.allowedValues)).")
    var scenario: String = "mixed"

    @Option(name: .long, help: "Exact number of packets to write (mixed only; default 10000).")
    var packets: Int?

    @Option(name: .long, help: "Seed of the pseudo-random generator.")
    var seed: UInt64 = 1

    @Option(name: [.short, .customLong("output")], help: "Output pcap file ('-' for standard output).")
    var output: String

    func validate() throws {
        guard scenario == "mixed" || RuleScenario(rawValue: scenario) != nil else {
            throw usageError("unknown scenario '\(scenario)'; allowed values: \(SynthCommand.allowedValues)")
        }
        if let packets {
            guard scenario == "mixed" else {
                throw usageError("--packets applies only to the mixed scenario; '\(scenario)' has a fixed size")
            }
            guard packets >= 0 else {
                throw usageError("--packets must be 0 or more, got \(packets)")
            }
        }
        guard !output.isEmpty else {
            throw usageError("--output must name a file, or '-' for standard output")
        }
    }

    func run() throws {
        do {
            let summary: MixedScenario.Summary
            if let rule = RuleScenario(rawValue: scenario) {
                var writer = try PcapWriter(path: output, snapLength: rule.snapLength)
                summary = try rule.write(to: &writer, seed: seed)
                try writer.close()
            } else {
                var writer = try PcapWriter(path: output)
                summary = try MixedScenario(packets: packets ?? 10_000, seed: seed).write(to: &writer)
                try writer.close()
            }
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

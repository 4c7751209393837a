import ArgumentParser
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `hydrant` command line: one subcommand per job.
///
/// Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.
@main
struct Hydrant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hydrant",
        abstract: "Security-monitoring stream pipeline: capture, detect, alert, archive.",
        subcommands: [
            ReplayCommand.self, AgentCommand.self, CollectCommand.self, ServeCommand.self, AlertsCommand.self,
            RulesCommand.self, SynthCommand.self, SchemaCommand.self, BenchCommand.self,
        ]
    )

    static func main() {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: ProcessInfo.processInfo.environment["HYDRANT_LOG_LEVEL"] ?? "") ?? .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                writeStandardError(fullMessage(for: error) + "\n")
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

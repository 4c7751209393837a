import ArgumentParser

/// The `hydrant` command line: one subcommand per job.
@main
struct Hydrant: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hydrant",
        abstract: "Security-monitoring stream pipeline: capture, detect, alert, archive.",
        subcommands: [SchemaCommand.self, SynthCommand.self]
    )
}

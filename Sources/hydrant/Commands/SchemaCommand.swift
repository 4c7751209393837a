import ArgumentParser
import HydrantRecords

/// `hydrant schema`: prints the generated record schema (the source of `docs/schema.md`).
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the record schema as Markdown (docs/schema.md is this output).",
        discussion: "Example: hydrant schema > docs/schema.md"
    )

    func run() throws {
        print(SchemaDocument.markdown(), terminator: "")
    }
}

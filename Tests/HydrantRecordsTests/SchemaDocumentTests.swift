import Foundation
import Testing
@testable import HydrantRecords

@Suite struct SchemaDocumentTests {
    @Test func committedSchemaDocumentIsGeneratedFromTheCode() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/schema.md"), encoding: .utf8)
        #expect(committed == SchemaDocument.markdown(), "docs/schema.md is stale: run `make schema`")
    }

    @Test func documentsEveryFlowField() {
        let markdown = SchemaDocument.markdown()
        for field in FlowRecord.fields {
            #expect(markdown.contains("| `\(field.name)` |"))
        }
    }
}

import Foundation
import Testing
@testable import HydrantStream

@Suite struct HostileDocumentTests {
    @Test(arguments: ["", "   \n", "# only a comment\n", "---\n"])
    func emptyDocuments(yaml: String) {
        let found = errors(yaml)
        #expect(found.count == 1)
        #expect([.emptyDocument, .wrongType].contains(found.first?.kind))
    }

    @Test(arguments: ["just a string", "- a\n- b\n", "42", "null"])
    func nonMappingDocuments(yaml: String) {
        let found = errors(yaml)
        #expect([.wrongType, .emptyDocument].contains(found.first?.kind))
    }

    @Test func invalidYAMLHasALine() {
        let found = errors("streams:\n  - name: [unclosed\n")
        #expect(found.first?.kind == .syntax)
        #expect(found.first?.line != nil)
    }

    @Test func tooLargeDocument() {
        let yaml = stream() + "\n" + String(repeating: "# padding padding padding\n", count: 50_000)
        #expect(errors(yaml).first?.kind == .tooLarge)
        let data = Data(yaml.utf8)
        #expect(throws: ConfigurationErrors.self) { try ConfigurationLoader(environment: [:]).parse(data, file: "x.yaml") }
    }

    @Test func invalidUTF8() {
        #expect(throws: ConfigurationErrors.self) {
            try ConfigurationLoader(environment: [:]).parse(Data([0x73, 0x3A, 0x20, 0xFF, 0xFE]), file: "x.yaml")
        }
    }

    @Test func deepFlowNesting() {
        let yaml = "streams: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(errors(yaml).first?.kind == .tooDeep)
    }

    @Test func deepBlockSequenceNesting() {
        let yaml = "streams:\n" + String(repeating: "- ", count: 100_000) + "x\n"
        #expect(errors(yaml).first?.kind == .tooDeep)
    }

    @Test func deepIndentation() {
        var yaml = "streams:\n"
        for depth in 1...200 { yaml += String(repeating: " ", count: depth) + "k\(depth):\n" }
        #expect(errors(yaml).first?.kind == .tooDeep)
    }

    @Test func billionLaughs() {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = "*a\(level - 1)"
            yaml += "a\(level): &a\(level) [\(Array(repeating: previous, count: 9).joined(separator: ", "))]\n"
        }
        yaml += "streams: *a9\n"
        let found = errors(yaml)
        #expect(found.first?.kind == .aliasNotAllowed)
        #expect(found.first?.line == 1)
    }

    @Test func aliasedComplexKeys() {
        let yaml = "x: &x [a, b]\nstreams:\n  - ? *x\n    : 1\n"
        #expect(errors(yaml).first?.kind == .aliasNotAllowed)
    }

    @Test func starsAndAmpersandsInsideValuesAreFine() throws {
        let yaml = """
            storage: {dir: "./a*b&c"}
            streams:
              - name: s   # a comment with *star and &amp
                destination:
                  file: {root: ./x&y*z}
                error_output_prefix: 'it''s/!{firehose:error-output-type}/'
            """
        let configuration = try load(yaml)
        #expect(configuration.storage.dir == "./a*b&c")
        #expect(configuration.streams.first?.destination == .file(FileDestination(root: "./x&y*z")))
    }

    @Test func multipleDocumentsAreRefused() {
        #expect(errors(stream() + "\n---\nstreams: []\n").first?.kind == .syntax)
    }

    @Test func manyStreamsStayFast() throws {
        var yaml = "streams:\n"
        for index in 0..<2000 { yaml += "  - {name: s\(index), destination: {file: {root: ./lake}}}\n" }
        let start = ContinuousClock.now
        #expect(try load(yaml).streams.count == 2000)
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func errorCountIsCapped() {
        var yaml = "streams:\n"
        for index in 0..<500 { yaml += "  - {name: s\(index), destination: {file: {root: ./lake}}, bogus: 1}\n" }
        #expect(errors(yaml).count == ConfigurationLoader.maximumReportedErrors)
    }

    @Test func nulCharacter() {
        #expect(errors("streams: \u{0}\n").first?.kind == .syntax)
    }
}

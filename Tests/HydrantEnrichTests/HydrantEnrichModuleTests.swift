import Testing
@testable import HydrantEnrich

@Suite struct HydrantEnrichModuleTests {
    /// The module links; real tests live beside this file.
    @Test func moduleLinks() { #expect(String(describing: EnrichModule.self).hasSuffix("Module")) }
}

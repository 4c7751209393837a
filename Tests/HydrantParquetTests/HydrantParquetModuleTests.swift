import Testing
@testable import HydrantParquet

@Suite struct HydrantParquetModuleTests {
    /// The module links; real tests live beside this file.
    @Test func moduleLinks() { #expect(String(describing: ParquetModule.self).hasSuffix("Module")) }
}

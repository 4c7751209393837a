import Testing
@testable import HydrantDetect

@Suite struct HydrantDetectModuleTests {
    /// The module links; real tests live beside this file.
    @Test func moduleLinks() { #expect(String(describing: DetectModule.self).hasSuffix("Module")) }
}

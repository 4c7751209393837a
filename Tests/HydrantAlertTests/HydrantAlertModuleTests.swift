import Testing
@testable import HydrantAlert

@Suite struct HydrantAlertModuleTests {
    /// The module links; real tests live beside this file.
    @Test func moduleLinks() { #expect(String(describing: AlertModule.self).hasSuffix("Module")) }
}

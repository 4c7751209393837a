import Testing
@testable import HydrantFlowLogs

@Suite struct HydrantFlowLogsModuleTests {
    /// The module links; real tests live beside this file.
    @Test func moduleLinks() { #expect(String(describing: FlowLogsModule.self).hasSuffix("Module")) }
}

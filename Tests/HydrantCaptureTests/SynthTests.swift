import Testing
@testable import HydrantCapture

@Suite struct SynthTests {
    @Test func placeholder() {}
}

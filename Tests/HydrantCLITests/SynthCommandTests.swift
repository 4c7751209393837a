import Testing

@Suite struct SynthCommandTests {
    @Test func placeholder() {}
}

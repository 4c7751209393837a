import Testing
@testable import HydrantRecords

@Suite struct TimestampTests {
    @Test func formatsEpochAndFractions() {
        #expect(Timestamp.zero.rfc3339 == "1970-01-01T00:00:00.000000000Z")
        #expect(Timestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789).rfc3339 == "2023-11-14T22:13:20.123456789Z")
    }

    @Test func formatsLeapDayAndNegativeTimes() {
        // 2024-02-29T12:00:00Z
        #expect(Timestamp(seconds: 1_709_208_000, nanoseconds: 0).rfc3339 == "2024-02-29T12:00:00.000000000Z")
        #expect(Timestamp(nanoseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999999Z")
    }
}

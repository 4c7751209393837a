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

@Suite struct DecimalDigitsTests {
    @Test(arguments: [(Int64(0), 1, "0"), (7, 1, "7"), (7, 2, "07"), (1234, 2, "1234"), (-5, 1, "-5"),
                      (Int64.max, 1, "9223372036854775807"), (Int64.min, 1, "-9223372036854775808"), (42, 9, "000000042")])
    func writesDecimalDigits(value: Int64, width: Int, expected: String) {
        var out: [UInt8] = []
        appendDigits(value, width: width, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test func formatsTheExtremesOfTime() {
        // Absurd capture timestamps must still format (and never trap).
        #expect(!Timestamp(nanoseconds: .max).rfc3339.isEmpty)
        #expect(!Timestamp(nanoseconds: .min).rfc3339.isEmpty)
    }
}

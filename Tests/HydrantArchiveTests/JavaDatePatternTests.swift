import HydrantRecords
import Testing
@testable import HydrantArchive

@Suite struct JavaDatePatternTests {
    @Test(arguments: [
        ("yyyy", "2018"), ("yy", "18"), ("MM", "08"), ("dd", "27"), ("HH", "10"), ("mm", "30"), ("ss", "05"), ("SSS", "123"),
    ])
    func formatsEachField(pattern: String, expected: String) throws {
        #expect(try JavaDatePattern(pattern).format(guideTime) == expected)
    }

    /// Every pattern the Firehose reference uses in an example, and the ones Hydrant's defaults use.
    @Test(arguments: [
        ("yyyy", "2018"),
        ("yyyy/MM/dd", "2018/08/27"),
        ("yyyy/MM/dd/HH", "2018/08/27/10"),
        ("yyyy/MM/dd/HH/", "2018/08/27/10/"),
        ("dd", "27"),
        ("yyyy-MM-dd", "2018-08-27"),
        ("HH", "10"),
        ("yyyy-MM-dd-HH-mm-ss", "2018-08-27-10-30-05"),
    ])
    func formatsReferencePatterns(pattern: String, expected: String) throws {
        #expect(try JavaDatePattern(pattern).format(guideTime) == expected)
    }

    @Test(arguments: [
        ("'year='yyyy", "year=2018"),
        ("yyyy'T'HH", "2018T10"),
        ("'it''s'", "it's"),
        ("''yyyy", "'2018"),
        ("'a/b [c]'", "a/b [c]"),
        ("yyyy_MM.dd=HH:mm", "2018_08.27=10:30"),
        ("'hour'=HH", "hour=10"),
    ])
    func quotedTextAndSeparatorsAreLiteral(pattern: String, expected: String) throws {
        #expect(try JavaDatePattern(pattern).format(guideTime) == expected)
    }

    @Test func formatsInstantsBeforeTheEpochInUTC() throws {
        let pattern = try JavaDatePattern("yyyy-MM-dd HH:mm:ss.SSS")
        #expect(pattern.format(Timestamp(nanoseconds: -1)) == "1969-12-31 23:59:59.999")
        #expect(pattern.format(.zero) == "1970-01-01 00:00:00.000")
        #expect(pattern.format(Timestamp(seconds: 951_782_400, nanoseconds: 0)) == "2000-02-29 00:00:00.000")
    }

    @Test(arguments: [
        ("yyyy-MM-ddTHH", JavaDatePatternError.unsupportedLetter("T", position: 11)),
        ("YYYY", .unsupportedLetter("Y", position: 1)),
        ("yyyy/DDD", .unsupportedLetter("D", position: 6)),
        ("yyy", .unsupportedWidth(letter: "y", count: 3, position: 1)),
        ("yyyy/M", .unsupportedWidth(letter: "M", count: 1, position: 6)),
        ("yyyy'abc", .unterminatedQuote(position: 5)),
        ("[yyyy]", .reservedCharacter("[", position: 1)),
        ("", .empty),
    ])
    func refusesWhatItDoesNotSupport(pattern: String, expected: JavaDatePatternError) {
        #expect(throws: expected) { try JavaDatePattern(pattern) }
    }

    @Test func errorNamesTheLetterThePositionAndTheAllowedLetters() {
        let error = JavaDatePatternError.unsupportedLetter("T", position: 11)
        #expect(error.description.contains("'T'"))
        #expect(error.description.contains("position 11"))
        #expect(error.description.contains("yyyy, yy, MM, dd, HH, mm, ss, SSS"))
    }

    @Test("the period over which a pattern's text cannot change", arguments: [
        ("yyyy-MM-dd", Int64(86_400_000_000_000)), ("HH", 3_600_000_000_000), ("yyyy/MM/dd/HH/mm", 60_000_000_000),
        ("ss", 1_000_000_000), ("yyyy", 86_400_000_000_000), ("'literal'", 86_400_000_000_000),
    ])
    func periods(pattern: String, period: Int64) throws {
        #expect(try JavaDatePattern(pattern).periodNanoseconds == period)
    }

    @Test func millisecondsHaveNoPeriod() throws {
        #expect(try JavaDatePattern("HH:mm:ss.SSS").periodNanoseconds == nil)
    }
}

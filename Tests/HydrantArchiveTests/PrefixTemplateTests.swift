import HydrantRecords
import Testing
@testable import HydrantArchive
import HydrantTestSupport

@Suite struct PrefixTemplateTests {
    private func evaluate(_ template: PrefixTemplate, eventTime: Timestamp? = nil, keys: [String: String] = [:],
                          errorOutputType: String? = nil, seed: UInt64 = 1) throws -> String {
        var random = SeededGenerator(seed: seed)
        return try template.evaluate(arrival: guideTime, eventTime: eventTime, partitionKeys: keys,
                                     errorOutputType: errorOutputType, random: &random)
    }

    // MARK: Expressions

    @Test func literalTextIsCopied() throws {
        let template = try PrefixTemplate("logs/raw/")
        #expect(template.parts == [.literal("logs/raw/")])
        #expect(!template.hasExpressions)
        #expect(try evaluate(template) == "logs/raw/")
    }

    @Test func timestampIsTheArrivalTimeAndEventTimeTheRecordsTime() throws {
        let template = try PrefixTemplate("a=!{timestamp:yyyy-MM-dd-HH}/e=!{eventTime:yyyy-MM-dd-HH}/")
        let eventTime = Timestamp(seconds: 1_700_000_000, nanoseconds: 0)
        #expect(try evaluate(template, eventTime: eventTime) == "a=2018-08-27-10/e=2023-11-14-22/")
        #expect(template.usesTimestamp && template.usesEventTime)
    }

    @Test func guideWorkedExampleWithRandomString() throws {
        let template = try PrefixTemplate("myFirehose/DeliveredYear=!{timestamp:yyyy}/anyMonth/rand=!{firehose:random-string}")
        let result = try evaluate(template)
        let head = "myFirehose/DeliveredYear=2018/anyMonth/rand="
        #expect(result.hasPrefix(head))
        let random = result.dropFirst(head.count)
        #expect(random.count == 11)
        #expect(random.unicodeScalars.allSatisfy { PrefixTemplate.randomStringAlphabet.contains($0) })
    }

    /// The guide prints `…/anyMonth/10` for `!{timestamp:dd}` at 10:30 on the 27th; `dd` is the day, so 27 is right.
    @Test func guideWorkedErrorOutputExample() throws {
        let template = try PrefixTemplate(
            "myFirehoseFailures/!{firehose:error-output-type}/!{timestamp:yyyy}/anyMonth/!{timestamp:dd}",
            kind: .errorOutputPrefix)
        #expect(try evaluate(template, errorOutputType: "processing-failed") == "myFirehoseFailures/processing-failed/2018/anyMonth/27")
        var random = SeededGenerator(seed: 3)
        #expect(try template.evaluate(arrival: guideTime, errorOutputType: .partitioningFailed, random: &random)
            == "myFirehoseFailures/partitioning-failed/2018/anyMonth/27")
    }

    @Test func guideDynamicPartitioningExample() throws {
        let template = try PrefixTemplate(
            "customer_id=!{partitionKeyFromQuery:customer_id}/year=!{partitionKeyFromQuery:year}/",
            declaredKeys: ["customer_id", "year"])
        #expect(template.partitionKeys == ["customer_id", "year"])
        #expect(try evaluate(template, keys: ["customer_id": "1234567890", "year": "2019"]) == "customer_id=1234567890/year=2019/")
    }

    @Test func randomStringIsFreshPerOccurrenceWithElevenCharactersOfTheAlphabet() throws {
        let template = try PrefixTemplate("!{firehose:random-string}/!{firehose:random-string}/")
        let segments = try evaluate(template).split(separator: "/")
        #expect(segments.count == 2)
        #expect(segments[0] != segments[1])
        for segment in segments {
            #expect(segment.count == PrefixTemplate.randomStringLength)
            #expect(segment.allSatisfy { "0123456789abcdef".contains($0) })
        }
        #expect(try evaluate(template, seed: 7) == evaluate(template, seed: 7), "the generator is injectable")
        #expect(try evaluate(template, seed: 7) != evaluate(template, seed: 8))
        // Over many draws every character of the alphabet appears and nothing else does.
        var random = SeededGenerator(seed: 42)
        var seen = Set<Character>()
        for _ in 0..<200 {
            let value = try template.evaluate(arrival: guideTime, eventTime: nil, partitionKeys: [:], errorOutputType: nil,
                                              random: &random)
            seen.formUnion(value.filter { $0 != "/" })
        }
        #expect(seen == Set("0123456789abcdef"))
    }

    @Test(arguments: ErrorOutputType.allCases)
    func errorOutputTypeIsWrittenAsGiven(type: ErrorOutputType) throws {
        let template = try PrefixTemplate("errors/!{firehose:error-output-type}/", kind: .errorOutputPrefix)
        #expect(try evaluate(template, errorOutputType: type.rawValue) == "errors/\(type.rawValue)/")
    }

    @Test func errorOutputTypeValues() {
        #expect(ErrorOutputType.allCases.map(\.rawValue).contains("processing-failed"))
        #expect(ErrorOutputType.allCases.map(\.rawValue).contains("format-conversion-failed"))
        #expect(ErrorOutputType.allCases.map(\.rawValue).contains("partitioning-failed"))
    }

    // MARK: Hydrant's default

    @Test func defaultPrefixOnAFlowRecord() throws {
        let flow = FlowRecord(start: Timestamp(seconds: 1_700_000_000, nanoseconds: 5),
                              end: Timestamp(seconds: 1_700_000_002, nanoseconds: 0), action: .end,
                              sourceIP: try #require(IPAddress("10.0.0.1")), sourcePort: 51000,
                              destinationIP: try #require(IPAddress("2001:db8::2")), destinationPort: 443, ianaNumber: 6)
        let field = try #require(FlowRecord.field(named: "event.dataset"))
        guard case .string(let dataset) = field.read(flow) else {
            Issue.record("event.dataset is not a string")
            return
        }
        let template = try PrefixTemplate(PrefixTemplate.defaultPrefix, declaredKeys: PrefixTemplate.defaultPartitionKeys)
        #expect(try evaluate(template, eventTime: flow.timestamp, keys: ["dataset": dataset])
            == "network.flow/dt=2023-11-14/hour=22/")
    }

    @Test func defaultPrefixNeedsAnErrorOutputPrefixWithTheErrorType() throws {
        let prefix = try PrefixTemplate(PrefixTemplate.defaultPrefix, declaredKeys: PrefixTemplate.defaultPartitionKeys)
        #expect(throws: PrefixTemplateError.errorOutputPrefixRequired) {
            try PrefixTemplate.validate(prefix: prefix, errorOutputPrefix: nil)
        }
        let withoutType = try PrefixTemplate("errors/", kind: .errorOutputPrefix)
        #expect(throws: PrefixTemplateError.errorOutputTypeRequired) {
            try PrefixTemplate.validate(prefix: prefix, errorOutputPrefix: withoutType)
        }
        let good = try PrefixTemplate("errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/", kind: .errorOutputPrefix)
        try PrefixTemplate.validate(prefix: prefix, errorOutputPrefix: good)
        try PrefixTemplate.validate(prefix: PrefixTemplate("plain/"), errorOutputPrefix: nil)
    }

    @Test func firehoseAppendsTheHourlyTimestampToAPrefixWithoutOne() throws {
        #expect(try evaluate(PrefixTemplate("myFirehosePrefix/").withFirehoseDefaultTimestamp()) == "myFirehosePrefix/2018/08/27/10/")
        #expect(try evaluate(PrefixTemplate("").withFirehoseDefaultTimestamp()) == "2018/08/27/10/")
        let timed = try PrefixTemplate("x/!{timestamp:yyyy}/")
        #expect(timed.withFirehoseDefaultTimestamp() == timed)
        let partitioned = try PrefixTemplate("k=!{partitionKeyFromQuery:k}/", declaredKeys: ["k"])
        #expect(partitioned.withFirehoseDefaultTimestamp() == partitioned)
    }

    @Test func firehoseDefaultErrorOutputPrefixFollowsAPlainPrefix() throws {
        let errors = try #require(try PrefixTemplate("myFirehosePrefix/").firehoseDefaultErrorOutputPrefix())
        #expect(errors.kind == .errorOutputPrefix)
        #expect(try evaluate(errors, errorOutputType: "processing-failed") == "myFirehosePrefix/processing-failed/2018/08/27/10/")
        #expect(errors == (try PrefixTemplate(errors.source, kind: .errorOutputPrefix)))
        let partitioned = try PrefixTemplate(PrefixTemplate.defaultPrefix, declaredKeys: PrefixTemplate.defaultPartitionKeys)
        #expect(partitioned.firehoseDefaultErrorOutputPrefix() == nil)
    }

    // MARK: Parse errors, with columns

    @Test(arguments: [
        ("a/!{foo:bar}", PrefixTemplateError.unknownNamespace("foo", column: 3)),
        ("x!{timestamp:yyyy", .unterminatedExpression(column: 2)),
        ("!{timestamp:}", .emptyKey(namespace: "timestamp", column: 1)),
        ("ab!{partitionKeyFromQuery:}", .emptyKey(namespace: "partitionKeyFromQuery", column: 3)),
        ("!{}", .emptyExpression(column: 1)),
        ("p/!{timestamp}", .missingColon(expression: "timestamp", column: 3)),
        ("!{:yyyy}", .emptyNamespace(column: 1)),
        ("dt=!{timestamp:yyyy-MM-ddTHH}", .badPattern(.unsupportedLetter("T", position: 11), column: 26)),
        ("!{timestamp:!{x}}", .nestedExpression(column: 13)),
        ("!{firehose:uuid}", .unknownFirehoseKey("uuid", column: 1)),
        ("!{partitionKeyFromLambda:id}", .unsupportedNamespace("partitionKeyFromLambda", column: 1)),
        ("k=!{partitionKeyFromQuery:customer}", .undeclaredKey("customer", declared: [], column: 3)),
        ("a/../b/", .dotSegment(column: 3)),
        ("./b/", .dotSegment(column: 1)),
    ])
    func parseErrorsSayWhereAndWhat(text: String, expected: PrefixTemplateError) {
        #expect(throws: expected) { try PrefixTemplate(text) }
        #expect(expected.column != nil)
        #expect(expected.description.hasPrefix("column \(expected.column ?? 0):"))
    }

    @Test func errorOutputTypeIsOnlyAllowedInTheErrorOutputPrefix() {
        #expect(throws: PrefixTemplateError.notAllowed(expression: "firehose:error-output-type", kind: .prefix,
                                                       reason: "error-output-type is only allowed in ErrorOutputPrefix", column: 5)) {
            try PrefixTemplate("out/!{firehose:error-output-type}/")
        }
    }

    @Test func partitionKeysAndEventTimeAreNotAllowedInTheErrorOutputPrefix() {
        do throws(PrefixTemplateError) {
            _ = try PrefixTemplate("e/!{partitionKeyFromQuery:dataset}/", kind: .errorOutputPrefix, declaredKeys: ["dataset"])
            Issue.record("accepted a partition key in an error output prefix")
        } catch {
            guard case .notAllowed(_, .errorOutputPrefix, _, 3) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(error.description.contains("not allowed in ErrorOutputPrefix"))
        }
        do throws(PrefixTemplateError) {
            _ = try PrefixTemplate("e/!{eventTime:yyyy}/", kind: .errorOutputPrefix)
            Issue.record("accepted eventTime in an error output prefix")
        } catch {
            guard case .notAllowed(_, .errorOutputPrefix, _, 3) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        #expect(throws: Never.self) { try PrefixTemplate("e/!{firehose:random-string}/", kind: .errorOutputPrefix) }
    }

    @Test func undeclaredKeyListsTheDeclaredOnes() {
        let error = PrefixTemplateError.undeclaredKey("customer", declared: ["dataset", "year"], column: 3)
        #expect(throws: error) { try PrefixTemplate("k=!{partitionKeyFromQuery:customer}", declaredKeys: ["year", "dataset"]) }
        #expect(error.description.contains("declared keys: dataset, year"))
    }

    @Test func templatesOver1024CharactersAreRefused() {
        #expect(throws: PrefixTemplateError.templateTooLong(length: 1025)) { try PrefixTemplate(String(repeating: "a", count: 1025)) }
    }

    // MARK: Evaluation errors

    @Test func evaluationErrors() throws {
        let byEvent = try PrefixTemplate("!{eventTime:yyyy}/")
        #expect(throws: PrefixTemplateError.missingEventTime) { try evaluate(byEvent) }

        let byKey = try PrefixTemplate("!{partitionKeyFromQuery:dataset}/", declaredKeys: ["dataset"])
        #expect(throws: PrefixTemplateError.missingPartitionKey("dataset")) { try evaluate(byKey) }
        #expect(throws: PrefixTemplateError.unsafePartitionValue(key: "dataset", .dotSegment)) {
            try evaluate(byKey, keys: ["dataset": ".."])
        }

        let errors = try PrefixTemplate("!{firehose:error-output-type}/", kind: .errorOutputPrefix)
        #expect(throws: PrefixTemplateError.missingErrorOutputType) { try evaluate(errors) }
        #expect(throws: PrefixTemplateError.unsafeErrorOutputType(.slash(position: 2))) {
            try evaluate(errors, errorOutputType: "a/b")
        }

        let long = try PrefixTemplate(String(repeating: "p", count: 500) + "/!{partitionKeyFromQuery:k}/", declaredKeys: ["k"])
        #expect(throws: PrefixTemplateError.evaluatedPrefixTooLong(length: 522)) {
            try evaluate(long, keys: ["k": String(repeating: "v", count: 20)])
        }
        #expect(try evaluate(long, keys: ["k": "v"]).utf8.count == 503)
    }
}

import Testing
@testable import HydrantArchive
import HydrantTestSupport

@Suite struct PartitionValueTests {
    @Test(arguments: [
        ("../../etc", PartitionValueError.doubleDot(position: 1)),
        ("a/b", .slash(position: 2)),
        ("..", .dotSegment),
        (".", .dotSegment),
        ("", .empty),
        (String(repeating: "x", count: 10_240), .tooLong(length: 10_240)),
        ("a\u{0}b", .nul(position: 2)),
        ("a\nb", .controlCharacter(0x0A, position: 2)),
        ("tab\there", .controlCharacter(0x09, position: 4)),
        ("del\u{7F}", .controlCharacter(0x7F, position: 4)),
        ("line\u{2028}sep", .controlCharacter(0x2028, position: 5)),
        ("a\\b", .backslash(position: 2)),
        ("x..y", .doubleDot(position: 2)),
        ("/etc", .slash(position: 1)),
    ])
    func hostileValuesAreRefusedWithAReason(value: String, expected: PartitionValueError) {
        #expect(throws: expected) { try PartitionValue(value) }
        #expect(!expected.description.isEmpty)
    }

    @Test func reasonsAreSpecific() {
        #expect(PartitionValueError.doubleDot(position: 1).description.contains("traverse"))
        #expect(PartitionValueError.slash(position: 2).description.contains("'/'"))
        #expect(PartitionValueError.tooLong(length: 10_240).description.contains("10240 bytes"))
        #expect(PartitionValueError.tooLong(length: 10_240).description.contains("512"))
        #expect(PartitionValueError.nul(position: 2).description.contains("NUL"))
        #expect(PartitionValueError.controlCharacter(0x0A, position: 2).description.contains("U+000A"))
        #expect(PartitionValueError.empty.description.contains("empty"))
    }

    @Test(arguments: ["network.flow", "customer_id=1", "2019", "a.b.c", "日本", "-", String(repeating: "v", count: 512)])
    func ordinaryValuesAreAccepted(value: String) throws {
        #expect(try PartitionValue(value).text == value)
    }

    @Test func lengthIsCountedInUTF8Bytes() {
        // 171 three-byte characters are 513 bytes.
        #expect(throws: PartitionValueError.tooLong(length: 513)) { try PartitionValue(String(repeating: "日", count: 171)) }
    }

    @Test func hostileValuesNeverReachAnEvaluatedPrefix() throws {
        let template = try PrefixTemplate(PrefixTemplate.defaultPrefix, declaredKeys: PrefixTemplate.defaultPartitionKeys)
        for value in ["../../etc", "a/b", "..", "", String(repeating: "x", count: 10_240), "a\u{0}b", "a\nb"] {
            var random = SeededGenerator(seed: 1)
            do throws(PrefixTemplateError) {
                let prefix = try template.evaluate(arrival: guideTime, eventTime: guideTime, partitionKeys: ["dataset": value],
                                                   errorOutputType: nil, random: &random)
                Issue.record("accepted \(value.debugDescription) as \(prefix.debugDescription)")
            } catch {
                guard case .unsafePartitionValue(key: "dataset", let reason) = error else {
                    Issue.record("unexpected \(error)")
                    continue
                }
                #expect(error.description.hasPrefix("partition key 'dataset': "))
                #expect(error.description.hasSuffix(reason.description))
            }
        }
    }
}

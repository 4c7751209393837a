import HydrantRecords
import Testing
@testable import HydrantArchive
import HydrantTestSupport

@Suite struct ObjectNameTests {
    @Test func namesLikeFirehose() throws {
        let name = try ObjectName(stream: "my-delivery-stream", time: guideTime, uuid: "a9fa96af-e4e4-409f-bac3-1f804714faaa",
                                  fileExtension: ".json.gz")
        #expect(name.version == 1)
        #expect(name.description == "my-delivery-stream-1-2018-08-27-10-30-05-a9fa96af-e4e4-409f-bac3-1f804714faaa.json.gz")
    }

    @Test func versionAndExtensionForms() throws {
        let uuid = "00000000-0000-4000-8000-000000000000"
        #expect(try ObjectName(stream: "s", version: 3, time: .zero, uuid: uuid, fileExtension: "parquet").description
            == "s-3-1970-01-01-00-00-00-\(uuid).parquet")
        #expect(try ObjectName(stream: "s", time: .zero, uuid: uuid, fileExtension: "").description
            == "s-1-1970-01-01-00-00-00-\(uuid)")
    }

    @Test func randomUUIDsAreVersion4AndInjectable() throws {
        var random = SeededGenerator(seed: 9)
        let first = ObjectName.randomUUID(using: &random)
        let second = ObjectName.randomUUID(using: &random)
        #expect(first != second)
        for uuid in [first, second] {
            let characters = Array(uuid)
            #expect(characters.count == 36)
            #expect(characters[14] == "4")
            #expect("89ab".contains(characters[19]))
            #expect(uuid.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        }
        var again = SeededGenerator(seed: 9)
        let name = try ObjectName(stream: "hydrant", time: guideTime, fileExtension: ".json", random: &again)
        #expect(name.uuid == first)
    }

    @Test func refusesBadParts() {
        let uuid = "00000000-0000-4000-8000-000000000000"
        #expect(throws: ObjectNameError.invalidStreamName("a/b")) {
            try ObjectName(stream: "a/b", time: .zero, uuid: uuid, fileExtension: "")
        }
        #expect(throws: ObjectNameError.invalidStreamName("")) { try ObjectName(stream: "", time: .zero, uuid: uuid, fileExtension: "") }
        #expect(throws: ObjectNameError.invalidVersion(0)) {
            try ObjectName(stream: "s", version: 0, time: .zero, uuid: uuid, fileExtension: "")
        }
        #expect(throws: ObjectNameError.invalidUUID("../x")) { try ObjectName(stream: "s", time: .zero, uuid: "../x", fileExtension: "") }
        #expect(throws: ObjectNameError.invalidExtension(".JSON")) {
            try ObjectName(stream: "s", time: .zero, uuid: uuid, fileExtension: ".JSON")
        }
        #expect(throws: ObjectNameError.invalidExtension("/x")) { try ObjectName(stream: "s", time: .zero, uuid: uuid, fileExtension: "/x") }
        #expect(throws: ObjectNameError.invalidExtension(".")) { try ObjectName(stream: "s", time: .zero, uuid: uuid, fileExtension: ".") }
    }
}

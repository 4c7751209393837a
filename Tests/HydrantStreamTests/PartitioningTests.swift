import Foundation
import HydrantArchive
import HydrantRecords
import Testing
@testable import HydrantStream

/// Routes `records` (one frame, arrival `arrival`) through a router for `configuration`, then seals everything.
private func route(_ records: [String], configuration: StreamConfiguration,
                   arrival: Timestamp = Timestamp(parsingRFC3339: "2024-06-02T08:30:00Z") ?? .zero)
    -> (objects: [PendingObject], output: PartitionRouter.Output, router: PartitionRouter) {
    let router = PartitionRouter(configuration: configuration.streams[0])
    var output = PartitionRouter.Output()
    let frame = WALFrame(segment: 7, firstSequence: 0, arrival: arrival, records: batch(records))
    router.route([frame], now: arrival, instant: .now, into: &output)
    let objects = output.sealed + router.sealExpired(openedBefore: nil)
    return (objects, output, router)
}

private func lines(_ object: PendingObject) -> [String] {
    String(decoding: object.body, as: UTF8.self).split(separator: "\n").map(String.init)
}

/// The error records of `objects`, decoded.
private func errorRecords(_ objects: [PendingObject]) throws -> [(prefix: String, fields: [String: Any], raw: String)] {
    var found: [(String, [String: Any], String)] = []
    for object in objects where object.kind == .errorOutput {
        for line in lines(object) {
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let raw = try #require(Data(base64Encoded: fields["rawData"] as? String ?? ""))
            found.append((object.prefix, fields, String(decoding: raw, as: UTF8.self)))
        }
    }
    return found
}

@Suite("Partitioning")
struct PartitioningTests {
    @Test("the default prefix partitions by event.dataset and the @timestamp's day and hour")
    func defaultPrefix() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory)
        let records = [
            record(1, dataset: "network.flow", time: "2024-05-01T13:45:00Z"),
            record(2, dataset: "network.flow", time: "2024-05-01T13:59:59.999Z"),
            record(3, dataset: "network.flow", time: "2024-05-01T14:00:00Z"),
            record(4, dataset: "network.dns", time: "2024-05-01T15:30:00+02:00"),
            #"{"event":{"dataset":"network.flow"},"n":5}"#,
            #"{"@timestamp":"yesterday","event":{"dataset":"network.flow"},"n":6}"#,
        ]
        let (objects, output, router) = route(records, configuration: configuration)
        #expect(output.errorRecords == 0)
        #expect(router.partitionCount == 0)
        var byPrefix: [String: [String]] = [:]
        for object in objects { byPrefix[object.prefix, default: []] += lines(object) }
        #expect(byPrefix["network.flow/dt=2024-05-01/hour=13/"] == [records[0], records[1]])
        #expect(byPrefix["network.flow/dt=2024-05-01/hour=14/"] == [records[2]])
        #expect(byPrefix["network.dns/dt=2024-05-01/hour=13/"] == [records[3]])
        // No or unparsable @timestamp: the arrival time (2024-06-02T08:30Z) is the event time.
        #expect(byPrefix["network.flow/dt=2024-06-02/hour=08/"] == [records[4], records[5]])
        #expect(objects.allSatisfy { $0.kind == .data })
    }

    @Test("alternating datasets and hours, escaped spellings and bad values between good ones each land right")
    func valuesAreReusedOnlyWhenIdentical() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory)
        let records = [
            record(1, dataset: "a.b", time: "2024-05-01T13:10:00Z"),
            record(2, dataset: "a.b", time: "2024-05-01T13:20:00Z"),
            record(3, dataset: "c", time: "2024-05-01T13:30:00Z"),
            record(4, dataset: "a.b", time: "2024-05-01T14:00:00Z"),
            record(5, dataset: "a.b", time: "2024-05-01T13:59:59Z"),
            record(6, dataset: #"a.b"#, time: "2024-05-01T13:40:00Z"),
            record(7, dataset: "../x", time: "2024-05-01T13:41:00Z"),
            record(8, dataset: "a.b", time: "2024-05-01T13:42:00Z"),
            #"{"@timestamp":"2024-05-01T13:43:00Z","event":{"dataset":true},"n":9}"#,
            record(10, dataset: "true", time: "2024-05-01T13:44:00Z"),
        ]
        let (objects, output, _) = route(records, configuration: configuration)
        var byPrefix: [String: [String]] = [:]
        for object in objects where object.kind == .data { byPrefix[object.prefix, default: []] += lines(object) }
        #expect(byPrefix["a.b/dt=2024-05-01/hour=13/"] == [records[0], records[1], records[4], records[5], records[7]])
        #expect(byPrefix["a.b/dt=2024-05-01/hour=14/"] == [records[3]])
        #expect(byPrefix["c/dt=2024-05-01/hour=13/"] == [records[2]])
        #expect(byPrefix["true/dt=2024-05-01/hour=13/"] == [records[8], records[9]])
        #expect(output.errorRecords == 1)
        #expect(try errorRecords(objects).map(\.raw) == [records[6]])
    }

    @Test("unsafe or missing partition keys go to the error output, never into a path", arguments: [
        #"{"event":{"dataset":"../../etc"}}"#, #"{"event":{"dataset":"a/b"}}"#, #"{"event":{"dataset":""}}"#,
        "TEN_KB", #"{"event":{"dataset":".."}}"#,
        #"{"event":{"dataset":"a\u0000b"}}"#, #"{"event":{"dataset":"line\nbreak"}}"#, #"{"event":{"dataset":null}}"#,
        #"{"event":{}}"#, #"{"event":{"dataset":{"x":1}}}"#, #"not json"#, #"{"event":{"dataset":"x"}"#,
    ])
    func hostileKeys(hostile: String) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory)
        let good = record(1)
        // A 10 KB value, built here to keep the test's name short.
        let hostile = hostile == "TEN_KB" ? #"{"event":{"dataset":""# + String(repeating: "k", count: 10_240) + #""}}"# : hostile
        let (objects, output, _) = route([hostile, good], configuration: configuration)
        #expect(output.errorRecords == 1)
        let data = objects.filter { $0.kind == .data }
        #expect(data.map(\.prefix) == ["network.flow/dt=2024-05-01/hour=13/"])
        #expect(data.flatMap(lines) == [good])
        let errors = try errorRecords(objects)
        try #require(errors.count == 1)
        #expect(errors[0].prefix == "errors/partitioning-failed/dt=2024-06-02/")
        #expect(errors[0].raw == hostile)
        let code = errors[0].fields["errorCode"] as? String
        #expect(code == ProcessingErrorCode.metadataExtractionFailed || code == ProcessingErrorCode.partitionValueRejected)
        #expect((errors[0].fields["errorMessage"] as? String)?.contains("dataset") == true)
        #expect(errors[0].fields["arrivalTimestamp"] as? Int == 1_717_317_000_000)
        #expect(errors[0].fields["attemptsMade"] as? Int == 1)
        #expect(errors[0].fields["attemptEndingTimestamp"] is Int)
        for object in objects {
            #expect(!object.prefix.contains(".."))
            #expect(object.prefix.utf8.count <= 512)
        }
    }

    @Test("beyond max_active_partitions records go to the activePartitionExceeded error output")
    func activePartitions() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, "max_active_partitions: 2")
        let records = [record(1, dataset: "a"), record(2, dataset: "b"), record(3, dataset: "c"), record(4, dataset: "a")]
        let (objects, output, router) = route(records, configuration: configuration)
        _ = router
        #expect(output.errorRecords == 1)
        let data = objects.filter { $0.kind == .data }
        #expect(Set(data.map(\.prefix)) == ["a/dt=2024-05-01/hour=13/", "b/dt=2024-05-01/hour=13/"])
        let errors = try errorRecords(objects)
        try #require(errors.count == 1)
        #expect(errors[0].prefix == "errors/activePartitionExceeded/dt=2024-06-02/")
        #expect(errors[0].raw == records[2])
        #expect(errors[0].fields["errorCode"] as? String == ProcessingErrorCode.activePartitionsExceeded)
    }

    @Test("random strings and arrival timestamps are evaluated once per buffer and do not split it")
    func randomStringPerBuffer() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, """
        prefix: "r=!{firehose:random-string}/!{partitionKeyFromQuery:dataset}/!{timestamp:yyyy/MM/dd/HH}/"
        """)
        let (objects, _, _) = route((0..<50).map { record($0) }, configuration: configuration)
        try #require(objects.count == 1)
        let prefix = objects[0].prefix
        #expect(prefix.hasPrefix("r="))
        #expect(prefix.hasSuffix("/network.flow/2024/06/02/08/"))
        #expect(lines(objects[0]).count == 50)
    }

    @Test("deaggregation splits records into partitions, counts the extra pieces, and fails malformed ones")
    func deaggregation() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, """
        processors: [deaggregate_json, append_delimiter]
        """)
        let combined = record(1, dataset: "a") + "\n" + record(2, dataset: "b") + record(3, dataset: "a")
        let (objects, output, _) = route([combined, "[1,2]"], configuration: configuration)
        #expect(output.extraPieces == [SegmentCount(segment: 7, count: 2)])
        #expect(output.errorRecords == 1)
        let data = objects.filter { $0.kind == .data }
        let byPrefix = Dictionary(uniqueKeysWithValues: data.map { ($0.prefix, String(decoding: $0.body, as: UTF8.self)) })
        #expect(byPrefix["a/dt=2024-05-01/hour=13/"] == record(1, dataset: "a") + "\n" + record(3, dataset: "a") + "\n")
        #expect(byPrefix["b/dt=2024-05-01/hour=13/"] == record(2, dataset: "b") + "\n")
        let errors = try errorRecords(objects)
        #expect(errors.map(\.prefix) == ["errors/processing-failed/dt=2024-06-02/"])
        #expect(errors.first?.fields["errorCode"] as? String == ProcessingErrorCode.deaggregationMalformed)
        // Every piece is released once: 3 data records + 1 error record = 2 source records + 2 extra.
        #expect(objects.flatMap(\.segments).reduce(0) { $0 + $1.count } == 4)
    }

    @Test("records become JSON lines: a newline is added unless the record ends with one")
    func jsonLines() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let configuration = try streamConfiguration(in: directory, #"prefix: "plain/""#)
        let (objects, _, _) = route(["one", "two\n", "", "three"], configuration: configuration)
        try #require(objects.count == 1)
        #expect(String(decoding: objects[0].body, as: UTF8.self) == "one\ntwo\n\nthree\n")
        #expect(objects[0].prefix == "plain/2024/06/02/08/")
    }
}

import Foundation
import HydrantEnrich
import HydrantRecords
import Testing

@Suite struct TransformCodecTests {
    private let records = [
        TransformRecord(recordId: "r1", approximateArrivalTimestamp: 1_507_217_624_302, data: Array(#"{"a":1}"#.utf8)),
        TransformRecord(recordId: "r2", approximateArrivalTimestamp: 1_507_217_624_303, data: Array("x\"\n".utf8)),
        TransformRecord(recordId: "r3", approximateArrivalTimestamp: 1_507_217_624_304, data: []),
    ]
    private var ids: [String] { records.map(\.recordId) }

    private func b64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test func requestBodyFollowsTheLambdaEvent() throws {
        let body = TransformCodec.requestBody(invocationId: "inv-1", deliveryStreamArn: "arn:aws:firehose:us-east-1:1:deliverystream/s",
                                              region: "us-east-1", records: records)
        let event = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(event["invocationId"] as? String == "inv-1")
        #expect(event["region"] as? String == "us-east-1")
        let sent = try #require(event["records"] as? [[String: Any]])
        #expect(sent.count == 3)
        #expect(sent[0]["recordId"] as? String == "r1")
        #expect((sent[0]["approximateArrivalTimestamp"] as? NSNumber)?.int64Value == 1_507_217_624_302)
        #expect(Data(base64Encoded: sent[1]["data"] as? String ?? "") == Data("x\"\n".utf8))
        #expect(sent[2]["data"] as? String == "")
    }

    @Test func okDroppedAndProcessingFailedInRequestOrder() throws {
        let response = """
            {"records":[
             {"recordId":"r3","result":"ProcessingFailed","data":""},
             {"recordId":"r1","result":"Ok","data":"\(b64("new"))","metadata":{"partitionKeys":{"customerId":"123"}}},
             {"recordId":"r2","result":"Dropped","data":""}]}
            """
        let outcomes = try TransformCodec.outcomes(response: Array(response.utf8), requestedIds: ids)
        #expect(outcomes == [.ok(data: Array("new".utf8), partitionKeys: ["customerId": "123"]), .dropped, .processingFailed])
    }

    @Test func unusableResponsesAreTypedFailures() {
        let cases: [(String, String)] = [
            (#"{"records":[{"recordId":"r1","result":"Ok","data":""},{"recordId":"r2","result":"Ok","data":""}]}"#,
             TransformResponseError.missingRecordId),
            (#"{"records":[{"recordId":"r1","result":"Ok","data":""},{"recordId":"r1","result":"Ok","data":""},{"recordId":"r2","result":"Ok","data":""},{"recordId":"r3","result":"Ok","data":""}]}"#,
             TransformResponseError.duplicatedRecordId),
            ("not json", TransformResponseError.jsonProcessing),
            (#"{"recods":[]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"result":"Ok","data":""}]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"recordId":"r1","result":"Ok"}]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"recordId":"r1","result":"Fine","data":""}]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"recordId":"r1","result":"Ok","data":"***"}]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"recordId":"zz","result":"Ok","data":""}]}"#, TransformResponseError.jsonProcessing),
            (#"{"records":[{"recordId":"r1","result":"Ok","data":"","metadata":{"partitionKeys":{"k":1}}}]}"#,
             TransformResponseError.jsonProcessing),
        ]
        for (body, code) in cases {
            do {
                _ = try TransformCodec.outcomes(response: Array(body.utf8), requestedIds: ids)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.code == code, "\(body): \(error)")
            }
        }
    }

    /// The sample transform in examples/ answers the codec's request in a way the codec accepts.
    @Test func sampleTransformHonoursTheContract() throws {
        let script = EnrichTestSupport.packageRoot.appendingPathComponent("examples/transform.py")
        let input = [
            TransformRecord(recordId: "a", approximateArrivalTimestamp: 1, data: Array(#"{"event":{"dataset":"network.flow"}}"#.utf8)),
            TransformRecord(recordId: "b", approximateArrivalTimestamp: 2, data: Array(#"{"dns":{"question":{"name":"printer.local"}}}"#.utf8)),
            TransformRecord(recordId: "c", approximateArrivalTimestamp: 3, data: Array("not json".utf8)),
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--stdin"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(TransformCodec.requestBody(invocationId: "i", deliveryStreamArn: "arn",
                                                                         region: "r", records: input)))
        try stdin.fileHandleForWriting.close()
        let reply = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let outcomes = try TransformCodec.outcomes(response: [UInt8](reply), requestedIds: ["a", "b", "c"])
        guard case .ok(let data, let keys) = outcomes[0] else {
            Issue.record("a was not Ok: \(outcomes[0])")
            return
        }
        #expect(keys == ["dataset": "network.flow"])
        #expect(String(decoding: data, as: UTF8.self).contains("transformed_by"))
        #expect(outcomes[1] == .dropped)
        #expect(outcomes[2] == .processingFailed)
    }
}

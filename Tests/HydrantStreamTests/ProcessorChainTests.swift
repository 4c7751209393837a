import Testing
@testable import HydrantStream

/// The output records of `record` through `processors`, as strings, or the failure.
private func process(_ record: String, _ processors: [ProcessorConfiguration]) -> Result<[String], ProcessorChain.Failure> {
    let chain = ProcessorChain(processors)
    let bytes = Array(record.utf8)
    var pieces: [Range<Int>] = []
    do {
        try bytes.withUnsafeBufferPointer { buffer throws(ProcessorChain.Failure) in try chain.process(buffer, into: &pieces) }
    } catch {
        return .failure(error)
    }
    return .success(pieces.map { String(decoding: bytes[$0], as: UTF8.self) })
}

@Suite("Processor chain")
struct ProcessorChainTests {
    @Test("without deaggregation a record passes whole")
    func passThrough() throws {
        #expect(try process("not json at all", []).get() == ["not json at all"])
        #expect(try process(#"{"a":1}{"a":2}"#, [.appendDelimiter]).get() == [#"{"a":1}{"a":2}"#])
    }

    @Test("concatenated and newline-separated objects are split")
    func splits() throws {
        #expect(try process(#"{"a":1}{"a":2}"#, [.deaggregateJSON]).get() == [#"{"a":1}"#, #"{"a":2}"#])
        #expect(try process("{\"a\":1}\n{\"b\":{\"c\":\"}{\"}}\r\n  {}\n", [.deaggregateJSON]).get()
                == [#"{"a":1}"#, #"{"b":{"c":"}{"}}"#, "{}"])
    }

    @Test("arrays, bare values, broken JSON and empty records fail as malformed", arguments: [
        #"[{"a":1}]"#, #"{"a":1} 42"#, #"{"a":1"#, "", "  \n ", #"{"a":1}garbage"#,
    ])
    func malformed(record: String) {
        guard case .failure(let failure) = process(record, [.deaggregateJSON]) else {
            Issue.record("expected a failure for \(record)")
            return
        }
        #expect(failure.code == ProcessingErrorCode.deaggregationMalformed)
    }

    @Test("at most 500 sub-records")
    func limit() throws {
        #expect(try process(String(repeating: "{}", count: 500), [.deaggregateJSON]).get().count == 500)
        guard case .failure(let failure) = process(String(repeating: "{}", count: 501), [.deaggregateJSON]) else {
            Issue.record("501 objects were accepted")
            return
        }
        #expect(failure.code == ProcessingErrorCode.deaggregationTooManyRecords)
    }
}

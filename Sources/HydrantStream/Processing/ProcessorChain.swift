import HydrantRecords

/// A stream's processors applied to one source record at a time, without copying it: the result is the byte
/// ranges of the output records within the source, and whether each gets a newline appended.
///
/// `deaggregate_json` splits a record of concatenated or newline-separated JSON objects (`{"a":1}{"a":2}`,
/// `{"a":1}\n{"a":2}`) into one record per object, at most 500 (Firehose's limit); anything else (an array, a bare
/// value, broken JSON, more objects) fails the whole record, which goes to the error output.
/// `append_delimiter` ends every output record with `\n`, as Firehose's `AppendDelimiterToRecord` does.
public struct ProcessorChain: Sendable {
    /// Firehose's limit of sub-records per record.
    public static let maximumSubRecords = 500

    /// Why a record failed processing.
    public struct Failure: Error, Hashable, Sendable {
        /// The error output `errorCode`.
        public let code: String
        /// The error output `errorMessage`.
        public let message: String
    }

    /// Whether records are split into JSON objects.
    public let deaggregates: Bool
    /// Whether a newline is appended to each output record.
    public let appendsDelimiter: Bool

    /// The chain for `processors`, in order (each kind applies once; their order does not change the outcome).
    public init(_ processors: [ProcessorConfiguration]) {
        deaggregates = processors.contains(.deaggregateJSON)
        appendsDelimiter = processors.contains(.appendDelimiter)
    }

    /// Whether the chain does nothing.
    public var isEmpty: Bool { !deaggregates && !appendsDelimiter }

    /// Replaces `pieces` with the output records of `record` (ranges into it), or throws why it failed.
    public func process(_ record: UnsafeBufferPointer<UInt8>, into pieces: inout [Range<Int>]) throws(Failure) {
        pieces.removeAll(keepingCapacity: true)
        guard deaggregates else {
            pieces.append(0..<record.count)
            return
        }
        var index = 0
        while true {
            while index < record.count, JSONScanner.isWhitespace(record[index]) { index += 1 }
            guard index < record.count else { break }
            guard record[index] == UInt8(ascii: "{") else {
                throw Failure(code: ProcessingErrorCode.deaggregationMalformed,
                              message: "byte \(index + 1) does not start a JSON object; deaggregate_json takes "
                                + "concatenated or newline-separated JSON objects")
            }
            guard let end = JSONScanner.endOfValue(in: record, from: index) else {
                throw Failure(code: ProcessingErrorCode.deaggregationMalformed,
                              message: "the JSON object starting at byte \(index + 1) is malformed, unterminated or "
                                + "nested deeper than \(JSONScanner.defaultMaximumDepth) levels")
            }
            guard pieces.count < Self.maximumSubRecords else {
                throw Failure(code: ProcessingErrorCode.deaggregationTooManyRecords,
                              message: "the record holds more than \(Self.maximumSubRecords) JSON objects")
            }
            pieces.append(index..<end)
            index = end
        }
        if pieces.isEmpty {
            throw Failure(code: ProcessingErrorCode.deaggregationMalformed, message: "the record holds no JSON object")
        }
    }
}

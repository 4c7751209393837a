import HydrantRecords

extension PrefixTemplate {
    /// Evaluates the template for one object (or one record when partitioning).
    ///
    /// - Parameters:
    ///   - arrival: the arrival time of the oldest record in the object, for `!{timestamp:…}`.
    ///   - eventTime: the record's event time, for `!{eventTime:…}`; nil when unknown.
    ///   - partitionKeys: the record's partition key values, for `!{partitionKeyFromQuery:…}`.
    ///   - transformKeys: the keys an external transform returned for the record, for `!{partitionKeyFromLambda:…}`.
    ///   - errorOutputType: the failure kind, for `!{firehose:error-output-type}` (e.g. `processing-failed`).
    ///   - random: the source of `!{firehose:random-string}`'s characters.
    /// - Returns: the evaluated prefix.
    /// - Throws: a missing or unsafe value, or an evaluated prefix over 512 bytes; the caller routes the record to the
    ///   error output with the error's description.
    public func evaluate(arrival: Timestamp, eventTime: Timestamp?, partitionKeys: [String: String],
                         transformKeys: [String: String] = [:], errorOutputType: String?,
                         random: inout some RandomNumberGenerator) throws(PrefixTemplateError) -> String {
        var out = ""
        out.reserveCapacity(min(source.utf8.count + 32, Self.maximumEvaluatedLength))
        for part in parts {
            switch part {
            case .literal(let text):
                out.append(text)
            case .timestamp(let pattern):
                pattern.append(arrival, to: &out)
            case .eventTime(let pattern):
                guard let eventTime else { throw .missingEventTime }
                pattern.append(eventTime, to: &out)
            case .randomString:
                let alphabet = Self.randomStringAlphabet
                for _ in 0..<Self.randomStringLength {
                    out.unicodeScalars.append(alphabet[Int(random.next(upperBound: UInt(alphabet.count)))])
                }
            case .errorOutputType:
                guard let errorOutputType else { throw .missingErrorOutputType }
                do {
                    try PartitionValue.validate(errorOutputType)
                } catch {
                    throw .unsafeErrorOutputType(error)
                }
                out.append(errorOutputType)
            case .partitionKey(let name):
                guard let value = partitionKeys[name] else { throw .missingPartitionKey(name) }
                do {
                    try PartitionValue.validate(value)
                } catch {
                    throw .unsafePartitionValue(key: name, error)
                }
                out.append(value)
            case .transformPartitionKey(let name):
                guard let value = transformKeys[name] else { throw .missingPartitionKey(name) }
                do {
                    try PartitionValue.validate(value)
                } catch {
                    throw .unsafePartitionValue(key: name, error)
                }
                out.append(value)
            }
        }
        let length = out.utf8.count
        if length > Self.maximumEvaluatedLength { throw .evaluatedPrefixTooLong(length: length) }
        return out
    }

    /// Evaluates the template with the system's random number generator for `!{firehose:random-string}`.
    public func evaluate(arrival: Timestamp, eventTime: Timestamp?, partitionKeys: [String: String] = [:],
                         errorOutputType: String? = nil) throws(PrefixTemplateError) -> String {
        var random = SystemRandomNumberGenerator()
        return try evaluate(arrival: arrival, eventTime: eventTime, partitionKeys: partitionKeys,
                            errorOutputType: errorOutputType, random: &random)
    }

    /// Evaluates an error output prefix for a failure of a known kind.
    public func evaluate(arrival: Timestamp, errorOutputType: ErrorOutputType,
                         random: inout some RandomNumberGenerator) throws(PrefixTemplateError) -> String {
        try evaluate(arrival: arrival, eventTime: nil, partitionKeys: [:], errorOutputType: errorOutputType.rawValue,
                     random: &random)
    }
}

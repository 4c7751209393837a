#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HydrantArchive
import HydrantRecords

/// Reads a record's partition keys and event time and builds the key of the buffer the record belongs to.
///
/// The buffer key holds what distinguishes partitions: the values of the prefix's `!{partitionKeyFromQuery:…}`
/// keys and the record's event time as the prefix's `!{eventTime:…}` patterns format it. `!{timestamp:…}` (the
/// arrival time of a buffer's oldest record) and `!{firehose:random-string}` are evaluated once when a buffer opens,
/// so they do not split buffers.
///
/// Event time is the record's top-level `@timestamp` (RFC 3339); a record without one, or with one that does not
/// parse, uses its arrival time instead.
struct PartitionEvaluator {
    /// Why a record cannot be partitioned.
    struct Failure: Error {
        let code: String
        let message: String
    }

    private let template: PrefixTemplate
    /// The scanned paths: the template's keys in order, then `@timestamp` when the template uses event time.
    private let paths: [JSONPath]
    private let keyNames: [String]
    private let timestampPath: Int?
    private var results: [JSONScalar?] = []
    /// Quote bits of the record being scanned (strings are most of a record's bytes).
    private let structuralIndex = StructuralIndex()
    private var scratch = ""
    /// Recent seconds of event times, so that a record's `@timestamp` costs its fraction digits.
    private let timeCache = RecordTimeCache()
    /// The raw bytes and kind of each key's last value: records of one partition repeat them, and an identical
    /// value need not be decoded and validated again.
    private var cachedRaw: [[UInt8]]
    private var cachedKind: [JSONScalar.Kind?]
    /// The `!{eventTime:…}` patterns of the prefix, with the period each last formatted and its text.
    private let eventPatterns: [(pattern: JavaDatePattern, period: Int64?)]
    private var cachedPeriod: [Int64?]
    private var cachedText: [[UInt8]]
    /// The key values of the last record evaluated, in `keyNames` order.
    private(set) var lastValues: [String] = []
    /// The event time of the last record evaluated.
    private(set) var lastEventTime = Timestamp.zero

    /// Whether records must be read at all (otherwise every record goes to one buffer).
    let readsRecords: Bool
    /// The prefix's `!{partitionKeyFromLambda:…}` keys.
    private let transformKeyNames: [String]
    /// The transform keys of the last record evaluated.
    private(set) var lastTransformKeys: [String: String] = [:]

    init(prefix: PrefixTemplate, keys: [PartitionKey]) {
        template = prefix
        var paths: [JSONPath] = []
        var names: [String] = []
        for name in prefix.partitionKeys {
            names.append(name)
            let key = keys.first { $0.name == name }
            // The configuration loader refuses undeclared keys; an unknown one can never match.
            paths.append(JSONPath(key?.path.components ?? ["\u{0}undeclared"]))
        }
        if prefix.usesEventTime {
            timestampPath = paths.count
            paths.append(JSONPath(["@timestamp"]))
        } else {
            timestampPath = nil
        }
        self.paths = paths
        self.keyNames = names
        self.readsRecords = !paths.isEmpty
        transformKeyNames = prefix.transformPartitionKeys
        lastValues = Array(repeating: "", count: names.count)
        cachedRaw = Array(repeating: [], count: names.count)
        cachedKind = Array(repeating: nil, count: names.count)
        var patterns: [(JavaDatePattern, Int64?)] = []
        for part in prefix.parts {
            if case .eventTime(let pattern) = part { patterns.append((pattern, pattern.periodNanoseconds)) }
        }
        eventPatterns = patterns
        cachedPeriod = Array(repeating: nil, count: patterns.count)
        cachedText = Array(repeating: [], count: patterns.count)
    }

    /// The last record's key values by name, for evaluating a new buffer's prefix.
    var lastValuesByName: [String: String] {
        var values: [String: String] = [:]
        for (index, name) in keyNames.enumerated() { values[name] = lastValues[index] }
        return values
    }

    /// Writes the buffer key of `record` into `key` (replacing it), or throws why the record cannot be partitioned.
    /// `transformKeys` are the keys an external transform returned for the record (`!{partitionKeyFromLambda:…}`).
    mutating func evaluate(_ record: UnsafeBufferPointer<UInt8>, arrival: Timestamp, transformKeys: [String: String]? = nil,
                           key: inout [UInt8]) throws(Failure) {
        key.removeAll(keepingCapacity: true)
        lastEventTime = arrival
        if !transformKeyNames.isEmpty {
            lastTransformKeys = [:]
            for name in transformKeyNames {
                guard let value = transformKeys?[name] else {
                    throw Failure(code: ProcessingErrorCode.metadataExtractionFailed,
                                  message: "partition key '\(name)' (partitionKeyFromLambda) was not returned by the transform")
                }
                do {
                    try PartitionValue.validate(value)
                } catch {
                    throw Failure(code: ProcessingErrorCode.partitionValueRejected,
                                  message: "partition key '\(name)' (partitionKeyFromLambda): \(error)")
                }
                lastTransformKeys[name] = value
                key.append(contentsOf: value.utf8)
                key.append(0)
            }
        }
        guard readsRecords else { return }
        let wellFormed = JSONScanner.find(paths, in: record, results: &results, index: structuralIndex)
        if let timestampPath, let scalar = results[timestampPath], case .string(hasEscapes: false) = scalar.kind,
           let parsed = timeCache.parse(UnsafeBufferPointer(rebasing: record[scalar.range])) {
            lastEventTime = parsed
        }
        for index in 0..<keyNames.count {
            guard let scalar = results[index] else {
                let reason = wellFormed ? "is missing, null, an object or an array" : "cannot be read: the record is not valid JSON"
                throw Failure(code: ProcessingErrorCode.metadataExtractionFailed,
                              message: "partition key '\(keyNames[index])' (\(paths[index])) \(reason)")
            }
            let raw = UnsafeBufferPointer(rebasing: record[scalar.range])
            if cachedKind[index] == scalar.kind && cachedRaw[index].withUnsafeBufferPointer({ cached in
                guard cached.count == raw.count else { return false }
                guard let cachedBase = cached.baseAddress, let rawBase = raw.baseAddress else { return true }
                return memcmp(cachedBase, rawBase, raw.count) == 0
            }) {
                key.append(contentsOf: lastValues[index].utf8)
                key.append(0)
                continue
            }
            guard let value = scalar.text(in: record) else {
                throw Failure(code: ProcessingErrorCode.metadataExtractionFailed,
                              message: "partition key '\(keyNames[index])' (\(paths[index])) cannot be decoded")
            }
            do {
                try PartitionValue.validate(value)
            } catch {
                throw Failure(code: ProcessingErrorCode.partitionValueRejected,
                              message: "partition key '\(keyNames[index])': \(error)")
            }
            lastValues[index] = value
            cachedRaw[index].removeAll(keepingCapacity: true)
            cachedRaw[index].append(contentsOf: raw)
            cachedKind[index] = scalar.kind
            key.append(contentsOf: value.utf8)
            key.append(0)
        }
        for index in eventPatterns.indices {
            let (pattern, period) = eventPatterns[index]
            let current = period.map { lastEventTime.nanoseconds.floorDivided(by: $0).quotient }
            if current == nil || current != cachedPeriod[index] {
                scratch.removeAll(keepingCapacity: true)
                pattern.append(lastEventTime, to: &scratch)
                cachedText[index] = Array(scratch.utf8)
                cachedPeriod[index] = current
            }
            key.append(contentsOf: cachedText[index])
            key.append(0)
        }
    }
}

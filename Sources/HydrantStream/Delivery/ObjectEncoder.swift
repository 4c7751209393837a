import HydrantArchive
import HydrantRecords

/// One object to put: where, what, and which extension its name gets.
struct EncodedObject: Sendable {
    /// The evaluated prefix.
    let prefix: String
    /// The bytes to store.
    let body: [UInt8]
    /// `.json`, `.json.gz`, `.parquet`, ….
    let fileExtension: String
}

/// Turns a sealed buffer into the objects that are put: JSON lines compressed whole, or, for a stream with
/// `format: parquet`, one Parquet file per table plus an error output object for the records that did not convert.
struct ObjectEncoder: Sendable {
    /// What encoding one buffer produced.
    struct Output: Sendable {
        /// The objects to put; the buffer's log records are released once all of them are stored.
        var objects: [EncodedObject] = []
        /// Records that failed conversion and went to the error output.
        var conversionFailures = 0
        /// Bytes of the records that converted, and of those that failed.
        var convertedBytes = 0
        var failedBytes = 0
        /// A problem worth logging (compression fell back to none).
        var warning: String?
    }

    let configuration: DeliveryStreamConfiguration
    let converter: ParquetConverter?

    init(configuration: DeliveryStreamConfiguration) {
        self.configuration = configuration
        converter = configuration.format.parquet.map { ParquetConverter(datasets: StreamSchemas.datasets, format: $0) }
    }

    /// Encodes `object`; `now` stamps error records' `attemptEndingTimestamp`.
    func encode(_ object: PendingObject, now: Timestamp) -> Output {
        var output = Output()
        guard object.kind == .data, let converter else {
            output.objects.append(compressed(object.body, prefix: object.prefix, warning: &output.warning))
            return output
        }
        let result = converter.convert(object.body)
        for file in result.files {
            output.objects.append(EncodedObject(prefix: object.prefix, body: file.bytes, fileExtension: ".parquet"))
        }
        guard !result.failures.isEmpty else {
            output.convertedBytes = object.body.count
            return output
        }
        var errors: [UInt8] = []
        errors.reserveCapacity(object.body.count / 4)
        object.body.withUnsafeBufferPointer { body in
            for failure in result.failures {
                var range = failure.range
                while range.upperBound > range.lowerBound, body[range.upperBound - 1] == 0x0D { range = range.dropLast() }
                output.failedBytes += range.count
                ErrorRecordEncoder.append(record: UnsafeBufferPointer(rebasing: body[range]), arrival: object.oldestArrival,
                                          attemptEnding: now, errorCode: failure.code, errorMessage: failure.message,
                                          to: &errors)
                errors.append(0x0A)
            }
        }
        output.conversionFailures = result.failures.count
        output.convertedBytes = object.body.count - output.failedBytes
        var random = SystemRandomNumberGenerator()
        let prefix = (try? configuration.errorOutputPrefix.evaluate(
            arrival: object.oldestArrival, errorOutputType: .formatConversionFailed, random: &random))
            ?? "errors/" + ErrorOutputType.formatConversionFailed.rawValue + "/"
        output.objects.append(compressed(errors, prefix: prefix, warning: &output.warning))
        return output
    }

    private func compressed(_ body: [UInt8], prefix: String, warning: inout String?) -> EncodedObject {
        let format = configuration.compression
        do throws(CompressionError) {
            let bytes = try ObjectCompressor.compress(body, as: format)
            return EncodedObject(prefix: prefix, body: bytes, fileExtension: ".json" + format.fileExtension)
        } catch {
            warning = "cannot compress an object, delivering it uncompressed: \(error)"
            return EncodedObject(prefix: prefix, body: body, fileExtension: ".json")
        }
    }
}

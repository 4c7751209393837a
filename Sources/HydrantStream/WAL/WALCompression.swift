import CZstd
import Foundation

/// How a stream's write-ahead log stores record bytes (`log_compression` in a stream's configuration).
public enum WALCompression: String, Sendable, Hashable, CaseIterable {
    /// Record bytes as they arrived.
    case none
    /// Each put's record bytes as one zstd frame, when that saves at least an eighth; otherwise stored as they
    /// arrived. Security records compress about 6–9× at zstd's fast levels, so the log writes a fraction of the
    /// bytes and `max_backlog_mb` holds more records, at about a microsecond of CPU per KiB.
    case zstd
    /// A share of the puts compressed, chosen as the log runs (see `CompressionGovernor`): all of them while the
    /// CPUs have time to spare, fewer while the CPUs are the limit, as long as that does not make the disk the limit
    /// instead. A disk-bound log compresses; a CPU-bound one on a fast disk does not pay for it. The default.
    case auto

    /// The default for a stream that does not say.
    public static let `default`: WALCompression = .auto
}

/// A put's record bytes compressed for its log frame, made on the caller's thread so that the log's single writer
/// thread only copies bytes.
struct CompressedRecords: Sendable {
    /// One zstd frame holding every record's bytes back to back.
    let bytes: [UInt8]
}

/// Compresses record bytes with zstd, reusing compression contexts across calls (creating one allocates and
/// initialises several hundred KiB, more than compressing a put takes).
final class WALRecordCompressor: @unchecked Sendable {
    /// The zstd level (negative: zstd's fast levels).
    let level: Int32
    /// Contexts kept for reuse; more callers than this at once make (and free) their own.
    private static let keptContexts = 8

    private let lock = NSLock()
    private var contexts: [OpaquePointer] = []

    /// A compressor at zstd level `level`.
    init(level: Int32) {
        self.level = level
    }

    deinit {
        for context in contexts { ZSTD_freeCCtx(context) }
    }

    /// The records' bytes as one zstd frame, or nil when compressing fails or would not save an eighth of them
    /// (already compressed or random data is stored as it arrived, and is read back without a decompression).
    func compress(_ batch: IngestBatch) -> CompressedRecords? {
        let size = batch.byteCount
        guard size >= 64 else { return nil }
        guard let context = takeContext() else { return nil }
        defer { returnContext(context) }
        // A compressed frame no smaller than seven eighths of the records is not worth a decompression on replay;
        // zstd reports "destination too small" when it cannot fit, which ends the attempt early.
        let worthIt = size - size / 8
        let output = batch.bytes.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: worthIt) { buffer, initialized in
                let result = ZSTD_compress2(context, buffer.baseAddress, worthIt, input.baseAddress, input.count)
                initialized = ZSTD_isError(result) != 0 ? 0 : result
            }
        }
        return output.isEmpty ? nil : CompressedRecords(bytes: output)
    }

    private func takeContext() -> OpaquePointer? {
        lock.lock()
        if let context = contexts.popLast() {
            lock.unlock()
            return context
        }
        lock.unlock()
        guard let context = ZSTD_createCCtx() else { return nil }
        // The frame's own checksum of the records (xxHash64, far cheaper than compressing) lets a replay refuse a
        // frame whose zstd data is wrong even when the log's CRC was computed over it.
        guard ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)) == 0,
              ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)) == 0 else {
            ZSTD_freeCCtx(context)
            return nil
        }
        return context
    }

    private func returnContext(_ context: OpaquePointer) {
        lock.lock()
        if contexts.count < Self.keptContexts {
            contexts.append(context)
            lock.unlock()
            return
        }
        lock.unlock()
        ZSTD_freeCCtx(context)
    }
}

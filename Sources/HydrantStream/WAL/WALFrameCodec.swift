import CZstd
import HydrantRecords

/// The byte layout of a frame, little-endian, in one of two kinds:
///
///     magic u32 "HWL1" · payload length u32 · CRC-32C of the payload u32 ·
///     payload = first sequence u64 · arrival ns i64 · record count u32 · (length u32 · bytes) per record
///
///     magic u32 "HWZ1" · payload length u32 · CRC-32C of the payload u32 ·
///     payload = first sequence u64 · arrival ns i64 · record count u32 · record bytes u32 ·
///               length u32 per record · one zstd frame of every record's bytes back to back
///
/// The CRC covers the payload, so a frame cut short by a crash or altered on disk is recognised and never replayed.
/// A log may hold both kinds (a put whose records do not compress is stored plainly; a stream's setting may change
/// between runs), and reading tells them apart by the magic.
enum WALFrameCodec {
    static let magic: UInt32 = 0x314C_5748
    static let compressedMagic: UInt32 = 0x315A_5748
    static let headerSize = 12
    static let payloadFixedSize = 20
    static let compressedPayloadFixedSize = 24
    /// A bound on one frame, and on the records of a compressed one once decompressed, above any put the API
    /// accepts, so a corrupt length cannot ask for gigabytes.
    static let maximumPayload = 64 * 1024 * 1024

    /// The encoded size of a frame holding `batch`, plainly or as `compressed`.
    static func encodedSize(of batch: IngestBatch, compressed: CompressedRecords? = nil) -> Int {
        if let compressed {
            return headerSize + compressedPayloadFixedSize + 4 * batch.count + compressed.bytes.count
        }
        return headerSize + payloadFixedSize + 4 * batch.count + batch.byteCount
    }

    /// Writes one frame at `out` holding `batch` as `compressed` (its records' bytes compressed), or plainly when
    /// `compressed` is nil; `out` has room for `encodedSize(of:compressed:)` bytes; returns that size.
    @discardableResult
    static func encode(_ batch: IngestBatch, compressed: CompressedRecords?, firstSequence: UInt64,
                       arrival: Timestamp, at out: UnsafeMutableRawPointer) -> Int {
        guard let compressed else { return encode(batch, firstSequence: firstSequence, arrival: arrival, at: out) }
        out.storeBytes(of: compressedMagic.littleEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: UInt64(firstSequence).littleEndian, toByteOffset: headerSize, as: UInt64.self)
        out.storeBytes(of: UInt64(bitPattern: arrival.nanoseconds).littleEndian, toByteOffset: headerSize + 8, as: UInt64.self)
        out.storeBytes(of: UInt32(batch.count).littleEndian, toByteOffset: headerSize + 16, as: UInt32.self)
        out.storeBytes(of: UInt32(batch.byteCount).littleEndian, toByteOffset: headerSize + 20, as: UInt32.self)
        var cursor = headerSize + compressedPayloadFixedSize
        var previous = 0
        for end in batch.ends {
            out.storeBytes(of: UInt32(end - previous).littleEndian, toByteOffset: cursor, as: UInt32.self)
            cursor += 4
            previous = end
        }
        compressed.bytes.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            (out + cursor).copyMemory(from: base, byteCount: bytes.count)
        }
        cursor += compressed.bytes.count
        let payloadLength = cursor - headerSize
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: out + headerSize, count: payloadLength))
        out.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: 4, as: UInt32.self)
        out.storeBytes(of: crc.littleEndian, toByteOffset: 8, as: UInt32.self)
        return cursor
    }

    /// Writes one frame at `out`, which has room for `encodedSize(of: batch)` bytes; returns that size.
    @discardableResult
    static func encode(_ batch: IngestBatch, firstSequence: UInt64, arrival: Timestamp,
                       at out: UnsafeMutableRawPointer) -> Int {
        out.storeBytes(of: magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        out.storeBytes(of: UInt64(firstSequence).littleEndian, toByteOffset: headerSize, as: UInt64.self)
        out.storeBytes(of: UInt64(bitPattern: arrival.nanoseconds).littleEndian, toByteOffset: headerSize + 8, as: UInt64.self)
        out.storeBytes(of: UInt32(batch.count).littleEndian, toByteOffset: headerSize + 16, as: UInt32.self)
        var cursor = headerSize + payloadFixedSize
        batch.bytes.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return }
            var previous = 0
            for end in batch.ends {
                out.storeBytes(of: UInt32(end - previous).littleEndian, toByteOffset: cursor, as: UInt32.self)
                (out + cursor + 4).copyMemory(from: base + previous, byteCount: end - previous)
                cursor += 4 + end - previous
                previous = end
            }
        }
        let payloadLength = cursor - headerSize
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: out + headerSize, count: payloadLength))
        out.storeBytes(of: UInt32(payloadLength).littleEndian, toByteOffset: 4, as: UInt32.self)
        out.storeBytes(of: crc.littleEndian, toByteOffset: 8, as: UInt32.self)
        return cursor
    }

    /// Checks the frame at `offset` without copying its records: its record count and end, or nil when it is
    /// incomplete or fails its checks (the same checks as `decode`, but a compressed frame is not decompressed: its
    /// checksum, its lengths and the size its zstd frame declares are checked).
    static func check(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (records: Int, end: Int)? {
        guard let (compressed, payload) = checkedPayload(bytes, at: offset) else { return nil }
        let count = Int(load32(payload, 16))
        if compressed {
            guard let layout = compressedLayout(payload) else { return nil }
            return (layout.lengths.count / 4, offset + headerSize + payload.count)
        }
        var cursor = payloadFixedSize
        for _ in 0..<count {
            guard cursor + 4 <= payload.count else { return nil }
            let size = Int(load32(payload, cursor))
            cursor += 4
            guard size <= payload.count - cursor else { return nil }
            cursor += size
        }
        guard cursor == payload.count else { return nil }
        return (count, offset + headerSize + payload.count)
    }

    /// Decodes the frame at `offset`; nil when it is incomplete or fails its checks.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int, segment: UInt64) -> (frame: WALFrame, end: Int)? {
        guard let (compressed, payload) = checkedPayload(bytes, at: offset) else { return nil }
        let firstSequence = load64(payload, 0)
        let arrival = Timestamp(nanoseconds: Int64(bitPattern: load64(payload, 8)))
        let end = offset + headerSize + payload.count
        if compressed {
            guard let layout = compressedLayout(payload) else { return nil }
            var ends: [Int] = []
            let count = layout.lengths.count / 4
            ends.reserveCapacity(count)
            var total = 0
            for index in 0..<count {
                total += Int(load32(layout.lengths, 4 * index))
                ends.append(total)
            }
            var intact = false
            let records = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
                let result = ZSTD_decompress(buffer.baseAddress, total, layout.zstdFrame.baseAddress,
                                             layout.zstdFrame.count)
                intact = ZSTD_isError(result) == 0 && result == total
                initialized = intact ? total : 0
            }
            guard intact else { return nil }
            let batch = IngestBatch(bytes: records, ends: ends)
            return (WALFrame(segment: segment, firstSequence: firstSequence, arrival: arrival, records: batch), end)
        }
        let count = Int(load32(payload, 16))
        guard count <= payload.count / 4 else { return nil }
        var batch = IngestBatch(reservingRecords: count, bytes: payload.count - payloadFixedSize - 4 * count)
        var cursor = payloadFixedSize
        for _ in 0..<count {
            guard cursor + 4 <= payload.count else { return nil }
            let size = Int(load32(payload, cursor))
            cursor += 4
            guard size <= payload.count - cursor else { return nil }
            batch.append(UnsafeRawBufferPointer(rebasing: payload[cursor..<(cursor + size)]))
            cursor += size
        }
        guard cursor == payload.count else { return nil }
        return (WALFrame(segment: segment, firstSequence: firstSequence, arrival: arrival, records: batch), end)
    }

    /// The payload of the frame at `offset` once its magic, length and checksum are right, and whether it is the
    /// compressed kind; nil otherwise.
    private static func checkedPayload(_ bytes: UnsafeRawBufferPointer,
                                       at offset: Int) -> (compressed: Bool, payload: UnsafeRawBufferPointer)? {
        guard offset >= 0, offset + headerSize <= bytes.count else { return nil }
        let kind = load32(bytes, offset)
        guard kind == magic || kind == compressedMagic else { return nil }
        let compressed = kind == compressedMagic
        let length = Int(load32(bytes, offset + 4))
        let fixed = compressed ? compressedPayloadFixedSize : payloadFixedSize
        guard length >= fixed, length <= maximumPayload, length <= bytes.count - offset - headerSize else { return nil }
        let payloadStart = offset + headerSize
        let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + length)])
        guard CRC32C.checksum(payload) == load32(bytes, offset + 8) else { return nil }
        return (compressed, payload)
    }

    /// The lengths table (4 bytes a record) and the zstd frame of a compressed payload whose lengths add up to its declared record
    /// bytes (at most `maximumPayload`), and whose zstd frame fills the rest and declares that size; nil otherwise.
    private static func compressedLayout(_ payload: UnsafeRawBufferPointer)
        -> (lengths: UnsafeRawBufferPointer, zstdFrame: UnsafeRawBufferPointer)? {
        let count = Int(load32(payload, 16))
        let total = Int(load32(payload, 20))
        guard total <= maximumPayload, count <= (payload.count - compressedPayloadFixedSize) / 4 else { return nil }
        let lengthsEnd = compressedPayloadFixedSize + 4 * count
        let lengths = UnsafeRawBufferPointer(rebasing: payload[compressedPayloadFixedSize..<lengthsEnd])
        var sum = 0
        for index in 0..<count { sum += Int(load32(lengths, 4 * index)) }
        guard sum == total else { return nil }
        let frame = UnsafeRawBufferPointer(rebasing: payload[lengthsEnd...])
        guard !frame.isEmpty, let base = frame.baseAddress,
              ZSTD_findFrameCompressedSize(base, frame.count) == frame.count,
              ZSTD_getFrameContentSize(base, frame.count) == UInt64(total) else { return nil }
        return (lengths, frame)
    }

    private static func load32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    private static func load64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

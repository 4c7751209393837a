import HydrantRecords

/// The byte layout of a frame, little-endian:
///
///     magic u32 "HWL1" · payload length u32 · CRC-32C of the payload u32 ·
///     payload = first sequence u64 · arrival ns i64 · record count u32 · (length u32 · bytes) per record
///
/// The CRC covers the payload, so a frame cut short by a crash or altered on disk is recognised and never replayed.
enum WALFrameCodec {
    static let magic: UInt32 = 0x314C_5748
    static let headerSize = 12
    static let payloadFixedSize = 20
    /// A bound on one frame, above any put the API accepts, so a corrupt length cannot ask for gigabytes.
    static let maximumPayload = 64 * 1024 * 1024

    /// The encoded size of a frame holding `batch`.
    static func encodedSize(of batch: IngestBatch) -> Int {
        headerSize + payloadFixedSize + 4 * batch.count + batch.byteCount
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
    /// incomplete or fails its checks (the same checks as `decode`).
    static func check(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (records: Int, end: Int)? {
        guard offset + headerSize <= bytes.count, load32(bytes, offset) == magic else { return nil }
        let length = Int(load32(bytes, offset + 4))
        guard length >= payloadFixedSize, length <= maximumPayload, offset + headerSize + length <= bytes.count else {
            return nil
        }
        let payloadStart = offset + headerSize
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + length)]))
                == load32(bytes, offset + 8) else { return nil }
        let count = Int(load32(bytes, payloadStart + 16))
        var cursor = payloadStart + payloadFixedSize
        let end = payloadStart + length
        for _ in 0..<count {
            guard cursor + 4 <= end else { return nil }
            let size = Int(load32(bytes, cursor))
            cursor += 4
            guard size <= end - cursor else { return nil }
            cursor += size
        }
        guard cursor == end else { return nil }
        return (count, end)
    }

    /// Decodes the frame at `offset`; nil when it is incomplete or fails its checks.
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int, segment: UInt64) -> (frame: WALFrame, end: Int)? {
        guard offset + headerSize <= bytes.count, load32(bytes, offset) == magic else { return nil }
        let length = Int(load32(bytes, offset + 4))
        guard length >= payloadFixedSize, length <= maximumPayload, offset + headerSize + length <= bytes.count else {
            return nil
        }
        let payloadStart = offset + headerSize
        let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + length)])
        guard CRC32C.checksum(payload) == load32(bytes, offset + 8) else { return nil }
        let firstSequence = load64(bytes, payloadStart)
        let arrival = Timestamp(nanoseconds: Int64(bitPattern: load64(bytes, payloadStart + 8)))
        let count = Int(load32(bytes, payloadStart + 16))
        guard count <= length / 4 else { return nil }
        var batch = IngestBatch(reservingRecords: count, bytes: length - payloadFixedSize - 4 * count)
        var cursor = payloadStart + payloadFixedSize
        let end = payloadStart + length
        for _ in 0..<count {
            guard cursor + 4 <= end else { return nil }
            let size = Int(load32(bytes, cursor))
            cursor += 4
            guard size <= end - cursor else { return nil }
            batch.append(UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + size)]))
            cursor += size
        }
        guard cursor == end else { return nil }
        return (WALFrame(segment: segment, firstSequence: firstSequence, arrival: arrival, records: batch), end)
    }

    private static func load32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    private static func load64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}

import HydrantRecords

/// The on-disk form of outbox entries: `u32 length, u32 CRC-32 of the payload, payload`, little-endian, where the
/// payload is a kind byte (1 = append, 2 = done) and the kind's fields. Strings and the body are length-prefixed.
enum OutboxFrame {
    /// The largest payload accepted: an alert bigger than this is refused at enqueue, and a larger length read from
    /// disk marks corruption.
    static let maximumPayload = 16 << 20
    static let headerSize = 8
    static let appendKind: UInt8 = 1
    static let doneKind: UInt8 = 2

    /// What one frame holds.
    enum Decoded {
        case append(OutboxEntry)
        case done(sequence: UInt64, outcome: OutboxOutcome)
    }

    static func encodeAppend(_ entry: OutboxEntry, to out: inout [UInt8]) {
        var payload: [UInt8] = [appendKind]
        payload.reserveCapacity(entry.alert.body.count + 256)
        appendInteger(entry.sequence, to: &payload)
        appendInteger(UInt64(bitPattern: entry.enqueuedAt.nanoseconds), to: &payload)
        let alert = entry.alert
        appendString(alert.id, to: &payload)
        appendString(alert.ruleID, to: &payload)
        appendString(alert.ruleName, to: &payload)
        payload.append(UInt8(alert.level.rawValue))
        appendInteger(UInt32(alert.tags.count), to: &payload)
        for tag in alert.tags { appendString(tag, to: &payload) }
        appendString(alert.group, to: &payload)
        appendInteger(UInt64(bitPattern: alert.eventTime.nanoseconds), to: &payload)
        appendInteger(UInt64(max(alert.suppressed, 0)), to: &payload)
        appendInteger(UInt32(alert.body.count), to: &payload)
        payload.append(contentsOf: alert.body)
        frame(payload, to: &out)
    }

    static func encodeDone(sequence: UInt64, outcome: OutboxOutcome, to out: inout [UInt8]) {
        var payload: [UInt8] = [doneKind]
        appendInteger(sequence, to: &payload)
        payload.append(outcome.rawValue)
        frame(payload, to: &out)
    }

    /// The size of a frame holding `entry`, without encoding it.
    static func encodedSize(_ alert: AlertNotification) -> Int {
        headerSize + 1 + 8 + 8 + 4 * 4 + alert.id.utf8.count + alert.ruleID.utf8.count + alert.ruleName.utf8.count
            + 1 + 4 + alert.tags.reduce(0) { $0 + 4 + $1.utf8.count } + 4 + alert.group.utf8.count + 8 + 8 + alert.body.count
    }

    private static func frame(_ payload: [UInt8], to out: inout [UInt8]) {
        appendInteger(UInt32(payload.count), to: &out)
        appendInteger(CRC32.checksum(payload), to: &out)
        out.append(contentsOf: payload)
    }

    /// Decodes the frame at `offset` of `bytes`: the frame and its total size, or nil when the bytes there are not
    /// a whole, intact frame (a torn write or corruption).
    static func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> (Decoded, Int)? {
        guard bytes.count - offset >= headerSize else { return nil }
        let length = Int(readInteger(bytes, at: offset, as: UInt32.self))
        let crc = readInteger(bytes, at: offset + 4, as: UInt32.self)
        guard length >= 1, length <= maximumPayload, bytes.count - offset - headerSize >= length else { return nil }
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + headerSize + length)])
        guard CRC32.checksum(payload) == crc else { return nil }
        var reader = PayloadReader(bytes: payload, position: 1)
        let decoded: Decoded?
        switch payload[0] {
        case appendKind: decoded = reader.append()
        case doneKind: decoded = reader.done()
        default: decoded = nil
        }
        guard let decoded, reader.position == payload.count else { return nil }
        return (decoded, headerSize + length)
    }

    private static func appendInteger<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        appendInteger(UInt32(text.utf8.count), to: &out)
        out.append(contentsOf: text.utf8)
    }

    fileprivate static func readInteger<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, at offset: Int, as: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + MemoryLayout<T>.size)])) }
        return T(littleEndian: value)
    }
}

/// Bounds-checked reads from a frame payload; every read returns nil past the end.
private struct PayloadReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        guard bytes.count - position >= MemoryLayout<T>.size else { return nil }
        defer { position += MemoryLayout<T>.size }
        return OutboxFrame.readInteger(bytes, at: position, as: T.self)
    }

    mutating func raw() -> [UInt8]? {
        guard let count = integer(UInt32.self).map(Int.init), bytes.count - position >= count else { return nil }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func string() -> String? { raw().map { String(decoding: $0, as: UTF8.self) } }

    mutating func append() -> OutboxFrame.Decoded? {
        guard let sequence = integer(UInt64.self), let enqueued = integer(UInt64.self),
              let id = string(), let ruleID = string(), let ruleName = string(),
              let levelByte = integer(UInt8.self), let level = AlertLevel(rawValue: Int(levelByte)),
              let tagCount = integer(UInt32.self), tagCount <= 10_000 else { return nil }
        var tags: [String] = []
        for _ in 0..<tagCount {
            guard let tag = string() else { return nil }
            tags.append(tag)
        }
        guard let group = string(), let eventTime = integer(UInt64.self), let suppressed = integer(UInt64.self),
              suppressed <= UInt64(Int.max), let body = raw() else { return nil }
        let alert = AlertNotification(
            id: id, ruleID: ruleID, ruleName: ruleName, level: level, tags: tags, group: group,
            eventTime: Timestamp(nanoseconds: Int64(bitPattern: eventTime)), body: body, suppressed: Int(suppressed))
        return .append(OutboxEntry(sequence: sequence, enqueuedAt: Timestamp(nanoseconds: Int64(bitPattern: enqueued)),
                                   alert: alert))
    }

    mutating func done() -> OutboxFrame.Decoded? {
        guard let sequence = integer(UInt64.self), let byte = integer(UInt8.self),
              let outcome = OutboxOutcome(rawValue: byte) else { return nil }
        return .done(sequence: sequence, outcome: outcome)
    }
}

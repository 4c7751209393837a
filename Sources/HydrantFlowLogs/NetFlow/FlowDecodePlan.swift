/// A data template compiled once, when it arrives, into the steps that decode one of its records: each mapped
/// field's offset in the record, the bytes to read and what it fills, with the fields that decode to nothing
/// (ignored elements, zero lengths, addresses and NTP times of another size) left out.
///
/// Only a fixed-length data template without kept enterprise elements gets one; the others (variable-length
/// fields, options templates) are decoded field by field. A record is then checked against its length once instead
/// of once per field, with no variable-length or ignore test per field; each step fills the record exactly as the
/// field-by-field decoder does, in the same order, so both give the same records.
struct FlowDecodePlan: Hashable, Sendable {
    /// One field to read.
    struct Step: Hashable, Sendable {
        /// Where the bytes read start, from the record's start.
        var offset: UInt16
        /// The field's length (at most 16 bytes are read: an IPv6 address; an integer field longer than 8 bytes is
        /// read by its last 8, as the field-by-field decoder reads it).
        var length: UInt16
        /// What it fills.
        var role: FieldRole
    }

    /// The steps in record order.
    var steps: [Step]
    /// Bytes of one record.
    var recordLength: Int

    /// The plan of a template with `fields`, or nil when its records must be decoded field by field.
    init?(fields: [TemplateField], isOptions: Bool) {
        guard !isOptions else { return nil }
        var steps: [Step] = []
        var offset = 0
        for field in fields {
            guard field.length != TemplateField.variableLength, field.role != .enterprise else { return nil }
            let length = Int(field.length)
            defer { offset += length }
            guard field.role != .ignore, length > 0, Self.isRead(field.role, length: length) else { continue }
            guard offset <= Int(UInt16.max) else { return nil }
            steps.append(Step(offset: UInt16(offset), length: field.length, role: field.role))
        }
        guard offset > 0 else { return nil }
        self.steps = steps
        recordLength = offset
    }

    /// Whether the field-by-field decoder does anything with a field of `role` and `length` (it ignores addresses
    /// and NTP times of another size).
    private static func isRead(_ role: FieldRole, length: Int) -> Bool {
        switch role {
        case .sourceIPv4, .destinationIPv4, .nextHopIPv4, .bgpNextHopIPv4: return length == 4
        case .sourceIPv6, .destinationIPv6, .nextHopIPv6, .bgpNextHopIPv6: return length == 16
        case .startMicroseconds, .endMicroseconds, .startNanoseconds, .endNanoseconds: return length == 8
        default: return true
        }
    }
}

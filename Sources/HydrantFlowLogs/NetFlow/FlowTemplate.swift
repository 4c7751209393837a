/// One field of a template: its element, its length on the wire (`variableLength` for RFC 7011 variable-length
/// encoding) and what the decoder does with it.
struct TemplateField: Hashable, Sendable {
    /// The length that marks a variable-length field.
    static let variableLength: UInt16 = 0xFFFF
    /// Information element number (without the enterprise bit).
    var id: UInt16
    /// Enterprise number; 0 for IANA elements.
    var enterprise: UInt32
    /// Bytes on the wire, or `variableLength`.
    var length: UInt16
    /// What to do with the value.
    var role: FieldRole
}

/// A template or options template, as an exporter announced it.
struct FlowTemplate: Hashable, Sendable {
    /// Fields in record order (scope fields first for options templates).
    var fields: [TemplateField]
    /// Leading scope fields (options templates only).
    var scopeCount: Int
    /// Whether this is an options template (its records describe the exporter, not flows).
    var isOptions: Bool
    /// Bytes of a record when no field is variable-length; nil otherwise.
    var fixedLength: Int?
    /// The smallest a record can be (variable-length fields count their one length byte).
    var minimumLength: Int
    /// When the template was last announced (receive time, nanoseconds since the epoch), for expiry.
    var learnedAt: Int64
    /// How its records are decoded without a per-field length check, when they can be (see `FlowDecodePlan`).
    var plan: FlowDecodePlan?

    init(fields: [TemplateField], scopeCount: Int, isOptions: Bool, learnedAt: Int64 = 0) {
        self.learnedAt = learnedAt
        self.fields = fields
        self.scopeCount = scopeCount
        self.isOptions = isOptions
        var fixed = 0
        var minimum = 0
        var variable = false
        for field in fields {
            if field.length == TemplateField.variableLength {
                variable = true
                minimum += 1
            } else {
                fixed += Int(field.length)
                minimum += Int(field.length)
            }
        }
        fixedLength = variable ? nil : fixed
        minimumLength = minimum
        plan = FlowDecodePlan(fields: fields, isOptions: isOptions)
    }
}

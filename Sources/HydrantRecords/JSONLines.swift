/// Encodes records of one dataset as JSON lines: one nested object per line, keys in field-table order,
/// unknown fields absent.
///
/// The nesting of dotted names is worked out once, when the encoder is made. Encoding walks the flattened tree,
/// reads each field through its typed accessor and writes it straight into the output, so a long run allocates
/// nothing per record and boxes no value.
public struct JSONLinesEncoder<Record: DatasetRecord> {
    // Inlinable, so that callers in other modules get code specialised for their record type instead of
    // generic code that goes through value witnesses for every field.

    /// One step of the flattened object tree: a value, or the opening or closing of a nested object.
    @usableFromInline struct Step {
        @usableFromInline enum Kind: UInt8 { case value, open, close }
        @usableFromInline var kind: Kind
        /// `.value`: index into `accessors`.
        @usableFromInline var field: Int32
        /// The quoted key and colon, as a range of `keys`.
        @usableFromInline var keyStart: Int32
        @usableFromInline var keyLength: Int32
    }

    @usableFromInline let accessors: [FieldAccessor<Record>]
    @usableFromInline let steps: [Step]
    @usableFromInline let keys: [UInt8]
    /// For each open object: where its key began in the output, and whether a comma was due before it.
    @usableFromInline var openings: [(mark: Int, neededComma: Bool)]

    /// Creates an encoder for the record type's field table.
    public init() {
        let fields = Record.fields
        let names = fields.map { $0.name.split(separator: ".").map(String.init) }
        var accessors: [FieldAccessor<Record>] = []
        var steps: [Step] = []
        var keys: [UInt8] = []
        var depth = 0

        func key(_ text: String) -> (Int32, Int32) {
            let start = keys.count
            appendJSONString(text, to: &keys)
            keys.append(UInt8(ascii: ":"))
            return (Int32(start), Int32(keys.count - start))
        }
        // Groups fields by their name's component at `level`, in order of first appearance, and flattens the tree.
        func flatten(_ indices: [Int], level: Int) {
            depth = max(depth, level)
            var order: [String] = []
            var groups: [String: [Int]] = [:]
            for i in indices {
                let component = names[i][level]
                if groups[component] == nil { order.append(component) }
                groups[component, default: []].append(i)
            }
            for component in order {
                let members = groups[component] ?? []
                let (keyStart, keyLength) = key(component)
                if members.count == 1, names[members[0]].count == level + 1 {
                    steps.append(Step(kind: .value, field: Int32(accessors.count), keyStart: keyStart, keyLength: keyLength))
                    accessors.append(fields[members[0]].accessor)
                    continue
                }
                steps.append(Step(kind: .open, field: 0, keyStart: keyStart, keyLength: keyLength))
                flatten(members.filter { names[$0].count > level + 1 }, level: level + 1)
                steps.append(Step(kind: .close, field: 0, keyStart: 0, keyLength: 0))
            }
        }
        flatten(Array(names.indices), level: 0)
        self.accessors = accessors
        self.steps = steps
        self.keys = keys
        openings = []
        openings.reserveCapacity(depth + 1)
    }

    /// Appends one record as a JSON object followed by a newline.
    @inlinable
    public mutating func encode(_ record: Record, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var needsComma = false
        openings.removeAll(keepingCapacity: true)
        for step in steps {
            switch step.kind {
            case .value:
                if appendField(accessors[Int(step.field)], of: record, key: step, needsComma: needsComma, to: &out) {
                    needsComma = true
                }
            case .open:
                // Written optimistically and taken back at `.close` when no value inside was known.
                openings.append((out.count, needsComma))
                if needsComma { out.append(UInt8(ascii: ",")) }
                appendKey(step, to: &out)
                out.append(UInt8(ascii: "{"))
                needsComma = false
            case .close:
                let opening = openings.removeLast()
                if needsComma {
                    out.append(UInt8(ascii: "}"))
                } else {
                    out.removeLast(out.count - opening.mark)
                    needsComma = opening.neededComma
                }
            }
        }
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes `,"key":value` (comma only when due) and returns true, or writes nothing and returns false when the
    /// value is unknown.
    @inlinable @inline(__always)
    func appendField(_ accessor: FieldAccessor<Record>, of record: Record, key step: Step, needsComma: Bool,
                     to out: inout [UInt8]) -> Bool {
        @inline(__always) func prefix(_ out: inout [UInt8]) {
            if needsComma { out.append(UInt8(ascii: ",")) }
            appendKey(step, to: &out)
        }
        switch accessor {
        case .string(let get):
            guard let text = get(record) else { return false }
            prefix(&out)
            appendJSONString(text, to: &out)
        case .int(let get):
            guard let number = get(record) else { return false }
            prefix(&out)
            appendDigits(number, width: 1, to: &out)
        case .timestamp(let get):
            guard let time = get(record) else { return false }
            prefix(&out)
            out.append(UInt8(ascii: "\""))
            time.appendRFC3339(to: &out)
            out.append(UInt8(ascii: "\""))
        case .ip(let get):
            guard let address = get(record) else { return false }
            prefix(&out)
            out.append(UInt8(ascii: "\""))
            address.appendText(to: &out)
            out.append(UInt8(ascii: "\""))
        case .strings(let get):
            guard let list = get(record), !list.isEmpty else { return false }
            prefix(&out)
            out.append(UInt8(ascii: "["))
            for index in list.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendJSONString(list[index], to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .ints(let get):
            guard let list = get(record), !list.isEmpty else { return false }
            prefix(&out)
            out.append(UInt8(ascii: "["))
            for index in list.indices {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                appendDigits(list[index], width: 1, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .value(let get):
            guard let value = get(record) else { return false }
            prefix(&out)
            appendJSON(value, to: &out)
        }
        return true
    }

    @inlinable @inline(__always)
    func appendKey(_ step: Step, to out: inout [UInt8]) {
        keys.withUnsafeBufferPointer { bytes in
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[Int(step.keyStart)..<Int(step.keyStart + step.keyLength)]))
        }
    }

    /// The record as one JSON object, without a newline.
    public mutating func string(for record: Record) -> String {
        var out: [UInt8] = []
        encode(record, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }
}

/// Appends a field value in its JSON form: timestamps as RFC 3339 strings, addresses in canonical text.
public func appendJSON(_ value: FieldValue, to out: inout [UInt8]) {
    switch value {
    case .string(let s):
        appendJSONString(s, to: &out)
    case .int(let n):
        appendDigits(n, width: 1, to: &out)
    case .timestamp(let t):
        out.append(UInt8(ascii: "\""))
        t.appendRFC3339(to: &out)
        out.append(UInt8(ascii: "\""))
    case .ip(let address):
        out.append(UInt8(ascii: "\""))
        address.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
    case .strings(let list):
        out.append(UInt8(ascii: "["))
        for (i, s) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .ints(let list):
        out.append(UInt8(ascii: "["))
        for (i, n) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendDigits(n, width: 1, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

/// Appends a JSON string literal, escaping quotes, backslashes and control characters (RFC 8259).
public func appendJSONString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Most values (addresses, names, Community IDs) need no escaping: copy them whole.
    let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
        for byte in bytes where byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return false
        }
        out.append(contentsOf: bytes)
        return true
    }
    if copied == true {
        out.append(UInt8(ascii: "\""))
        return
    }
    let hex: StaticString = "0123456789abcdef"
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
        case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
        case 0..<0x20, 0x7f:
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xf)])
            }
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

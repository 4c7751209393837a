/// Encodes records of one dataset as JSON lines: one nested object per line, keys in field-table order,
/// unknown fields absent.
///
/// The nesting of dotted names is worked out once, when the encoder is made; encoding a record reuses the
/// encoder's buffers, so a long run allocates nothing per record but the values it reads.
public struct JSONLinesEncoder<Record: DatasetRecord> {
    private indirect enum Node {
        case leaf(key: [UInt8], field: Int)
        case object(key: [UInt8], children: [Node], fields: [Int])
    }

    private let fields: [FieldDescriptor<Record>]
    private let root: [Node]
    private var values: [FieldValue?]

    /// Creates an encoder for the record type's field table.
    public init() {
        fields = Record.fields
        values = Array(repeating: nil, count: fields.count)
        root = JSONLinesEncoder.buildTree(names: fields.map { $0.name.split(separator: ".").map(String.init) })
    }

    private static func buildTree(names: [[String]]) -> [Node] {
        func build(_ indices: [Int], depth: Int) -> [Node] {
            var order: [String] = []
            var groups: [String: [Int]] = [:]
            for i in indices {
                let key = names[i][depth]
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(i)
            }
            return order.map { key in
                let members = groups[key] ?? []
                if members.count == 1, names[members[0]].count == depth + 1 {
                    return .leaf(key: quoted(key), field: members[0])
                }
                let deeper = members.filter { names[$0].count > depth + 1 }
                return .object(key: quoted(key), children: build(deeper, depth: depth + 1), fields: deeper)
            }
        }
        return build(Array(names.indices), depth: 0)
    }

    private static func quoted(_ key: String) -> [UInt8] {
        var out: [UInt8] = []
        appendJSONString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        return out
    }

    /// Appends one record as a JSON object followed by a newline.
    public mutating func encode(_ record: Record, to out: inout [UInt8]) {
        for i in fields.indices { values[i] = fields[i].read(record) }
        writeObject(root, to: &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// The record as one JSON object, without a newline.
    public mutating func string(for record: Record) -> String {
        var out: [UInt8] = []
        encode(record, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }

    private func writeObject(_ nodes: [Node], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for node in nodes {
            switch node {
            case let .leaf(key, field):
                guard let value = values[field] else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: key)
                appendJSON(value, to: &out)
            case let .object(key, children, members):
                guard members.contains(where: { values[$0] != nil }) else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(contentsOf: key)
                writeObject(children, to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
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
    let hex: StaticString = "0123456789abcdef"
    out.append(UInt8(ascii: "\""))
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

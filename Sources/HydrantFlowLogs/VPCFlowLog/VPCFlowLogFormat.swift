/// The columns of a VPC Flow Logs stream, from its header line or a configured format string.
public struct VPCFlowLogFormat: Hashable, Sendable {
    /// The columns in line order.
    public let columns: [VPCFlowLogColumn]
    /// For each known field, its column index (or -1), so that mapping a line looks nothing up by name.
    let index: [Int]

    /// The default format of versions 2: `version account-id interface-id srcaddr dstaddr srcport dstport protocol
    /// packets bytes start end action log-status`.
    public static let `default` = VPCFlowLogFormat(knownColumns: [
        .version, .accountID, .interfaceID, .srcaddr, .dstaddr, .srcport, .dstport, .protocol, .packets, .bytes,
        .start, .end, .action, .logStatus,
    ])

    private init(knownColumns: [VPCFlowLogField]) {
        columns = knownColumns.map { .known($0) }
        index = Self.makeIndex(columns)
    }

    /// Parses a header line or a format string: names separated by spaces, each optionally written `${name}` as
    /// in the AWS `LogFormat` parameter.
    public init(_ text: String, source: String = "<format>") throws {
        var columns: [VPCFlowLogColumn] = []
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
            var name = Substring(token)
            if name.hasPrefix("${"), name.hasSuffix("}") { name = name.dropFirst(2).dropLast() }
            let column = VPCFlowLogField(rawValue: String(name)).map(VPCFlowLogColumn.known) ?? .other(String(name))
            if columns.contains(column) {
                throw VPCFlowLogError(source: source, line: 0, field: column.name, reason: .duplicateField)
            }
            columns.append(column)
        }
        guard columns.contains(.known(.srcaddr)), columns.contains(.known(.dstaddr)) else {
            throw VPCFlowLogError(source: source, line: 0, field: nil, reason: .formatLacksAddresses)
        }
        self.columns = columns
        index = Self.makeIndex(columns)
    }

    private static func makeIndex(_ columns: [VPCFlowLogColumn]) -> [Int] {
        var index = Array(repeating: -1, count: VPCFlowLogField.allCases.count)
        for (i, column) in columns.enumerated() {
            if case .known(let field) = column, let position = VPCFlowLogField.allCases.firstIndex(of: field) {
                index[position] = i
            }
        }
        return index
    }

    /// The column index of `field`, or nil when the format lacks it.
    public func column(of field: VPCFlowLogField) -> Int? {
        guard let position = VPCFlowLogField.allCases.firstIndex(of: field) else { return nil }
        let i = index[position]
        return i >= 0 ? i : nil
    }

    /// Whether a line is a header rather than data: every word is lower-case letters and dashes (data lines always
    /// hold digits: addresses, ports, times) and at least one is a known field name.
    public static func isHeader(_ line: some Collection<UInt8>) -> Bool {
        var sawWord = false
        var known = false
        var word: [UInt8] = []
        func endWord() {
            guard !word.isEmpty else { return }
            sawWord = true
            if VPCFlowLogField(rawValue: String(decoding: word, as: UTF8.self)) != nil { known = true }
            word.removeAll(keepingCapacity: true)
        }
        for byte in line {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "-"): word.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): endWord()
            default: return false
            }
        }
        endWord()
        return sawWord && known
    }
}

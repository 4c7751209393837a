/// Splits one CSV line (RFC 4180 quoting: `"a,b"` and `""` for a quote) into trimmed fields; nil when a quote is
/// left open. Multi-line quoted fields are not supported: inventories and feeds keep a row on one line.
enum CSVRow {
    static func fields(_ line: ArraySlice<UInt8>) -> [String]? {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var wasQuoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if inQuotes {
                if byte == 0x22 {
                    if index + 1 < line.endIndex, line[index + 1] == 0x22 {
                        current.append(0x22)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(byte)
                }
            } else if byte == 0x22, TextFile.trimmed(current[...]).isEmpty {
                current.removeAll()
                inQuotes = true
                wasQuoted = true
            } else if byte == 0x2C {
                fields.append(finish(current, quoted: wasQuoted))
                current.removeAll()
                wasQuoted = false
            } else {
                current.append(byte)
            }
            index += 1
        }
        guard !inQuotes else { return nil }
        fields.append(finish(current, quoted: wasQuoted))
        return fields
    }

    private static func finish(_ bytes: [UInt8], quoted: Bool) -> String {
        String(decoding: quoted ? bytes[...] : TextFile.trimmed(bytes[...]), as: UTF8.self)
    }
}

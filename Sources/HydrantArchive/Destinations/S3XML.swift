/// The little XML S3 speaks to us: find the text of a named element in a response, escape text for a request.
///
/// S3 responses are small, flat documents with unprefixed element names (`<UploadId>`, `<Code>`), so a scanner
/// that looks for the element by name is enough and cannot be led astray by attributes, namespaces, comments or
/// an XML declaration. Anything it cannot make sense of reads as absent, never as a crash.
enum S3XML {
    /// The text of the first element called `name` (attributes allowed on its start tag), entities decoded;
    /// nil when there is none or it is not closed.
    static func text(of name: String, in body: [UInt8]) -> String? {
        let nameBytes = Array(name.utf8)
        let count = body.count
        var index = 0
        while index < count {
            guard body[index] == UInt8(ascii: "<") else { index += 1; continue }
            let nameStart = index + 1
            let nameEnd = nameStart + nameBytes.count
            guard nameEnd < count, body[nameStart..<nameEnd].elementsEqual(nameBytes) else { index += 1; continue }
            let after = body[nameEnd]
            if after == UInt8(ascii: "/") {
                // `<Name/>`: present and empty.
                if nameEnd + 1 < count, body[nameEnd + 1] == UInt8(ascii: ">") { return "" }
                index += 1
                continue
            }
            guard after == UInt8(ascii: ">") || after == 0x20 || after == 0x09 || after == 0x0A || after == 0x0D else {
                index += 1
                continue
            }
            guard let close = body[nameEnd...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            if body[close - 1] == UInt8(ascii: "/") { return "" }
            let contentStart = close + 1
            let endTag = Array("</\(name)>".utf8)
            guard let contentEnd = find(endTag, in: body, from: contentStart) else { return nil }
            return unescape(body[contentStart..<contentEnd])
        }
        return nil
    }

    /// Whether the document's first element is called `name` (after any declaration, comments and whitespace).
    static func rootIs(_ name: String, in body: [UInt8]) -> Bool {
        var index = 0
        let count = body.count
        while index < count {
            let byte = body[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0xEF || byte == 0xBB || byte == 0xBF {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "<"), index + 1 < count else { return false }
            let next = body[index + 1]
            if next == UInt8(ascii: "?") || next == UInt8(ascii: "!") {
                guard let close = body[index...].firstIndex(of: UInt8(ascii: ">")) else { return false }
                index = close + 1
                continue
            }
            let nameBytes = Array(name.utf8)
            let nameEnd = index + 1 + nameBytes.count
            guard nameEnd < count, body[(index + 1)..<nameEnd].elementsEqual(nameBytes) else { return false }
            let after = body[nameEnd]
            return after == UInt8(ascii: ">") || after == UInt8(ascii: "/") || after == 0x20 || after == 0x09
                || after == 0x0A || after == 0x0D
        }
        return false
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Element content with the five predefined entities and numeric references decoded; an unknown or broken
    /// reference is kept as written.
    static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "&"),
                  let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else {
                out.append(byte)
                index += 1
                continue
            }
            let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            var replacement: [UInt8]?
            switch entity {
            case "amp": replacement = [UInt8(ascii: "&")]
            case "lt": replacement = [UInt8(ascii: "<")]
            case "gt": replacement = [UInt8(ascii: ">")]
            case "quot": replacement = [UInt8(ascii: "\"")]
            case "apos": replacement = [UInt8(ascii: "'")]
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { Array(String($0).utf8) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst(1)).flatMap(Unicode.Scalar.init).map { Array(String($0).utf8) }
                }
            }
            if let replacement {
                out.append(contentsOf: replacement)
                index = semicolon + 1
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index
            }
            index += 1
        }
        return nil
    }
}

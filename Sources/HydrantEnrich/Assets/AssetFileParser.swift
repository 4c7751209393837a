import Foundation

/// Reads asset inventories.
///
/// CSV: a header row naming the columns (`cidr` or `address`, then any of `name`, `zone`, `owner`, `criticality`,
/// in any order), one asset per row, `#` comment lines and blank lines ignored.
///
/// YAML: a list of flat mappings, optionally under a top-level `assets:` key:
///
///     assets:
///       - cidr: 10.20.0.0/16
///         name: payroll
///         criticality: high
///
/// Only this shape is read (plain, single- and double-quoted scalars, `#` comments); anything else is an error
/// naming the line, rather than a guess.
enum AssetFileParser {
    static let columns = ["name", "zone", "owner", "criticality"]

    static func parse(path: String) throws(EnrichError) -> [(prefix: IPPrefix, asset: Asset)] {
        let bytes = try TextFile.read(path)
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { return try parseCSV(bytes, path: path) }
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return try parseYAML(bytes, path: path) }
        throw EnrichError(path: path, "asset inventory must be .csv, .yaml or .yml")
    }

    static func parseCSV(_ bytes: [UInt8], path: String) throws(EnrichError) -> [(prefix: IPPrefix, asset: Asset)] {
        var header: [String]?
        var entries: [(prefix: IPPrefix, asset: Asset)] = []
        var failure: EnrichError?
        TextFile.forEachLine(bytes) { raw, number in
            guard failure == nil else { return }
            let line = TextFile.trimmed(raw)
            if line.isEmpty || line.first == UInt8(ascii: "#") { return }
            guard let fields = CSVRow.fields(line) else {
                failure = EnrichError(path: path, line: number, "unterminated quoted field")
                return
            }
            guard let columns = header else {
                let names = fields.map { $0.lowercased() }
                guard let key = names.firstIndex(where: { $0 == "cidr" || $0 == "address" || $0 == "ip" }) else {
                    failure = EnrichError(path: path, line: number,
                                          "header must name a `cidr` or `address` column, got \(fields)")
                    return
                }
                for (index, name) in names.enumerated() where index != key && !columns.contains(name) {
                    failure = EnrichError(path: path, line: number,
                                          "unknown column \"\(name)\" (expected name, zone, owner, criticality)")
                    return
                }
                header = names
                return
            }
            guard fields.count == columns.count else {
                failure = EnrichError(path: path, line: number,
                                      "expected \(columns.count) fields as in the header, got \(fields.count)")
                return
            }
            var values: [String: String] = [:]
            for (name, value) in zip(columns, fields) where !value.isEmpty { values[name] = value }
            do throws(EnrichError) {
                entries.append(try entry(values, path: path, line: number))
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        guard header != nil else { throw EnrichError(path: path, "no header row") }
        return entries
    }

    private static func entry(_ values: [String: String], path: String, line: Int) throws(EnrichError)
        -> (prefix: IPPrefix, asset: Asset) {
        guard let text = values["cidr"] ?? values["address"] ?? values["ip"] else {
            throw EnrichError(path: path, line: line, "missing cidr/address")
        }
        guard let prefix = IPPrefix(text) else {
            throw EnrichError(path: path, line: line, "\"\(text)\" is not a CIDR block or address")
        }
        return (prefix, Asset(name: values["name"], zone: values["zone"], owner: values["owner"],
                              criticality: values["criticality"]))
    }

    static func parseYAML(_ bytes: [UInt8], path: String) throws(EnrichError) -> [(prefix: IPPrefix, asset: Asset)] {
        var entries: [(prefix: IPPrefix, asset: Asset)] = []
        var current: [String: String]?
        var currentLine = 0
        var itemIndent = -1
        var failure: EnrichError?
        func finish() {
            guard let values = current, failure == nil else { return }
            do throws(EnrichError) {
                entries.append(try entry(values, path: path, line: currentLine))
            } catch {
                failure = error
            }
            current = nil
        }
        TextFile.forEachLine(bytes) { raw, number in
            guard failure == nil else { return }
            let content = TextFile.strippingComment(raw)
            let trimmed = TextFile.trimmed(content)
            if trimmed.isEmpty || (number == 1 && Array(trimmed) == Array("---".utf8)) { return }
            var indent = 0
            while indent < content.count, content[content.startIndex + indent] == 0x20 { indent += 1 }
            if content[content.startIndex..<content.startIndex + indent].contains(0x09) || content.first == 0x09 {
                failure = EnrichError(path: path, line: number, "tabs are not allowed for indentation in YAML")
                return
            }
            var text = String(decoding: trimmed, as: UTF8.self)
            if current == nil, entries.isEmpty, indent == 0, text == "assets:" { return }
            if text.hasPrefix("- ") || text == "-" {
                finish()
                current = [:]
                currentLine = number
                itemIndent = indent + 2
                text = String(text.dropFirst(2)).trimmingSpaces
                if text.isEmpty { return }
            } else {
                guard current != nil, indent >= itemIndent, itemIndent >= 0 else {
                    failure = EnrichError(path: path, line: number,
                                          "expected a list item `- cidr: …` (the inventory is a list of mappings)")
                    return
                }
            }
            guard let colon = text.firstIndex(of: ":") else {
                failure = EnrichError(path: path, line: number, "expected `key: value`, got \"\(text)\"")
                return
            }
            let key = String(text[..<colon]).trimmingSpaces.lowercased()
            let rawValue = String(text[text.index(after: colon)...]).trimmingSpaces
            guard key == "cidr" || key == "address" || key == "ip" || columns.contains(key) else {
                failure = EnrichError(path: path, line: number,
                                      "unknown key \"\(key)\" (expected cidr, address, name, zone, owner, criticality)")
                return
            }
            guard let value = scalar(rawValue) else {
                failure = EnrichError(path: path, line: number, "\"\(rawValue)\" is not a plain or quoted scalar")
                return
            }
            guard current?[key] == nil else {
                failure = EnrichError(path: path, line: number, "key \"\(key)\" repeated in one item")
                return
            }
            if !value.isEmpty { current?[key] = value }
        }
        finish()
        if let failure { throw failure }
        return entries
    }

    /// A YAML scalar: plain, `'single'` (with `''`), or `"double"` (with `\"`, `\\`, `\n`, `\t`); nil for other
    /// syntax (flow collections, anchors, block scalars).
    private static func scalar(_ text: String) -> String? {
        guard let first = text.first else { return "" }
        if first == "'" {
            guard text.count >= 2, text.last == "'" else { return nil }
            return String(text.dropFirst().dropLast()).replacingAll("''", with: "'")
        }
        if first == "\"" {
            guard text.count >= 2, text.last == "\"" else { return nil }
            var out = ""
            var escaped = false
            for character in text.dropFirst().dropLast() {
                if escaped {
                    switch character {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\"", "\\", "/": out.append(character)
                    default: return nil
                    }
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else {
                    out.append(character)
                }
            }
            return escaped ? nil : out
        }
        if "[{&*|>!%@`".contains(first) { return nil }
        return text
    }
}

extension String {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}

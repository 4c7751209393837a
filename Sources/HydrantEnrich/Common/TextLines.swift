import Foundation

/// Reads a whole text file for the loaders (inventories, indicator feeds, the Public Suffix List), with an error
/// that names the file and the system's reason.
enum TextFile {
    static func read(_ path: String) throws(EnrichError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "does not exist"
            throw EnrichError(path: path, "file \(reason)")
        }
        return [UInt8](data)
    }

    /// Calls `body` with each line (without its `\n` or `\r\n`) and its 1-based number.
    static func forEachLine(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>, Int) throws -> Void) rethrows {
        var start = 0
        var number = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            number += 1
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(bytes[start..<stop], number)
            start = end + 1
        }
    }

    /// `line` without leading and trailing spaces and tabs.
    static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lower = line.startIndex
        var upper = line.endIndex
        while lower < upper, line[lower] == 0x20 || line[lower] == 0x09 { lower += 1 }
        while upper > lower, line[upper - 1] == 0x20 || line[upper - 1] == 0x09 { upper -= 1 }
        return line[lower..<upper]
    }

    /// `line` up to an unquoted `#` comment that starts the line or follows whitespace.
    static func strippingComment(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var inQuotes = false
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            if byte == 0x22 { inQuotes.toggle() }
            if byte == 0x23, !inQuotes, index == line.startIndex || line[index - 1] == 0x20 || line[index - 1] == 0x09 {
                return line[line.startIndex..<index]
            }
            index += 1
        }
        return line
    }
}

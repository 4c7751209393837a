/// A lexical pass over the raw document before Yams composes it, refusing what would make composing expensive or
/// recursive beyond bounds: anchors and aliases (alias bombs hash exponentially in Yams' duplicate-key check) and
/// deep nesting (Yams composes recursively).
///
/// It is conservative, not a YAML parser: it tracks quoted scalars, comments, block scalars and flow collections,
/// and treats `&` and `*` as anchors or aliases only where a node can start.
struct YAMLPreflight {
    /// What the pass refused, with a 1-based line and column.
    struct Failure: Error {
        let kind: ConfigurationError.Kind
        let line: Int
        let column: Int
        let message: String
    }

    let maximumIndentation: Int
    let maximumFlowDepth: Int

    func check(_ text: String) throws(Failure) {
        var inDouble = false
        var inSingle = false
        var flowDepth = 0
        var blockScalarParentIndent: Int? = nil
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let bytes = Array(line.utf8)
            var index = 0
            var indent = 0
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1; indent += 1 }
            let blank = index >= bytes.count || bytes[index] == UInt8(ascii: "\r") || bytes[index] == UInt8(ascii: "#")
            if let parent = blockScalarParentIndent {
                if blank || indent > parent { continue }
                blockScalarParentIndent = nil
            }
            var nodeStart = !(inDouble || inSingle)
            if !inDouble, !inSingle, flowDepth == 0 {
                // Leading sequence and complex-key indicators each open a level on the same line.
                var column = indent
                var probe = index
                while probe + 1 < bytes.count, bytes[probe] == UInt8(ascii: "-") || bytes[probe] == UInt8(ascii: "?"),
                      bytes[probe + 1] == UInt8(ascii: " ") || bytes[probe + 1] == UInt8(ascii: "\t") {
                    probe += 2
                    column += 2
                    while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") { probe += 1; column += 1 }
                }
                if column > maximumIndentation {
                    throw Failure(kind: .tooDeep, line: lineNumber, column: column + 1,
                                  message: "is indented \(column) columns; hydrant.yaml nests at most \(maximumIndentation) columns deep")
                }
            }
            var previous: UInt8 = UInt8(ascii: " ")
            while index < bytes.count {
                let byte = bytes[index]
                let next: UInt8 = index + 1 < bytes.count ? bytes[index + 1] : UInt8(ascii: "\n")
                let nextIsSpace = next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n")
                    || next == UInt8(ascii: "\r")
                defer { previous = byte; index += 1 }
                if inDouble {
                    if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inDouble = false }
                    continue
                }
                if inSingle {
                    if byte == UInt8(ascii: "'") {
                        if next == UInt8(ascii: "'") { index += 1 } else { inSingle = false }
                    }
                    continue
                }
                if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") { continue }
                if byte == UInt8(ascii: "#"), previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t") {
                    index = bytes.count
                    continue
                }
                let isDash = byte == UInt8(ascii: "-") || byte == UInt8(ascii: "?")
                if nodeStart {
                    if byte == UInt8(ascii: "&") || byte == UInt8(ascii: "*") {
                        throw Failure(kind: .aliasNotAllowed, line: lineNumber, column: index + 1,
                                      message: "YAML anchors and aliases ('&', '*') are not allowed in hydrant.yaml; write values out")
                    }
                    if byte == UInt8(ascii: "\"") { inDouble = true; nodeStart = false; continue }
                    if byte == UInt8(ascii: "'") { inSingle = true; nodeStart = false; continue }
                    if flowDepth == 0, byte == UInt8(ascii: "|") || byte == UInt8(ascii: ">") {
                        blockScalarParentIndent = indent
                        index = bytes.count
                        continue
                    }
                    if isDash, nextIsSpace { continue }
                }
                if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{"), nodeStart || flowDepth > 0 {
                    flowDepth += 1
                    if flowDepth > maximumFlowDepth {
                        throw Failure(kind: .tooDeep, line: lineNumber, column: index + 1,
                                      message: "nests flow collections more than \(maximumFlowDepth) deep")
                    }
                    nodeStart = true
                } else if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}"), flowDepth > 0 {
                    flowDepth -= 1
                    nodeStart = false
                } else if byte == UInt8(ascii: ","), flowDepth > 0 {
                    nodeStart = true
                } else if byte == UInt8(ascii: ":"), nextIsSpace || flowDepth > 0 {
                    nodeStart = true
                } else {
                    nodeStart = false
                }
            }
        }
    }
}

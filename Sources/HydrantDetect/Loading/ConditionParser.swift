/// Parses a Sigma condition into an expression over the detection's search identifiers.
///
/// Grammar and precedence (least binding first): `or`, `and`, `not`, `1 of`/`any of`/`all of`, parentheses.
/// Keywords are lowercase only, as in pySigma; an uppercase `AND`/`OR`/`NOT` is refused with a hint. A selector
/// whose pattern matches no identifier is an error (pySigma drops it silently, which hides typos).
struct ConditionParser {
    /// A parse failure, with the offending token.
    struct Failure: Error {
        let message: String
    }

    private enum Token: Equatable {
        case word(String)
        case open
        case close
    }

    private static let uppercaseKeywords: Set<String> = ["AND", "OR", "NOT", "And", "Or", "Not", "OF", "Of", "THEM", "ALL", "ANY"]

    private let identifiers: [String: DetectionExpression]
    private let order: [String]
    private var tokens: [Token] = []
    private var position = 0

    /// A parser for conditions over `identifiers` (in document order, which `them` and patterns keep).
    init(identifiers: [(String, DetectionExpression)]) {
        var map: [String: DetectionExpression] = [:]
        for (name, expression) in identifiers { map[name] = expression }
        self.identifiers = map
        self.order = identifiers.map(\.0)
    }

    /// Parses one condition string.
    mutating func parse(_ text: String) throws(Failure) -> DetectionExpression {
        if text.contains("|") {
            throw Failure(message: "condition \"\(text)\" uses the legacy pipe aggregation syntax; write a correlation rule instead")
        }
        tokens = try Self.tokenize(text)
        position = 0
        guard !tokens.isEmpty else { throw Failure(message: "condition is empty") }
        let expression = try orExpression()
        if position < tokens.count {
            if case .word(let word) = tokens[position], Self.uppercaseKeywords.contains(word) {
                throw Failure(message: "uppercase \"\(word)\" in condition; Sigma condition keywords are lowercase (\(word.lowercased()))")
            }
            throw Failure(message: "unexpected \(describe(tokens[position])) in condition \"\(text)\"")
        }
        return expression
    }

    private static func tokenize(_ text: String) throws(Failure) -> [Token] {
        var tokens: [Token] = []
        var word = ""
        func flush() {
            if !word.isEmpty { tokens.append(.word(word)); word = "" }
        }
        for character in text {
            switch character {
            case "(": flush(); tokens.append(.open)
            case ")": flush(); tokens.append(.close)
            case " ", "\t", "\n", "\r": flush()
            default:
                guard character.isASCII, character.isLetter || character.isNumber || character == "_" || character == "-"
                        || character == "*" else {
                    throw Failure(message: "unexpected character \"\(character)\" in condition \"\(text)\"")
                }
                word.append(character)
            }
        }
        flush()
        return tokens
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .word(let w): return "\"\(w)\""
        case .open: return "\"(\""
        case .close: return "\")\""
        }
    }

    private func peekWord() -> String? {
        guard position < tokens.count, case .word(let w) = tokens[position] else { return nil }
        return w
    }

    private mutating func orExpression() throws(Failure) -> DetectionExpression {
        var items = [try andExpression()]
        while peekWord() == "or" {
            position += 1
            items.append(try andExpression())
        }
        return items.count == 1 ? items[0] : .or(items)
    }

    private mutating func andExpression() throws(Failure) -> DetectionExpression {
        var items = [try notExpression()]
        while peekWord() == "and" {
            position += 1
            items.append(try notExpression())
        }
        return items.count == 1 ? items[0] : .and(items)
    }

    private mutating func notExpression() throws(Failure) -> DetectionExpression {
        if peekWord() == "not" {
            position += 1
            return .not(try notExpression())
        }
        return try atom()
    }

    private mutating func atom() throws(Failure) -> DetectionExpression {
        guard position < tokens.count else { throw Failure(message: "condition ends where an identifier was expected") }
        switch tokens[position] {
        case .open:
            position += 1
            let inner = try orExpression()
            guard position < tokens.count, tokens[position] == .close else {
                throw Failure(message: "missing \")\" in condition")
            }
            position += 1
            return inner
        case .close:
            throw Failure(message: "unexpected \")\" in condition")
        case .word(let word):
            if Self.uppercaseKeywords.contains(word) {
                throw Failure(message: "uppercase \"\(word)\" in condition; Sigma condition keywords are lowercase (\(word.lowercased()))")
            }
            if ["and", "or", "of", "them"].contains(word) {
                throw Failure(message: "unexpected \"\(word)\" in condition")
            }
            if position + 1 < tokens.count, tokens[position + 1] == .word("of") {
                return try selector(quantifier: word)
            }
            if word.contains("*") {
                throw Failure(message: "pattern \"\(word)\" must follow \"1 of\" or \"all of\"")
            }
            guard let expression = identifiers[word] else {
                throw Failure(message: "condition names undefined identifier \"\(word)\"")
            }
            position += 1
            return expression
        }
    }

    private mutating func selector(quantifier: String) throws(Failure) -> DetectionExpression {
        guard quantifier == "1" || quantifier == "any" || quantifier == "all" else {
            throw Failure(message: "\"\(quantifier) of\": the quantifier must be 1, any or all")
        }
        position += 2
        guard let target = peekWord() else { throw Failure(message: "\"\(quantifier) of\" must be followed by a pattern or them") }
        position += 1
        let names: [String]
        if target == "them" {
            names = order.filter { !$0.hasPrefix("_") }
        } else {
            guard !target.contains("-") else {
                throw Failure(message: "pattern \"\(target)\" may not contain \"-\"")
            }
            let pattern = SigmaPattern(parsing: target)
            names = order.filter { name in
                Array(name.utf8).withUnsafeBufferPointer { GlobMatcher.matches(pattern.pieces, $0) }
                    && (!name.hasPrefix("_") || target.hasPrefix("_"))
            }
        }
        guard !names.isEmpty else {
            throw Failure(message: "\"\(quantifier) of \(target)\" matches no search identifier")
        }
        let items = names.compactMap { identifiers[$0] }
        if items.count == 1 { return items[0] }
        return quantifier == "all" ? .and(items) : .or(items)
    }
}

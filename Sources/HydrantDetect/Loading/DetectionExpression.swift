/// A detection as a boolean expression over field tests, before (rule field names) and after (ECS names)
/// field mapping.
public indirect enum DetectionExpression: Hashable, Sendable {
    /// A test of one field; a nil field is a keyword, searched in the dataset's keyword fields.
    case test(field: String?, matcher: ValueMatcher)
    /// All must hold.
    case and([DetectionExpression])
    /// One must hold.
    case or([DetectionExpression])
    /// Negation.
    case not(DetectionExpression)
    /// A fixed result (an empty `and` or `or`, or a dropped item).
    case constant(Bool)

    /// Every field the expression reads (`fieldref` targets included), in first-use order.
    var fields: [String] {
        var out: [String] = []
        var seen = Set<String>()
        func visit(_ e: DetectionExpression) {
            switch e {
            case .test(let field, let matcher):
                if let field, seen.insert(field).inserted { out.append(field) }
                if case .fieldReference(let other, _, _) = matcher, seen.insert(other).inserted { out.append(other) }
            case .and(let items), .or(let items): items.forEach(visit)
            case .not(let inner): visit(inner)
            case .constant: break
            }
        }
        visit(self)
        return out
    }

    /// Whether any test is a keyword (unbound) test.
    var hasKeywords: Bool {
        switch self {
        case .test(let field, _): return field == nil
        case .and(let items), .or(let items): return items.contains { $0.hasKeywords }
        case .not(let inner): return inner.hasKeywords
        case .constant: return false
        }
    }

    /// The expression with each test rewritten by `transform` (which may return a compound expression).
    func rewritingTests(_ transform: (String?, ValueMatcher) throws -> DetectionExpression) rethrows -> DetectionExpression {
        switch self {
        case .test(let field, let matcher): return try transform(field, matcher)
        case .and(let items): return .and(try items.map { try $0.rewritingTests(transform) })
        case .or(let items): return .or(try items.map { try $0.rewritingTests(transform) })
        case .not(let inner): return .not(try inner.rewritingTests(transform))
        case .constant: return self
        }
    }
}

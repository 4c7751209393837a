/// Lifts the items of nested `or`s into the `or` that holds them (and of nested `and`s into their `and`) before a
/// condition is compiled.
///
/// A keyword list is an `or` of keywords, each searched in several fields (an `or` per keyword), and `1 of
/// selection_*` is an `or` of selections that are often `or`s themselves. Compiled as written, an `or` of 30
/// keywords over 5 HTTP fields is 30 nodes below the `or`, each visited through a call on every candidate record;
/// flat, it is one `or` of 150 atoms, decided by counting the atoms that fired (`CountedNodes`). `and` and `or` are
/// associative and every item is a pure test of the record, so the result is the same; only the order in which
/// non-counted children are tried changes, and that decides nothing but cost.
enum ConditionFlattening {
    /// Appends `items` to `flat`, with the items of any nested node of the same kind (`and` when `isAnd`, else `or`)
    /// in its place, recursively; in an `or`, a keyword (a test without a field) is replaced by its tests of
    /// `keywordFields` (none: the keyword is `false`, kept as the constant).
    static func splice(_ items: [DetectionExpression], isAnd: Bool, keywordFields: [String],
                       into flat: inout [DetectionExpression]) {
        for item in items {
            switch item {
            case .and(let inner) where isAnd:
                splice(inner, isAnd: true, keywordFields: keywordFields, into: &flat)
            case .or(let inner) where !isAnd:
                splice(inner, isAnd: false, keywordFields: keywordFields, into: &flat)
            case .test(nil, let matcher) where !isAnd && !keywordFields.isEmpty:
                for field in keywordFields { flat.append(.test(field: field, matcher: matcher)) }
            default:
                flat.append(item)
            }
        }
    }
}

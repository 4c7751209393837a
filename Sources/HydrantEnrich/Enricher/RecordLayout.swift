import HydrantRecords
/// Where, in one JSON record, the fields the enricher reads are, and where the objects it extends close.
/// Positions are offsets into the record; `-1` means the object is absent.
struct RecordLayout: Equatable {
    /// `source` or `destination`.
    struct Endpoint: Equatable {
        var ip: Range<Int>?
        var close = -1
        var isEmpty = true
        var hasGeo = false
        var hasAsset = false
    }

    var close = -1
    var isEmpty = true
    var source = Endpoint()
    var destination = Endpoint()
    var networkClose = -1
    var networkIsEmpty = true
    var hasNetwork = false
    var hasDirection = false
    var questionName: Range<Int>?
    var questionClose = -1
    var questionIsEmpty = true
    var hasScores = false
    var urlDomain: Range<Int>?
    var urlOriginal: Range<Int>?
    var serverName: Range<Int>?
    var ja3: Range<Int>?
    var ja4: Range<Int>?
    var hasThreat = false

    /// Reads the layout of the record in `bytes` (with its `masks` when it has them); nil when it is not one
    /// well-formed JSON object (surrounded by whitespace), which the enricher then passes through untouched.
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, masks: StructuralMasks? = nil) -> RecordLayout? {
        var layout = RecordLayout()
        var walker = RecordWalker(bytes, masks: masks)
        walker.skipWhitespace()
        guard walker.openObject() else { return nil }
        var first = true
        while true {
            switch walker.nextMember(first: first) {
            case .malformed:
                return nil
            case .end(let close):
                layout.close = close
                layout.isEmpty = first
                walker.skipWhitespace()
                return walker.index == bytes.count ? layout : nil
            case .key(let name):
                first = false
                let ok: Bool
                if walker.name(name, is: "source") {
                    ok = endpoint(&walker, &layout.source)
                } else if walker.name(name, is: "destination") {
                    ok = endpoint(&walker, &layout.destination)
                } else if walker.name(name, is: "network") {
                    ok = network(&walker, &layout)
                } else if walker.name(name, is: "dns") {
                    ok = dns(&walker, &layout)
                } else if walker.name(name, is: "url") {
                    ok = url(&walker, &layout)
                } else if walker.name(name, is: "tls") {
                    ok = tls(&walker, &layout)
                } else {
                    if walker.name(name, is: "threat") { layout.hasThreat = true }
                    ok = walker.skipValue()
                }
                guard ok else { return nil }
                walker.afterValue()
            }
        }
    }

    /// Walks the members of the object at the walker (or skips a non-object value), calling `member` for each name;
    /// `member` must consume the value. Returns the close position and emptiness, (-1, true) for a non-object, or
    /// nil when malformed.
    @inline(__always)
    private static func members(_ walker: inout RecordWalker,
                                _ member: (inout RecordWalker, Range<Int>) -> Bool) -> (close: Int, isEmpty: Bool)? {
        guard walker.atObject else { return walker.skipValue() ? (-1, true) : nil }
        _ = walker.openObject()
        var first = true
        while true {
            switch walker.nextMember(first: first) {
            case .malformed:
                return nil
            case .end(let close):
                return (close, first)
            case .key(let name):
                first = false
                guard member(&walker, name) else { return nil }
                walker.afterValue()
            }
        }
    }

    private static func endpoint(_ walker: inout RecordWalker, _ endpoint: inout Endpoint) -> Bool {
        var found = endpoint
        guard let object = members(&walker, { walker, name in
            if walker.name(name, is: "ip") { return walker.captureString(&found.ip) }
            if walker.name(name, is: "geo") || walker.name(name, is: "as") { found.hasGeo = true }
            if walker.name(name, is: "asset") { found.hasAsset = true }
            return walker.skipValue()
        }) else { return false }
        found.close = object.close
        found.isEmpty = object.isEmpty
        endpoint = found
        return true
    }

    private static func network(_ walker: inout RecordWalker, _ layout: inout RecordLayout) -> Bool {
        var hasDirection = false
        guard let object = members(&walker, { walker, name in
            if walker.name(name, is: "direction") { hasDirection = true }
            return walker.skipValue()
        }) else { return false }
        layout.hasNetwork = true
        layout.hasDirection = hasDirection
        layout.networkClose = object.close
        layout.networkIsEmpty = object.isEmpty
        return true
    }

    private static func dns(_ walker: inout RecordWalker, _ layout: inout RecordLayout) -> Bool {
        var name: Range<Int>?
        var hasScores = false
        var question: (close: Int, isEmpty: Bool) = (-1, true)
        guard members(&walker, { walker, member in
            guard walker.name(member, is: "question") else { return walker.skipValue() }
            guard let object = members(&walker, { walker, field in
                if walker.name(field, is: "name") { return walker.captureString(&name) }
                if walker.name(field, is: "entropy") || walker.name(field, is: "dga_score") { hasScores = true }
                return walker.skipValue()
            }) else { return false }
            question = object
            return true
        }) != nil else { return false }
        layout.questionName = name
        layout.questionClose = question.close
        layout.questionIsEmpty = question.isEmpty
        layout.hasScores = hasScores
        return true
    }

    private static func url(_ walker: inout RecordWalker, _ layout: inout RecordLayout) -> Bool {
        var domain: Range<Int>?
        var original: Range<Int>?
        guard members(&walker, { walker, name in
            if walker.name(name, is: "domain") { return walker.captureString(&domain) }
            if walker.name(name, is: "original") { return walker.captureString(&original) }
            return walker.skipValue()
        }) != nil else { return false }
        layout.urlDomain = domain
        layout.urlOriginal = original
        return true
    }

    private static func tls(_ walker: inout RecordWalker, _ layout: inout RecordLayout) -> Bool {
        var serverName: Range<Int>?
        var ja3: Range<Int>?
        var ja4: Range<Int>?
        guard members(&walker, { walker, member in
            guard walker.name(member, is: "client") else { return walker.skipValue() }
            return members(&walker, { walker, field in
                if walker.name(field, is: "server_name") { return walker.captureString(&serverName) }
                if walker.name(field, is: "ja3") { return walker.captureString(&ja3) }
                if walker.name(field, is: "ja4") { return walker.captureString(&ja4) }
                return walker.skipValue()
            }) != nil
        }) != nil else { return false }
        layout.serverName = serverName
        layout.ja3 = ja3
        layout.ja4 = ja4
        return true
    }
}

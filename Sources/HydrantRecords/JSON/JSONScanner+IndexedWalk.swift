extension JSONScanner {
    /// `find` for a document whose quotes are indexed (no escapes, no control byte inside a string) and whose first
    /// byte after any whitespace is `{`: one loop with an explicit stack of containers instead of a call per value,
    /// each string skipped by a bit search, and the bytes that must follow a name or a value compared where they sit
    /// (compact JSON has no whitespace to skip there). Nil when the document does not start with `{` (the recursive
    /// walk decides); otherwise whether it is well-formed, with `results` filled as `find` says. Accepts, rejects and
    /// finds exactly what the recursive walk does.
    static func walkIndexedObject(_ paths: [JSONPath], in document: UnsafeBufferPointer<UInt8>, quotes: StructuralMasks,
                                  mask: UInt64, maximumDepth: Int, results: inout [JSONScalar?]) -> Bool? {
        guard let base = document.baseAddress, maximumDepth >= 1 else { return nil }
        let count = document.count
        var position = 0
        while position < count, isWhitespace(base[position]) { position &+= 1 }
        guard position < count, base[position] == UInt8(ascii: "{") else { return nil }
        // Per depth (the outermost object is 1): whether the container is an object, and the paths whose names
        // matched the way to it. Every level opens with a byte of the document, so no walk goes deeper than its
        // length, whatever bound the caller set.
        let depthLimit = min(maximumDepth, count)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: depthLimit + 1) { pathMasks in
            withUnsafeTemporaryAllocation(of: Bool.self, capacity: depthLimit + 1) { isObject in
                guard let pathMasks = pathMasks.baseAddress, let isObject = isObject.baseAddress else { return false }
                var walk = IndexedObjectWalk(base: base, count: count, quotes: quotes, paths: paths,
                                             maximumDepth: depthLimit, pathMasks: pathMasks, isObject: isObject)
                return walk.run(openingBrace: position, mask: mask, results: &results)
            }
        }
    }
}

/// The state of `JSONScanner.walkIndexedObject`.
private struct IndexedObjectWalk {
    let base: UnsafePointer<UInt8>
    let count: Int
    let quotes: StructuralMasks
    let paths: [JSONPath]
    let maximumDepth: Int
    let pathMasks: UnsafeMutablePointer<UInt64>
    let isObject: UnsafeMutablePointer<Bool>

    mutating func run(openingBrace: Int, mask: UInt64, results: inout [JSONScalar?]) -> Bool {
        var depth = 1
        pathMasks[1] = mask
        isObject[1] = true
        var position = openingBrace &+ 1
        // Whether `position` is just inside a container, where its closing bracket may come at once.
        var opened = true
        while true {
            position = skipWhitespace(position)
            guard position < count else { return false }
            var byte = base[position]
            var valueMask: UInt64 = 0
            let inObject = isObject[depth]
            if opened && byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                // An empty container: it is the value, and what follows it is checked below.
                position &+= 1
                depth &-= 1
                if depth == 0 { return skipWhitespace(position) == count }
            } else {
                if inObject {
                    guard byte == UInt8(ascii: "\"") else { return false }
                    let nameEnd = quotes.nextQuote(from: position &+ 1)
                    guard nameEnd < count else { return false }
                    let objectMask = pathMasks[depth]
                    if objectMask != 0 {
                        valueMask = childMask(objectMask, name: (position &+ 1)..<nameEnd, depth: depth)
                        var cleared = valueMask
                        while cleared != 0 {
                            // A repeated member replaces what an earlier one set, even when the new value is not a
                            // scalar.
                            results[cleared.trailingZeroBitCount] = nil
                            cleared &= cleared &- 1
                        }
                    }
                    position = skipWhitespace(nameEnd &+ 1)
                    guard position < count, base[position] == UInt8(ascii: ":") else { return false }
                    position = skipWhitespace(position &+ 1)
                    guard position < count else { return false }
                    byte = base[position]
                }
                switch byte {
                case UInt8(ascii: "\""):
                    let end = quotes.nextQuote(from: position &+ 1)
                    guard end < count else { return false }
                    record(JSONScalar(kind: .string(hasEscapes: false), range: (position &+ 1)..<end), depth: depth,
                           mask: valueMask, results: &results)
                    position = end &+ 1
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth &+= 1
                    guard depth <= maximumDepth else { return false }
                    let opensObject = byte == UInt8(ascii: "{")
                    isObject[depth] = opensObject
                    pathMasks[depth] = opensObject ? valueMask : 0
                    position &+= 1
                    opened = true
                    continue
                case UInt8(ascii: "t"):
                    guard literal("true", at: position) else { return false }
                    record(JSONScalar(kind: .bool(true), range: position..<(position &+ 4)), depth: depth,
                           mask: valueMask, results: &results)
                    position &+= 4
                case UInt8(ascii: "f"):
                    guard literal("false", at: position) else { return false }
                    record(JSONScalar(kind: .bool(false), range: position..<(position &+ 5)), depth: depth,
                           mask: valueMask, results: &results)
                    position &+= 5
                case UInt8(ascii: "n"):
                    guard literal("null", at: position) else { return false }
                    position &+= 4
                default:
                    guard let end = number(at: position) else { return false }
                    record(JSONScalar(kind: .number, range: position..<end), depth: depth, mask: valueMask,
                           results: &results)
                    position = end
                }
            }
            // After a value: a comma, or the bracket closing its container (which is a value in turn).
            while true {
                position = skipWhitespace(position)
                guard position < count else { return false }
                let next = base[position]
                if next == UInt8(ascii: ",") {
                    position &+= 1
                    opened = false
                    break
                }
                guard next == (isObject[depth] ? UInt8(ascii: "}") : UInt8(ascii: "]")) else { return false }
                position &+= 1
                depth &-= 1
                if depth == 0 { return skipWhitespace(position) == count }
            }
        }
    }

    @inline(__always)
    func skipWhitespace(_ start: Int) -> Int {
        var position = start
        while position < count, JSONScanner.isWhitespace(base[position]) { position &+= 1 }
        return position
    }

    /// The paths of `mask` (those matching the way to this object, at `depth`) whose next name is `name`.
    func childMask(_ mask: UInt64, name: Range<Int>, depth: Int) -> UInt64 {
        var matched: UInt64 = 0
        var remaining = mask
        while remaining != 0 {
            let number = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            let components = paths[number].components
            // `depth` counts this object; its members are component `depth - 1` of a path.
            guard components.count >= depth else { continue }
            let matches = components[depth &- 1].withUnsafeBufferPointer { expected in
                guard expected.count == name.count else { return false }
                var offset = 0
                while offset < expected.count {
                    guard base[name.lowerBound &+ offset] == expected[offset] else { return false }
                    offset &+= 1
                }
                return true
            }
            if matches { matched |= 1 &<< UInt64(number) }
        }
        return matched
    }

    @inline(__always)
    func record(_ scalar: JSONScalar, depth: Int, mask: UInt64, results: inout [JSONScalar?]) {
        var remaining = mask
        while remaining != 0 {
            let number = remaining.trailingZeroBitCount
            remaining &= remaining &- 1
            if paths[number].components.count == depth { results[number] = scalar }
        }
    }

    @inline(__always)
    func literal(_ word: StaticString, at start: Int) -> Bool {
        JSONScanner.isLiteral(word, in: UnsafeBufferPointer(start: base, count: count), at: start)
    }

    @inline(__always)
    func number(at start: Int) -> Int? {
        JSONScanner.numberEnd(in: UnsafeBufferPointer(start: base, count: count), from: start)
    }
}

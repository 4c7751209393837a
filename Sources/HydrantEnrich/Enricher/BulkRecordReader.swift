/// The record walk for the common record, checked in bulk: a compact JSON object (no whitespace between tokens)
/// whose values are strings, numbers and objects, with no escapes or control bytes. One pass builds `TokenMasks` for
/// each 64 bytes and checks the grammar with bit operations on whole words: every token's neighbours are ones the
/// grammar allows, and every string that opens a member (after `{` or `,`) is a key closed by a `:` and no other is.
/// Then a short loop over only the keys and braces, keys told apart by length and one or two eight-byte compares,
/// fills the `RecordLayout`: members are not stepped over one by one, and unread values are not looked at at all.
///
/// Anything else (whitespace, arrays, literals, escapes, a record over `maximumBytes`) makes it give up, and the
/// enricher walks the record member by member (`CompactRecordReader`, then `RecordLayout.read`, which decides). A
/// layout returned here is always the one `RecordLayout.read` returns, since what it accepts is valid JSON that
/// walk accepts too (tested on every truncation and thousands of mutations of generated records).
///
/// The masks of the keys and braces are kept between the check and the loop, so a reader belongs to one task.
final class BulkRecordReader {
    /// Longer records are walked member by member.
    static let maximumBytes = 32 << 10
    /// The deepest nesting read in bulk; deeper records are walked member by member (which bounds skipped values at
    /// `RecordWalker.maximumDepth`, so everything accepted here is accepted there).
    static let maximumDepth = 64

    private static let maximumBlocks = maximumBytes / 64
    /// Quote bits, one word per 64 bytes.
    private let quoteWords: UnsafeMutablePointer<UInt64>
    /// Bits of the opening quotes of keys and of the braces outside strings: the stops of the layout loop.
    private let stopWords: UnsafeMutablePointer<UInt64>
    /// A block of spaces holding a record shorter than 64 bytes while it is classified.
    private let padded: UnsafeMutablePointer<UInt8>
    /// The layout being filled, in memory rather than in registers: the loop updates a few of its many fields at
    /// each stop.
    private let layout: UnsafeMutablePointer<RecordLayout>

    /// A reader with room for records of up to `maximumBytes`.
    init() {
        quoteWords = .allocate(capacity: Self.maximumBlocks)
        quoteWords.initialize(repeating: 0, count: Self.maximumBlocks)
        stopWords = .allocate(capacity: Self.maximumBlocks)
        stopWords.initialize(repeating: 0, count: Self.maximumBlocks)
        padded = .allocate(capacity: 64)
        padded.initialize(repeating: 0x20, count: 64)
        layout = .allocate(capacity: 1)
        layout.initialize(to: RecordLayout())
    }

    deinit {
        quoteWords.deallocate()
        stopWords.deallocate()
        padded.deallocate()
        layout.deinitialize(count: 1)
        layout.deallocate()
    }

    /// The layout of the record, or nil when it is not one this reader checks (then the member walk must decide).
    func read(_ record: UnsafeBufferPointer<UInt8>) -> RecordLayout? {
        guard let base = record.baseAddress else { return nil }
        let count = record.count
        guard count >= 2, count <= Self.maximumBytes, base[0] == UInt8(ascii: "{") else { return nil }
        // A line's newline (any whitespace) may follow the object; it is left out of the check.
        var end = count
        while end > 0, Self.isWhitespace(base[end &- 1]) { end &-= 1 }
        guard end >= 2, base[end &- 1] == UInt8(ascii: "}"), check(base, end: end) else { return nil }
        layout.pointee = RecordLayout()
        guard walk(base, end: end, into: layout) else { return nil }
        return layout.pointee
    }

    @inline(__always)
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// The token masks of block `block` of the `end` bytes at `base`; bits at and past `end` are clear.
    @inline(__always)
    private func masks(_ base: UnsafePointer<UInt8>, end: Int, block: Int) -> TokenMasks {
        let start = block &<< 6
        var source = base + start
        var shift = 0
        if start &+ 64 > end {
            if end >= 64 {
                // The last, partial block: the 64 bytes ending with the object, shifted down past the bytes the
                // previous block covered (nothing after the object is read).
                source = base + (end &- 64)
                shift = 64 &- (end &- start)
            } else {
                // A record shorter than a block: copied into one padded with spaces (no token, no special byte).
                padded.update(repeating: 0x20, count: 64)
                padded.update(from: base, count: end)
                source = UnsafePointer(padded)
            }
        }
        let masks = TokenMasks.classify(source)
        return shift == 0 ? masks : masks.shiftedDown(by: shift)
    }

    /// `value` with each bit replaced by the xor of it and all bits below it: set from an opening quote up to (not
    /// including) its closing one.
    @inline(__always)
    static func prefixXor(_ value: UInt64) -> UInt64 {
        var bits = value
        bits ^= bits &<< 1
        bits ^= bits &<< 2
        bits ^= bits &<< 4
        bits ^= bits &<< 8
        bits ^= bits &<< 16
        bits ^= bits &<< 32
        return bits
    }

    /// Whether the `end` bytes at `base` (a `{` first, a `}` last) are a compact object of the accepted kind, as far
    /// as each token's neighbours and the keys go (the braces' own neighbours and nesting are checked by `layout`);
    /// fills `quoteWords` and `stopWords`.
    private func check(_ base: UnsafePointer<UInt8>, end: Int) -> Bool {
        let blocks = (end &+ 63) &>> 6
        // Carried from one word to the next: whether a string or a key is open (all ones if so), and the top bit of
        // the masks whose next byte is checked.
        var inStringCarry: UInt64 = 0
        var inKeyCarry: UInt64 = 0
        var carry: (closes: UInt64, braces: UInt64, colons: UInt64, commas: UInt64, others: UInt64) = (0, 0, 0, 0, 0)
        var block = 0
        while block < blocks {
            let masks = masks(base, end: end, block: block)
            guard masks.specials == 0 else { return false }
            let remainder = end & 63
            let valid: UInt64 = block == blocks &- 1 && remainder != 0 ? (1 &<< UInt64(remainder)) &- 1 : ~0
            let inString = Self.prefixXor(masks.quotes) ^ inStringCarry
            inStringCarry = 0 &- (inString &>> 63)
            let opens = masks.quotes & inString
            let closes = masks.quotes & ~inString
            let outside = ~(inString | masks.quotes) & valid
            let braces = masks.braces & outside
            let colons = masks.colons & outside
            let commas = masks.commas & outside
            // Outside strings, everything but braces, colons and commas must be number bytes.
            let others = outside & ~(braces | colons | commas)
            // Each mask moved up one byte: bit i set when byte i - 1 is one.
            let afterClose = closes &<< 1 | carry.closes
            let afterBrace = braces &<< 1 | carry.braces
            let afterColon = colons &<< 1 | carry.colons
            let afterComma = commas &<< 1 | carry.commas
            let afterOther = others &<< 1 | carry.others
            carry = (closes &>> 63, braces &>> 63, colons &>> 63, commas &>> 63, others &>> 63)
            var bad = others & ~masks.numberBytes
            // A string opens after `{`, `,` or `:` (a `}` before it is caught with the braces).
            bad |= opens & ~(afterBrace | afterComma | afterColon)
            // After a string: `:`, `,` or a brace.
            bad |= afterClose & valid & ~(colons | commas | braces)
            // A colon follows a string and is followed by a value: a string, an object or a number.
            bad |= colons & ~afterClose
            bad |= afterColon & valid & ~(opens | braces | others)
            // A comma follows a value and is followed by a key.
            bad |= commas & ~(afterClose | afterBrace | afterOther)
            bad |= afterComma & valid & ~opens
            // A number follows a colon and is followed by a comma or a brace.
            bad |= others & ~(afterOther | afterColon)
            bad |= afterOther & valid & ~(others | commas | braces)
            // Keys: a string opened after `{` or `,` must close right before a colon, and only those may. Toggling
            // at each key's opening quote and at each colon leaves exactly the keys' bytes set; a stretch that runs
            // on past a string's closing quote shows up outside the strings.
            let keyOpens = opens & (afterBrace | afterComma)
            let inKey = Self.prefixXor(keyOpens | colons) ^ inKeyCarry
            inKeyCarry = 0 &- (inKey &>> 63)
            bad |= inKey & outside
            guard bad == 0 else { return false }
            // A number starts with a digit or `-`: few per record, so checked one by one.
            var starts = others & afterColon
            while starts != 0 {
                let byte = base[block &<< 6 | starts.trailingZeroBitCount]
                guard byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 else { return false }
                starts &= starts &- 1
            }
            quoteWords[block] = masks.quotes & valid
            stopWords[block] = keyOpens | braces
            block &+= 1
        }
        return inStringCarry == 0 && inKeyCarry == 0
    }

    /// What an object read in bulk is, for the layout: which of the enricher's fields its keys may name.
    private enum Context {
        case top, ignored, source, destination, network, dns, question, url, tls, client
    }

    /// The first quote at or after `start` (which is before the last quote of the record).
    @inline(__always)
    private func nextQuote(from start: Int) -> Int {
        var block = start &>> 6
        var word = quoteWords[block] & (UInt64.max &<< UInt64(truncatingIfNeeded: start))
        while word == 0 {
            block &+= 1
            word = quoteWords[block]
        }
        return block &<< 6 | word.trailingZeroBitCount
    }

    /// The 8 bytes at `start` as a little-endian word, or as many as lie before `end` (zeros after them).
    @inline(__always)
    private static func word(_ base: UnsafePointer<UInt8>, _ start: Int, end: Int) -> UInt64 {
        if start &+ 8 <= end { return UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)) }
        var value: UInt64 = 0
        var index = 0
        while index < 8, start &+ index < end {
            value |= UInt64(base[start &+ index]) &<< UInt64(index &* 8)
            index &+= 1
        }
        return value
    }

    /// Fills the layout from the keys and braces of a checked record: checks the braces' neighbours and nesting
    /// the bulk check leaves, and reads the fields as `CompactRecordReader` does, duplicates and values of the
    /// wrong kind included.
    private func walk(_ base: UnsafePointer<UInt8>, end: Int, into layout: UnsafeMutablePointer<RecordLayout>) -> Bool {
        let blocks = (end &+ 63) &>> 6
        var depth = 0
        var second = Context.ignored
        var third = Context.ignored
        // The context the object opening next (the value of the key just read) takes.
        var next = Context.ignored
        var block = 0
        while block < blocks {
            var stops = stopWords[block]
            while stops != 0 {
                let position = block &<< 6 | stops.trailingZeroBitCount
                stops &= stops &- 1
                let byte = base[position]
                if byte == UInt8(ascii: "{") {
                    // After a colon (or first), and before a key or its `}`.
                    if position == 0 {
                        guard depth == 0 else { return false }
                    } else {
                        guard base[position &- 1] == UInt8(ascii: ":") else { return false }
                    }
                    let following = base[position &+ 1]
                    guard following == UInt8(ascii: "\"") || following == UInt8(ascii: "}") else { return false }
                    depth &+= 1
                    guard depth <= Self.maximumDepth else { return false }
                    if depth == 2 { second = next } else if depth == 3 { third = next }
                    next = .ignored
                    continue
                }
                if byte == UInt8(ascii: "}") {
                    // Not after a colon; the outermost one last, the others before `,` or `}`.
                    guard depth > 0, base[position &- 1] != UInt8(ascii: ":") else { return false }
                    let isEmpty = base[position &- 1] == UInt8(ascii: "{")
                    switch depth {
                    case 1:
                        guard position == end &- 1 else { return false }
                        layout.pointee.close = position
                        layout.pointee.isEmpty = isEmpty
                    case 2:
                        switch second {
                        case .source:
                            layout.pointee.source.close = position
                            layout.pointee.source.isEmpty = isEmpty
                        case .destination:
                            layout.pointee.destination.close = position
                            layout.pointee.destination.isEmpty = isEmpty
                        case .network:
                            layout.pointee.networkClose = position
                            layout.pointee.networkIsEmpty = isEmpty
                        default:
                            break
                        }
                    case 3:
                        if third == .question {
                            layout.pointee.questionClose = position
                            layout.pointee.questionIsEmpty = isEmpty
                        }
                    default:
                        break
                    }
                    if depth > 1 { guard base[position &+ 1] != UInt8(ascii: "\"") else { return false } }
                    depth &-= 1
                    continue
                }
                // A key: its closing quote, then a colon and the value (the bulk check made sure of both).
                next = .ignored
                let context: Context = depth == 1 ? .top : depth == 2 ? second : depth == 3 ? third : .ignored
                if context == .ignored { continue }
                let closing = nextQuote(from: position &+ 1)
                let key = position &+ 1
                let length = closing &- key
                let value = closing &+ 2
                let isObject = base[value] == UInt8(ascii: "{")
                let head = Self.word(base, key, end: end)
                switch context {
                case .top:
                    switch length {
                    case 6:
                        let text = head & 0xFFFF_FFFF_FFFF
                        if text == 0x6563_7275_6F73 { // source
                            if isObject {
                                next = .source
                            } else {
                                layout.pointee.source.close = -1
                                layout.pointee.source.isEmpty = true
                            }
                        } else if text == 0x7461_6572_6874 { // threat
                            layout.pointee.hasThreat = true
                        }
                    case 11:
                        if head == 0x7461_6E69_7473_6564, Self.word(base, key &+ 3, end: end) == 0x6E6F_6974_616E_6974 {
                            // destination
                            if isObject {
                                next = .destination
                            } else {
                                layout.pointee.destination.close = -1
                                layout.pointee.destination.isEmpty = true
                            }
                        }
                    case 7:
                        if head & 0xFF_FFFF_FFFF_FFFF == 0x6B_726F_7774_656E { // network
                            layout.pointee.hasNetwork = true
                            layout.pointee.hasDirection = false
                            layout.pointee.networkClose = -1
                            layout.pointee.networkIsEmpty = true
                            if isObject { next = .network }
                        }
                    case 3:
                        let text = head & 0xFF_FFFF
                        if text == 0x73_6E64 { // dns
                            layout.pointee.questionName = nil
                            layout.pointee.questionClose = -1
                            layout.pointee.questionIsEmpty = true
                            layout.pointee.hasScores = false
                            if isObject { next = .dns }
                        } else if text == 0x6C_7275 { // url
                            layout.pointee.urlDomain = nil
                            layout.pointee.urlOriginal = nil
                            if isObject { next = .url }
                        } else if text == 0x73_6C74 { // tls
                            layout.pointee.serverName = nil
                            layout.pointee.ja3 = nil
                            layout.pointee.ja4 = nil
                            if isObject { next = .tls }
                        }
                    default:
                        break
                    }
                case .source:
                    endpointKey(base, length: length, head: head, value: value, &layout.pointee.source)
                case .destination:
                    endpointKey(base, length: length, head: head, value: value, &layout.pointee.destination)
                case .network:
                    if length == 9, head == 0x6F69_7463_6572_6964, Self.word(base, key &+ 1, end: end) == 0x6E6F_6974_6365_7269 {
                        layout.pointee.hasDirection = true // direction
                    }
                case .dns:
                    if length == 8, head == 0x6E6F_6974_7365_7571 { // question
                        layout.pointee.questionClose = -1
                        layout.pointee.questionIsEmpty = true
                        if isObject { next = .question }
                    }
                case .question:
                    if length == 4, head & 0xFFFF_FFFF == 0x656D_616E { // name
                        layout.pointee.questionName = capture(base, value)
                    } else if length == 7, head & 0xFF_FFFF_FFFF_FFFF == 0x79_706F_7274_6E65 { // entropy
                        layout.pointee.hasScores = true
                    } else if length == 9, head == 0x726F_6373_5F61_6764,
                              Self.word(base, key &+ 1, end: end) == 0x6572_6F63_735F_6167 { // dga_score
                        layout.pointee.hasScores = true
                    }
                case .url:
                    if length == 6, head & 0xFFFF_FFFF_FFFF == 0x6E69_616D_6F64 { // domain
                        layout.pointee.urlDomain = capture(base, value)
                    } else if length == 8, head == 0x6C61_6E69_6769_726F { // original
                        layout.pointee.urlOriginal = capture(base, value)
                    }
                case .tls:
                    if length == 6, head & 0xFFFF_FFFF_FFFF == 0x746E_6569_6C63, isObject { next = .client } // client
                case .client:
                    if length == 11, head == 0x6E5F_7265_7672_6573,
                       Self.word(base, key &+ 3, end: end) == 0x656D_616E_5F72_6576 { // server_name
                        layout.pointee.serverName = capture(base, value)
                    } else if length == 3 {
                        let text = head & 0xFF_FFFF
                        if text == 0x33_616A { layout.pointee.ja3 = capture(base, value) } // ja3
                        else if text == 0x34_616A { layout.pointee.ja4 = capture(base, value) } // ja4
                    }
                case .ignored:
                    break
                }
            }
            block &+= 1
        }
        return depth == 0 && layout.pointee.close >= 0
    }

    /// Notes an `ip`, `geo`, `as` or `asset` key of a `source` or `destination` object.
    @inline(__always)
    private func endpointKey(_ base: UnsafePointer<UInt8>, length: Int, head: UInt64, value: Int,
                             _ endpoint: inout RecordLayout.Endpoint) {
        switch length {
        case 2:
            let text = head & 0xFFFF
            if text == 0x7069 { // ip
                endpoint.ip = capture(base, value)
            } else if text == 0x7361 { // as
                endpoint.hasGeo = true
            }
        case 3:
            if head & 0xFF_FFFF == 0x6F_6567 { endpoint.hasGeo = true } // geo
        case 5:
            if head & 0xFF_FFFF_FFFF == 0x74_6573_7361 { endpoint.hasAsset = true } // asset
        default:
            break
        }
    }

    /// A string value's content, or nil for any other value (as `RecordWalker.captureString` reads them).
    @inline(__always)
    private func capture(_ base: UnsafePointer<UInt8>, _ value: Int) -> Range<Int>? {
        guard base[value] == UInt8(ascii: "\"") else { return nil }
        return (value &+ 1)..<nextQuote(from: value &+ 1)
    }
}

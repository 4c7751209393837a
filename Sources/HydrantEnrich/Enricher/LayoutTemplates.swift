import HydrantRecords

/// Record layouts learnt from records the compact walk accepted, so that a record of a shape seen before gets its
/// `RecordLayout` by comparing text instead of building the structural index and walking its members.
///
/// Records of one dataset repeat the same member names and punctuation in the same order; only their scalar values
/// change. A template keeps a learnt record as text pieces, each followed by a hole for a string's content or a
/// number, and where each position of its `RecordLayout` lies (a piece and an offset into it). A record matches when
/// every piece is equal to the record's text at that place (compared eight bytes at a time) and every hole holds the
/// same kind of value: a string content with no quote, backslash or control byte, or a run of number bytes
/// starting with a digit or `-`. Such a record has the learnt one's quotes, brackets, keys and literals in the same
/// order, and strings without escapes, so both walks take the same steps over it as over the learnt record and read
/// the same layout with the positions moved by the holes' lengths; anything else is a miss, and the walks decide.
///
/// Bounded against hostile input: `capacity` templates, each of at most `maximumText` bytes of text and
/// `maximumHoles` holes (longer records are not learnt); when all are taken a new one replaces them in turn.
final class LayoutTemplates {
    /// The most templates kept.
    static let capacity = 8
    /// The most text bytes of one template (not counting its holes).
    static let maximumText = 4096
    /// The most holes of one template.
    static let maximumHoles = 255

    /// A position of the layout: `offset` bytes into text piece `piece`, or absent when `piece` is -1.
    struct Anchor {
        var piece: Int32 = -1
        var offset: Int32 = 0
    }

    /// One learnt shape.
    struct Template {
        /// The layout of the learnt record; positions are replaced through the anchors.
        var learned = RecordLayout()
        var close = Anchor()
        var sourceIP = (Anchor(), Anchor())
        var sourceClose = Anchor()
        var destinationIP = (Anchor(), Anchor())
        var destinationClose = Anchor()
        var networkClose = Anchor()
        var questionName = (Anchor(), Anchor())
        var questionClose = Anchor()
        var urlDomain = (Anchor(), Anchor())
        var urlOriginal = (Anchor(), Anchor())
        var serverName = (Anchor(), Anchor())
        var ja3 = (Anchor(), Anchor())
        var ja4 = (Anchor(), Anchor())
    }

    /// What follows a text piece.
    enum Hole: UInt32 {
        case end = 0, string = 1, number = 2
    }

    // The templates held (`count` of them, at most `capacity`), in storage of their own so that matching reads one
    // in place rather than copying it out of an array.
    private let templates: UnsafeMutablePointer<Template>
    /// The number of templates held.
    private(set) var count = 0
    // Template `i`'s text at `text + i * maximumText` (the whole allocation 8 bytes longer, so that a piece's last
    // word may be loaded whole; the bytes past the piece are masked off); its steps at
    // `stepStorage + i * (maximumHoles + 1)`: step `j` is piece `j`'s length shifted left by two, with what follows
    // the piece (`Hole`) in the low bits.
    private let text: UnsafeMutablePointer<UInt8>
    private let stepStorage: UnsafeMutablePointer<UInt32>
    // The start of each piece in the record being matched or learnt.
    private let pieceStarts: UnsafeMutablePointer<Int>
    private var lastMatched = 0
    private var nextReplaced = 0

    /// Records matched to a template, and records learnt, since the templates were made (for tests and profiles).
    private(set) var matches = 0
    private(set) var learnt = 0

    init() {
        templates = .allocate(capacity: Self.capacity)
        templates.initialize(repeating: Template(), count: Self.capacity)
        let textBytes = Self.capacity * Self.maximumText + 8
        text = .allocate(capacity: textBytes)
        text.initialize(repeating: 0, count: textBytes)
        let steps = Self.capacity * (Self.maximumHoles + 1)
        stepStorage = .allocate(capacity: steps)
        stepStorage.initialize(repeating: 0, count: steps)
        pieceStarts = .allocate(capacity: Self.maximumHoles + 2)
        pieceStarts.initialize(repeating: 0, count: Self.maximumHoles + 2)
    }

    deinit {
        templates.deinitialize(count: Self.capacity)
        templates.deallocate()
        text.deallocate()
        stepStorage.deallocate()
        pieceStarts.deallocate()
    }

    // MARK: Matching

    /// The layout of `record` from a template it matches, or nil (then the walks must read it).
    func match(_ record: UnsafeBufferPointer<UInt8>) -> RecordLayout? {
        var layout = RecordLayout()
        return match(record, into: &layout) ? layout : nil
    }

    /// Writes the layout of `record` into `layout` from a template it matches and returns true, or returns false
    /// (then the walks must read it). Written to a caller's variable, not returned: an optional layout is copied
    /// whole several times on the way out.
    @inline(__always)
    func match(_ record: UnsafeBufferPointer<UInt8>, into layout: inout RecordLayout) -> Bool {
        guard let base = record.baseAddress, record.count <= StructuralIndex.maximumBytes, count > 0 else { return false }
        let first = lastMatched
        if match(base, record.count, slot: first, into: &layout) {
            matches &+= 1
            return true
        }
        return matchOthers(base, record.count, except: first, into: &layout)
    }

    @inline(never)
    private func matchOthers(_ base: UnsafePointer<UInt8>, _ length: Int, except first: Int,
                             into layout: inout RecordLayout) -> Bool {
        var slot = 0
        while slot < count {
            if slot != first, match(base, length, slot: slot, into: &layout) {
                lastMatched = slot
                matches &+= 1
                return true
            }
            slot += 1
        }
        return false
    }

    private static var quote: UInt8 { UInt8(ascii: "\"") }

    private func match(_ base: UnsafePointer<UInt8>, _ count: Int, slot: Int, into layout: inout RecordLayout) -> Bool {
        var expected = UnsafePointer(text + slot &* Self.maximumText)
        let steps = stepStorage + slot &* (Self.maximumHoles + 1)
        let starts = pieceStarts
        var position = 0
        var index = 0
        while true {
            let step = steps[index]
            let length = Int(step >> 2)
            starts[index] = position
            guard length <= count &- position, Self.equal(base + position, expected, length, room: count &- position) else {
                return false
            }
            position &+= length
            expected += length
            switch step & 3 {
            case Hole.string.rawValue:
                position = Self.stringEnd(base, from: position, count)
                guard position < count, base[position] == Self.quote else { return false }
            case Hole.number.rawValue:
                guard position < count else { return false }
                let first = base[position]
                guard first == UInt8(ascii: "-") || first &- UInt8(ascii: "0") < 10 else { return false }
                position &+= 1
                if position &+ 8 <= count { position &+= Self.digitCount(base + position) }
                // The run goes on past the digits only for `.`, `e`, `E`, `+` or `-`.
                while position < count, CompactRecordReader.isNumberByte(base[position]) { position &+= 1 }
            default:
                guard position == count else { return false }
                place(templates + slot, into: &layout)
                return true
            }
            index &+= 1
        }
    }

    /// How many of the 8 bytes at `bytes` are digits before the first byte that is not: a number's digits in one
    /// step instead of a loop over them.
    @inline(__always)
    private static func digitCount(_ bytes: UnsafePointer<UInt8>) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Digits become 0...9; adding 0x76 to a byte's low seven bits reaches its high bit from 10 up (and no carry
        // leaves the byte), and bytes with the high bit set are not digits either.
        let value = UInt64(littleEndian: UnsafeRawPointer(bytes).loadUnaligned(as: UInt64.self)) ^ (ones &* 0x30)
        let notDigit = (((value & (ones &* 0x7F)) &+ (ones &* 0x76)) | value) & (ones &* 0x80)
        return notDigit == 0 ? 8 : notDigit.trailingZeroBitCount &>> 3
    }

    /// The first quote, backslash or control byte at or after `start`, or `count`: eight bytes at a time (a string
    /// hole is read for every string value of every record, so the search is written here to be inlined).
    @inline(__always)
    private static func stringEnd(_ base: UnsafePointer<UInt8>, from start: Int, _ count: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        var position = start
        while position &+ 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // The high bit of a byte is set where it is zero (a quote or a backslash) or below 0x20; borrows run
            // upwards only, so the lowest flag is exact.
            let flags = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word))
                & 0x8080_8080_8080_8080
            if flags != 0 { return position &+ flags.trailingZeroBitCount &>> 3 }
            position &+= 8
        }
        while position < count {
            let byte = base[position]
            if byte == Self.quote || byte == UInt8(ascii: "\\") || byte < 0x20 { return position }
            position &+= 1
        }
        return count
    }

    /// Whether the `length` bytes at `record` equal those at `expected` (which is padded: a whole word may be read
    /// past its end); `room` (at least `length`) is how many bytes of the record may be read from `record`.
    @inline(__always)
    private static func equal(_ record: UnsafePointer<UInt8>, _ expected: UnsafePointer<UInt8>, _ length: Int,
                              room: Int) -> Bool {
        if length >= 8 {
            // Whole words, the last one overlapping the one before it (instead of a masked partial word).
            var offset = 0
            while offset &+ 8 < length {
                if UnsafeRawPointer(record + offset).loadUnaligned(as: UInt64.self)
                    != UnsafeRawPointer(expected + offset).loadUnaligned(as: UInt64.self) { return false }
                offset &+= 8
            }
            let last = length &- 8
            return UnsafeRawPointer(record + last).loadUnaligned(as: UInt64.self)
                == UnsafeRawPointer(expected + last).loadUnaligned(as: UInt64.self)
        }
        guard length > 0 else { return true }
        if room >= 8 {
            // A short piece: one load of each, the bytes past the piece masked off.
            let mask: UInt64 = (1 &<< UInt64(truncatingIfNeeded: length &* 8)) &- 1
            let actual = UInt64(littleEndian: UnsafeRawPointer(record).loadUnaligned(as: UInt64.self))
            let wanted = UInt64(littleEndian: UnsafeRawPointer(expected).loadUnaligned(as: UInt64.self))
            return (actual ^ wanted) & mask == 0
        }
        var offset = 0
        while offset < length {
            if record[offset] != expected[offset] { return false }
            offset &+= 1
        }
        return true
    }

    /// The template's layout with its positions placed by this record's piece starts.
    @inline(__always)
    private func place(_ template: UnsafePointer<Template>, into layout: inout RecordLayout) {
        // Fields read through the pointer one by one: a copy of the whole template would move 450 bytes.
        let starts = pieceStarts
        @inline(__always) func at(_ anchor: Anchor) -> Int { starts[Int(anchor.piece)] &+ Int(anchor.offset) }
        @inline(__always) func range(_ anchors: (Anchor, Anchor), _ learned: Range<Int>?) -> Range<Int>? {
            guard learned != nil else { return nil }
            return at(anchors.0)..<at(anchors.1)
        }
        layout = template.pointee.learned
        if template.pointee.close.piece >= 0 { layout.close = at(template.pointee.close) }
        layout.source.ip = range(template.pointee.sourceIP, layout.source.ip)
        if template.pointee.sourceClose.piece >= 0 { layout.source.close = at(template.pointee.sourceClose) }
        layout.destination.ip = range(template.pointee.destinationIP, layout.destination.ip)
        if template.pointee.destinationClose.piece >= 0 {
            layout.destination.close = at(template.pointee.destinationClose)
        }
        if template.pointee.networkClose.piece >= 0 { layout.networkClose = at(template.pointee.networkClose) }
        if template.pointee.questionClose.piece >= 0 { layout.questionClose = at(template.pointee.questionClose) }
        layout.questionName = range(template.pointee.questionName, layout.questionName)
        if layout.urlDomain != nil || layout.urlOriginal != nil {
            layout.urlDomain = range(template.pointee.urlDomain, layout.urlDomain)
            layout.urlOriginal = range(template.pointee.urlOriginal, layout.urlOriginal)
        }
        if layout.serverName != nil || layout.ja3 != nil || layout.ja4 != nil {
            layout.serverName = range(template.pointee.serverName, layout.serverName)
            layout.ja3 = range(template.pointee.ja3, layout.ja3)
            layout.ja4 = range(template.pointee.ja4, layout.ja4)
        }
    }

    // MARK: Learning

    /// Learns the shape of `record`, whose layout the compact walk read as `layout` (so it is indexed: no
    /// backslash and no control byte in a string, and no whitespace between the tokens it walked). Records too long
    /// for a template, or whose layout positions do not fall where expected, are not learnt.
    func learn(_ record: UnsafeBufferPointer<UInt8>, _ layout: RecordLayout) {
        guard let base = record.baseAddress, record.count <= StructuralIndex.maximumBytes else { return }
        let slot = count < Self.capacity ? count : nextReplaced
        var template = Template()
        let steps = stepStorage + slot * (Self.maximumHoles + 1)
        let target = text + slot * Self.maximumText
        let recordLength = record.count
        // A replaced template's storage is overwritten from here on: until the new one is complete, its first piece
        // is longer than any record, so it never matches.
        var complete = false
        defer { if !complete, slot < count { steps[0] = UInt32(StructuralIndex.maximumBytes + 1) << 2 } }
        var written = 0
        var pieces = 0
        var pieceStart = 0
        var position = 0
        // Ends the current piece at `end` with `hole` after it; false when the template would be too big.
        func endPiece(_ end: Int, _ hole: Hole) -> Bool {
            let length = end - pieceStart
            guard written + length <= Self.maximumText, pieces <= Self.maximumHoles else { return false }
            target.advanced(by: written).update(from: base + pieceStart, count: length)
            written += length
            pieceStarts[pieces] = pieceStart
            steps[pieces] = UInt32(length) << 2 | hole.rawValue
            pieces += 1
            return true
        }
        while position < recordLength {
            let byte = base[position]
            if byte == Self.quote {
                // No escapes in an indexed record: the next quote closes the string.
                var closing = position + 1
                while closing < recordLength, base[closing] != Self.quote { closing += 1 }
                guard closing < recordLength else { return }
                if closing + 1 < recordLength, base[closing + 1] == UInt8(ascii: ":") {
                    // A member name stays in the text.
                    position = closing + 1
                    continue
                }
                guard endPiece(position + 1, .string) else { return }
                pieceStart = closing
                position = closing + 1
            } else if byte == UInt8(ascii: "-") || byte &- UInt8(ascii: "0") < 10 {
                guard endPiece(position, .number) else { return }
                position += 1
                while position < recordLength, CompactRecordReader.isNumberByte(base[position]) { position += 1 }
                pieceStart = position
            } else {
                position += 1
            }
        }
        guard endPiece(recordLength, .end) else { return }

        // Where each position of the layout lies: in a piece for a `}`, at a string hole's ends for a value.
        let starts = pieceStarts
        func lengthOf(_ piece: Int) -> Int { Int(steps[piece] >> 2) }
        func anchor(_ position: Int) -> Anchor? {
            guard position >= 0 else { return Anchor() }
            var piece = 0
            while piece < pieces {
                if position >= starts[piece], position < starts[piece] + lengthOf(piece) {
                    return Anchor(piece: Int32(piece), offset: Int32(position - starts[piece]))
                }
                piece += 1
            }
            return nil
        }
        func anchors(_ range: Range<Int>?) -> (Anchor, Anchor)? {
            guard let range else { return (Anchor(), Anchor()) }
            var piece = 0
            while piece + 1 < pieces {
                if steps[piece] & 3 == Hole.string.rawValue, starts[piece] + lengthOf(piece) == range.lowerBound,
                   starts[piece + 1] == range.upperBound {
                    return (Anchor(piece: Int32(piece), offset: Int32(lengthOf(piece))), Anchor(piece: Int32(piece + 1)))
                }
                piece += 1
            }
            return nil
        }
        template.learned = layout
        guard let close = anchor(layout.close), let sourceIP = anchors(layout.source.ip),
              let sourceClose = anchor(layout.source.close), let destinationIP = anchors(layout.destination.ip),
              let destinationClose = anchor(layout.destination.close), let networkClose = anchor(layout.networkClose),
              let questionName = anchors(layout.questionName), let questionClose = anchor(layout.questionClose),
              let urlDomain = anchors(layout.urlDomain), let urlOriginal = anchors(layout.urlOriginal),
              let serverName = anchors(layout.serverName), let ja3 = anchors(layout.ja3), let ja4 = anchors(layout.ja4)
        else { return }
        template.close = close
        template.sourceIP = sourceIP
        template.sourceClose = sourceClose
        template.destinationIP = destinationIP
        template.destinationClose = destinationClose
        template.networkClose = networkClose
        template.questionName = questionName
        template.questionClose = questionClose
        template.urlDomain = urlDomain
        template.urlOriginal = urlOriginal
        template.serverName = serverName
        template.ja3 = ja3
        template.ja4 = ja4
        templates[slot] = template
        if slot < count {
            nextReplaced = (nextReplaced + 1) % Self.capacity
        } else {
            count += 1
        }
        complete = true
        lastMatched = slot
        learnt &+= 1
    }
}

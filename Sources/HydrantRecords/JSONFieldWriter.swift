/// Writes one record's JSON object field by field, for record types that write themselves
/// (`DatasetRecord.writeJSONFields(_:)`) instead of having `JSONLinesEncoder` walk their field table.
///
/// The walk costs about a hundred instructions a field before any value is written: a dispatch on the step, a call
/// through the field's accessor (which copies the record onto the stack for each value type and returns strings
/// retained), and the key looked up in the plan. A record that writes itself reads its stored properties directly
/// and names each key as a literal; the values go through the same `JSONCursor` writers, and the room the encoder
/// reserved for the record's fixed-size part (the field table's bound) covers every fixed-size write here, since
/// the fields are the same. A writer must produce exactly the field table's text: the tests compare the two on
/// seeded random records.
public struct JSONFieldWriter {
    @usableFromInline let out: UnsafeMutablePointer<JSONCursor>
    @usableFromInline let clock: UnsafeMutablePointer<RFC3339SecondCache>
    @usableFromInline let scratch: UnsafeMutablePointer<[UInt8]>
    @usableFromInline let memo: UnsafeMutablePointer<StringListMemo>
    /// The encoder's bound of the record's fixed-size part, kept free after every string.
    @usableFromInline let more: Int
    /// Whether the object being written has a member already.
    @usableFromInline var needsComma = false

    @inlinable init(out: UnsafeMutablePointer<JSONCursor>, clock: UnsafeMutablePointer<RFC3339SecondCache>,
                    scratch: UnsafeMutablePointer<[UInt8]>, memo: UnsafeMutablePointer<StringListMemo>, more: Int) {
        self.out = out
        self.clock = clock
        self.scratch = scratch
        self.memo = memo
        self.more = more
    }

    /// The comma before a member, when needed, and the member's key: `key` is the quoted name and a colon
    /// (`"\"ip\":"`).
    @inlinable @inline(__always)
    mutating func key(_ key: StaticString) {
        if needsComma { out.pointee.byte(UInt8(ascii: ",")) }
        out.pointee.bytes(key.utf8Start, count: key.utf8CodeUnitCount)
        needsComma = true
    }

    /// A member whose key and value are known when the code is written (`"\"type\":\"ipv4\""`): copied whole, the
    /// value neither scanned for escapes nor counted in the encoder's bound (so room is made for it).
    @inlinable @inline(__always)
    public mutating func member(_ text: StaticString) {
        out.pointee.ensure(1 &+ text.utf8CodeUnitCount &+ more)
        if needsComma { out.pointee.byte(UInt8(ascii: ",")) }
        out.pointee.bytes(text.utf8Start, count: text.utf8CodeUnitCount)
        needsComma = true
    }

    /// Opens the nested object `key`; returns the mark that `close(_:)` takes.
    @inlinable @inline(__always)
    public mutating func open(_ key: StaticString) -> Int {
        let mark = out.pointee.position << 1 | (needsComma ? 1 : 0)
        self.key(key)
        out.pointee.byte(UInt8(ascii: "{"))
        needsComma = false
        return mark
    }

    /// Closes the object `open` began, or takes it back when nothing was written inside (an object whose members are
    /// all unknown is absent, as the field table's walk leaves it).
    @inlinable @inline(__always)
    public mutating func close(_ mark: Int) {
        if needsComma {
            out.pointee.byte(UInt8(ascii: "}"))
        } else {
            out.pointee.position = mark >> 1
            needsComma = mark & 1 != 0
        }
    }

    /// A string member; nothing when `value` is nil.
    @inlinable @inline(__always)
    public mutating func string(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        out.pointee.string(value, more: more)
    }

    /// An integer member; nothing when `value` is nil.
    @inlinable @inline(__always)
    public mutating func int(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        out.pointee.integer(value)
    }

    /// A timestamp member; nothing when `value` is nil.
    @inlinable @inline(__always)
    public mutating func timestamp(_ key: StaticString, _ value: Timestamp?) {
        guard let value else { return }
        self.key(key)
        out.pointee.timestamp(value, cache: &clock.pointee)
    }

    /// An address member.
    @inlinable @inline(__always)
    public mutating func ip(_ key: StaticString, _ value: IPAddress) {
        self.key(key)
        out.pointee.ip(value, scratch: &scratch.pointee)
    }

    /// A list of strings made for this record alone; nothing when it is empty.
    @inlinable
    public mutating func strings(_ key: StaticString, _ list: [String]) {
        guard !list.isEmpty else { return }
        self.key(key)
        out.pointee.byte(UInt8(ascii: "["))
        for index in list.indices {
            if index > list.startIndex { out.pointee.byte(UInt8(ascii: ",")) }
            out.pointee.string(list[index], more: 1 &+ more)
        }
        out.pointee.byte(UInt8(ascii: "]"))
    }

    /// A list of strings that records share (the same storage for many of them), written from the encoder's memo
    /// of recent lists when it is one of them; `field` numbers the record type's shared lists from 0, below the
    /// number of list fields of its table. Nothing when the list is empty.
    @inlinable
    public mutating func sharedStrings(_ key: StaticString, _ list: [String], field: Int) {
        guard !list.isEmpty else { return }
        self.key(key)
        let slot = memo.pointee.slot(of: list, field: field)
        if let slot, !memo.pointee.texts[slot].isEmpty {
            memo.pointee.texts[slot].withUnsafeBufferPointer { text in
                out.pointee.ensure(text.count &+ more)
                out.pointee.bytes(text.baseAddress.unsafelyUnwrapped, count: text.count)
            }
            return
        }
        let start = out.pointee.position
        out.pointee.byte(UInt8(ascii: "["))
        for index in list.indices {
            if index > list.startIndex { out.pointee.byte(UInt8(ascii: ",")) }
            out.pointee.string(list[index], more: 1 &+ more)
        }
        out.pointee.byte(UInt8(ascii: "]"))
        if let slot {
            memo.pointee.texts[slot] = Array(UnsafeBufferPointer(start: out.pointee.base + start,
                                                                 count: out.pointee.position &- start))
        } else {
            memo.pointee.remember(list, field: field)
        }
    }

    /// A list of integers; nothing when it is empty.
    @inlinable
    public mutating func ints(_ key: StaticString, _ list: [Int64]) {
        guard !list.isEmpty else { return }
        self.key(key)
        out.pointee.byte(UInt8(ascii: "["))
        for index in list.indices {
            out.pointee.ensure(1 &+ JSONCursor.integerBound &+ more)
            if index > list.startIndex { out.pointee.byte(UInt8(ascii: ",")) }
            out.pointee.integer(list[index])
        }
        out.pointee.byte(UInt8(ascii: "]"))
    }
}

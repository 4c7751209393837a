/// The JSON text of string lists an encoder wrote recently, found again by the identity of the list's storage.
///
/// Records share lists made once for many of them (a TLS client's cipher names from the fingerprint cache, the names
/// of a DNS flag combination), and writing such a list again scans and copies every string. A list whose storage is
/// one remembered here has the same elements: the memo holds that storage, so it stays alive and unchanged (an array
/// that shares its storage copies it before a write). A list is remembered on first sight and its text kept on the
/// second, so lists made for one record (DNS answers) cost a slot, never a copy of their text. Bounded: `ways` lists
/// per field, the oldest replaced.
@usableFromInline struct StringListMemo {
    /// Lists remembered per field.
    @inlinable static var ways: Int { 4 }

    /// `ways` slots per list field, empty when unused.
    @usableFromInline var lists: [[String]]
    /// The JSON text of each slot's list, empty until the list was written a second time.
    @usableFromInline var texts: [[UInt8]]
    /// Per list field, the slot replaced next.
    @usableFromInline var victims: [Int]

    /// A memo for `fields` list fields.
    init(fields: Int) {
        lists = Array(repeating: [], count: fields * StringListMemo.ways)
        texts = Array(repeating: [], count: fields * StringListMemo.ways)
        victims = Array(repeating: 0, count: fields)
    }

    /// The slot of field `field` that holds `list`'s storage, if one does. `list` must not be empty (every empty
    /// array shares one storage, as the unused slots do).
    @inlinable func slot(of list: [String], field: Int) -> Int? {
        let identity = list.withUnsafeBufferPointer { $0.baseAddress }
        let first = field &* StringListMemo.ways
        for slot in first..<(first &+ StringListMemo.ways)
        where lists[slot].withUnsafeBufferPointer({ $0.baseAddress }) == identity {
            return slot
        }
        return nil
    }

    /// Remembers `list` for field `field` in place of the field's oldest, without its text yet.
    @inlinable mutating func remember(_ list: [String], field: Int) {
        let slot = field &* StringListMemo.ways &+ victims[field]
        victims[field] = (victims[field] &+ 1) % StringListMemo.ways
        lists[slot] = list
        texts[slot] = []
    }
}

import HydrantRecords

/// The two writes splicing needs beyond `JSONCursor`'s own: a byte buffer and a constant member, each copied whole
/// into room reserved beforehand for the record.
extension JSONCursor {
    /// Writes `bytes`; room for them must have been made.
    @inline(__always)
    mutating func bytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let source = bytes.baseAddress { self.bytes(source, count: bytes.count) }
    }

    /// Writes a constant; room for it must have been made.
    @inline(__always)
    mutating func constant(_ text: StaticString) {
        bytes(text.utf8Start, count: text.utf8CodeUnitCount)
    }
}

/// Bounds-checked big-endian reads over captured bytes.
///
/// Every read returns nil instead of touching memory past the end, so a lying length field can only ever
/// produce a named decode error. Reads are unaligned because link headers (14 bytes for Ethernet) leave the
/// IP header at any alignment.
struct ByteReader {
    /// The bytes being read; nothing is copied.
    let bytes: UnsafeRawBufferPointer

    /// Reads over `bytes`.
    @inline(__always) init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Number of readable bytes.
    @inline(__always) var count: Int { bytes.count }

    /// Whether `length` bytes starting at `offset` are all readable.
    @inline(__always) func contains(_ offset: Int, _ length: Int) -> Bool {
        // Written so that no intermediate sum can overflow, whatever a header claims.
        offset >= 0 && length >= 0 && offset <= bytes.count && length <= bytes.count - offset
    }

    /// The byte at `offset`.
    @inline(__always) func u8(_ offset: Int) -> UInt8? {
        guard contains(offset, 1) else { return nil }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt8.self)
    }

    /// The big-endian 16-bit value at `offset`.
    @inline(__always) func u16(_ offset: Int) -> UInt16? {
        guard contains(offset, 2) else { return nil }
        return UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    /// The big-endian 32-bit value at `offset`.
    @inline(__always) func u32(_ offset: Int) -> UInt32? {
        guard contains(offset, 4) else { return nil }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The little-endian 32-bit value at `offset`; only BSD loopback headers need it.
    @inline(__always) func u32LittleEndian(_ offset: Int) -> UInt32? {
        guard contains(offset, 4) else { return nil }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The big-endian 64-bit value at `offset`.
    @inline(__always) func u64(_ offset: Int) -> UInt64? {
        guard contains(offset, 8) else { return nil }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A reader over bytes `start..<end`, or nil when that range is not inside this one.
    @inline(__always) func slice(_ start: Int, _ end: Int) -> ByteReader? {
        guard start >= 0, start <= end, end <= bytes.count else { return nil }
        return ByteReader(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    /// The bytes from `start` to the end, or an empty buffer when `start` is at or past the end.
    @inline(__always) func suffix(from start: Int) -> UnsafeRawBufferPointer {
        guard start >= 0, start < bytes.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[start...])
    }
}

/// Big-endian reads from a datagram; callers check bounds first (every read is preceded by a length check), so
/// these only load.
extension UnsafeRawBufferPointer {
    @inline(__always) func u8(_ offset: Int) -> UInt8 { self[offset] }

    @inline(__always) func u16(_ offset: Int) -> UInt16 {
        UInt16(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) func u32(_ offset: Int) -> UInt32 {
        UInt32(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always) func u64(_ offset: Int) -> UInt64 {
        UInt64(bigEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// An unsigned integer of 1 to 8 bytes (RFC 7011 reduced-size encoding); wider fields keep their low 8 bytes.
    @inline(__always) func unsigned(_ offset: Int, length: Int) -> UInt64 {
        switch length {
        case 1: return UInt64(self[offset])
        case 2: return UInt64(u16(offset))
        case 4: return UInt64(u32(offset))
        case 8: return u64(offset)
        default:
            var value: UInt64 = 0
            for i in Swift.max(0, length - 8)..<length { value = value << 8 | UInt64(self[offset + i]) }
            return value
        }
    }
}

// Big-endian integer appends shared by the synthetic message builders.

@inline(__always)
func append16(_ out: inout [UInt8], _ value: UInt16) {
    out.append(UInt8(value >> 8))
    out.append(UInt8(truncatingIfNeeded: value))
}

@inline(__always)
func append32(_ out: inout [UInt8], _ value: UInt32) {
    append16(&out, UInt16(value >> 16))
    append16(&out, UInt16(truncatingIfNeeded: value))
}

@inline(__always)
func append24(_ out: inout [UInt8], _ value: Int) {
    out.append(UInt8(truncatingIfNeeded: value >> 16))
    out.append(UInt8(truncatingIfNeeded: value >> 8))
    out.append(UInt8(truncatingIfNeeded: value))
}

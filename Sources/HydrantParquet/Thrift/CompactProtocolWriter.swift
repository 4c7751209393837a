/// Thrift compact protocol, writing side only: the subset Parquet's footer and page headers use.
///
/// Field headers carry the delta from the previous field id of the same struct, so nested structs keep a stack of
/// last ids. Values are written straight into a `ByteBuffer` without intermediate objects.
struct CompactProtocolWriter {
    /// Compact protocol type nibbles.
    enum FieldType: UInt8 {
        case boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8, list = 9
        case set = 10, map = 11, structure = 12
    }

    let out: ByteBuffer
    private var lastFieldIds: [Int16] = [0]

    init(out: ByteBuffer) { self.out = out }

    private mutating func fieldHeader(_ id: Int16, _ type: FieldType) {
        let last = lastFieldIds[lastFieldIds.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            out.append(byte: UInt8(delta << 4) | type.rawValue)
        } else {
            out.append(byte: type.rawValue)
            writeZigZag(Int64(id))
        }
        lastFieldIds[lastFieldIds.count - 1] = id
    }

    private func writeZigZag(_ value: Int64) {
        out.appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        writeZigZag(Int64(value))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        writeZigZag(value)
    }

    mutating func field(_ id: Int16, i8 value: Int8) {
        fieldHeader(id, .byte)
        out.append(byte: UInt8(bitPattern: value))
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .boolTrue : .boolFalse)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        out.appendVarint(UInt64(value.count))
        out.append(value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// Opens a nested struct field; close it with `endStruct()`.
    mutating func beginStruct(_ id: Int16) {
        fieldHeader(id, .structure)
        lastFieldIds.append(0)
    }

    /// Closes the innermost struct (a field or a list element) with its stop byte.
    mutating func endStruct() {
        out.append(byte: 0)
        lastFieldIds.removeLast()
    }

    /// An empty struct field: the shape of Thrift's marker structs and union members (`StringType`, `NANOS`).
    mutating func emptyStruct(_ id: Int16) {
        beginStruct(id)
        endStruct()
    }

    /// Opens a list field of `count` elements of `elementType`.
    mutating func beginList(_ id: Int16, _ elementType: FieldType, count: Int) {
        fieldHeader(id, .list)
        if count < 15 {
            out.append(byte: UInt8(count << 4) | elementType.rawValue)
        } else {
            out.append(byte: 0xF0 | elementType.rawValue)
            out.appendVarint(UInt64(count))
        }
    }

    /// Starts one struct element of a list (no field header); close with `endStruct()`.
    mutating func beginListStruct() { lastFieldIds.append(0) }

    mutating func listElement(i32 value: Int32) { writeZigZag(Int64(value)) }

    mutating func listElement(string value: String) {
        let utf8 = Array(value.utf8)
        out.appendVarint(UInt64(utf8.count))
        out.append(utf8)
    }

    /// Closes the top-level struct being written.
    mutating func finish() { out.append(byte: 0) }
}

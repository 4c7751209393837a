import CChecksum

/// CRC-32C (Castagnoli, the polynomial iSCSI and ext4 use), with the CPU's CRC instruction where there is one and
/// eight bytes at a time with lookup tables elsewhere. It guards each write-ahead log frame against torn and
/// corrupted writes.
public enum CRC32C {
    /// Whether the CPU's instruction is used.
    public static let usesHardware = hydrant_crc32c_available() != 0

    /// Eight tables of 256 entries: table `k` advances the CRC over a byte followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        let polynomial: UInt32 = 0x82F6_3B78
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            var crc = tables[byte]
            for table in 1..<8 {
                crc = tables[Int(crc & 0xFF)] ^ (crc >> 8)
                tables[table * 256 + byte] = crc
            }
        }
        return tables
    }()

    /// The CRC-32C of `bytes`, continuing from `crc` (the CRC of what came before, 0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if usesHardware {
            guard let base = bytes.baseAddress else { return crc }
            return ~hydrant_crc32c_update(~crc, base, bytes.count)
        }
        return tableChecksum(bytes, continuing: crc)
    }

    /// The CRC-32C of `bytes` computed with the lookup tables (the fallback; tests compare it with the instruction).
    public static func tableChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var value = ~crc
        guard var pointer = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return crc }
        var remaining = bytes.count
        tables.withUnsafeBufferPointer { table in
            while remaining >= 8 {
                let low = UInt32(pointer[0]) | UInt32(pointer[1]) << 8 | UInt32(pointer[2]) << 16 | UInt32(pointer[3]) << 24
                let word = value ^ low
                let high = UInt32(pointer[4]) | UInt32(pointer[5]) << 8 | UInt32(pointer[6]) << 16 | UInt32(pointer[7]) << 24
                value = table[7 * 256 + Int(word & 0xFF)] ^ table[6 * 256 + Int(word >> 8 & 0xFF)]
                    ^ table[5 * 256 + Int(word >> 16 & 0xFF)] ^ table[4 * 256 + Int(word >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int(high >> 8 & 0xFF)]
                    ^ table[1 * 256 + Int(high >> 16 & 0xFF)] ^ table[Int(high >> 24)]
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                value = table[Int((value ^ UInt32(pointer[0])) & 0xFF)] ^ (value >> 8)
                pointer += 1
                remaining -= 1
            }
        }
        return ~value
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBytes { checksum($0) }
    }
}

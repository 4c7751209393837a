import CMappedFile
import HydrantRecords

/// Walks the records of a classic pcap file straight through its mapping, so a replayed file's frames are read where
/// they lie instead of being copied out by libpcap (which `fread`s every frame into its own buffer: on a large file
/// that copy was about a sixth of a replay's CPU time).
///
/// Only what libpcap would hand over unchanged is read here: a format version of 2.4 or later (older files may have
/// the two lengths swapped), a captured length no larger than the file's snapshot length (libpcap cuts longer
/// frames), a record that lies whole in the file, and a time stamp whose fraction is below one second and whose
/// fields are below 2^31 (where libpcap's signed and unsigned arithmetic agree). Anything else is `.unusual`: the
/// caller hands that record to libpcap, whose stream it first moves to `offset`, so its checks and error messages
/// stay libpcap's own.
struct MappedPcapRecords {
    /// One record located in the mapping.
    struct Record {
        /// Packet time, at nanosecond precision.
        var timestamp: Timestamp
        /// Offset of the frame's bytes in the file.
        var dataOffset: Int
        /// Bytes captured.
        var capturedLength: Int
        /// Length on the wire.
        var wireLength: Int
    }

    /// What the next step of the walk found.
    enum Step {
        /// A record, now passed.
        case record(Record)
        /// The end of the file, exactly at a record boundary.
        case end
        /// A record libpcap must read (see the type's description); `offset` stays at its header.
        case unusual
    }

    private let mapping: UnsafeRawBufferPointer
    /// Whether the file's fields are in the other byte order.
    private let swapped: Bool
    /// Multiplier from the file's time fraction to nanoseconds (1,000 for microsecond files, 1 for nanosecond ones).
    private let fractionScale: Int64
    /// The fraction's limit: one second in the file's unit.
    private let fractionLimit: UInt32
    /// The largest captured length libpcap passes unchanged (its snapshot length for the file).
    private let snapshot: UInt32
    /// Offset of the next record's header.
    private(set) var offset: Int

    /// The record header's size in a classic pcap file.
    static let headerLength = 16

    /// A walk over `mapping` (a whole classic pcap file) from `offset`, the first record header libpcap has not read;
    /// nil when the file's header is not one whose records are read here.
    init?(mapping: UnsafeRawBufferPointer, offset: Int, snapshot: Int) {
        guard mapping.count >= 24, offset >= 24, offset <= mapping.count, snapshot > 0 else { return nil }
        let magic = mapping.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
        let nanosecondFile: Bool
        switch magic {
        case 0xA1B2_C3D4: swapped = false; nanosecondFile = false
        case 0xA1B2_3C4D: swapped = false; nanosecondFile = true
        case 0xD4C3_B2A1: swapped = true; nanosecondFile = false
        case 0x4D3C_B2A1: swapped = true; nanosecondFile = true
        default: return nil
        }
        fractionScale = nanosecondFile ? 1 : 1000
        var major = mapping.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
        var minor = mapping.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
        if swapped {
            major = major.byteSwapped
            minor = minor.byteSwapped
        }
        guard major == 2, minor >= 4 else { return nil }
        self.mapping = mapping
        self.offset = offset
        self.snapshot = UInt32(clamping: snapshot)
        fractionLimit = nanosecondFile ? 1_000_000_000 : 1_000_000
    }

    /// Reads the record at `offset` and moves past it, or says why it does not.
    @inline(__always)
    mutating func next() -> Step {
        let remaining = mapping.count - offset
        if remaining == 0 { return .end }
        guard remaining >= MappedPcapRecords.headerLength else { return .unusual }
        var seconds = mapping.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        var fraction = mapping.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
        var captured = mapping.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
        var wire = mapping.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
        if swapped {
            seconds = seconds.byteSwapped
            fraction = fraction.byteSwapped
            captured = captured.byteSwapped
            wire = wire.byteSwapped
        }
        guard captured <= snapshot, Int(captured) <= remaining - MappedPcapRecords.headerLength,
              seconds < 0x8000_0000, fraction < fractionLimit else {
            return .unusual
        }
        let data = offset + MappedPcapRecords.headerLength
        offset = data + Int(captured)
        // The next header and the first bytes of its frame (which the decoder reads) start loading now, while this
        // frame is decoded: otherwise each record's first read waits for memory.
        if let base = mapping.baseAddress, offset < mapping.count {
            hydrant_prefetch(base + offset)
            hydrant_prefetch(base + offset + 64)
        }
        return .record(Record(timestamp: Timestamp(seconds: Int64(seconds), nanoseconds: Int64(fraction) * fractionScale),
                              dataOffset: data, capturedLength: Int(captured), wireLength: Int(wire)))
    }

    /// Continues the walk from `offset` (after libpcap read an unusual record).
    mutating func resume(at offset: Int) {
        self.offset = min(max(offset, 0), mapping.count)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import HydrantRecords

/// Writes a classic pcap file: nanosecond-resolution magic `0xa1b23c4d`, version 2.4, `LINKTYPE_ETHERNET`,
/// little-endian headers.
///
/// Output is buffered (1 MiB) and goes to a file, to standard output (`path == "-"`) or to memory
/// (`PcapWriter(inMemory:)`, for tests). Call `close()` when done; a writer dropped without `close()` flushes
/// what it can and closes its file, but cannot report a failure.
///
/// ```swift
/// var writer = try PcapWriter(path: "out.pcap")
/// try writer.write(frame, timestamp: Timestamp(seconds: 1_704_067_200, nanoseconds: 0))
/// try writer.close()
/// ```
public struct PcapWriter: ~Copyable {
    /// The magic number of a nanosecond-resolution pcap file.
    public static let nanosecondMagic: UInt32 = 0xa1b2_3c4d
    /// LINKTYPE_ETHERNET.
    public static let ethernetLinkType: UInt32 = 1
    /// Size of the file header in bytes.
    public static let fileHeaderLength = 24
    /// Size of each record header in bytes.
    public static let recordHeaderLength = 16

    /// Where the output goes, as given (`-` for standard output, `<memory>` for an in-memory writer).
    public let path: String
    /// The snapshot length written in the header; longer frames are truncated to it.
    public let snapLength: UInt32
    /// Packets written so far.
    public private(set) var packetCount = 0
    /// Bytes produced so far, headers included (some may still be in the buffer).
    public private(set) var byteCount = 0

    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    private let inMemory: Bool
    private var closed = false
    private static let flushThreshold = 1 << 20

    /// Creates (or truncates) the file at `path`, or writes to standard output when `path` is `-`, and writes
    /// the file header.
    public init(path: String, snapLength: UInt32 = 262_144) throws(PcapWriterError) {
        self.path = path
        self.snapLength = snapLength
        self.inMemory = false
        let handle: UnsafeMutablePointer<FILE>? = path == "-" ? fdopen(1, "wb") : fopen(path, "wb")
        guard let handle else {
            throw .cannotOpen(path: path, reason: PcapWriter.lastErrorText())
        }
        file = handle
        buffer.reserveCapacity(PcapWriter.flushThreshold + 70_000)
        appendFileHeader()
    }

    /// Creates a writer that keeps the whole file in memory; read it with `memoryContents`.
    public init(inMemory snapLength: UInt32 = 262_144) {
        self.path = "<memory>"
        self.snapLength = snapLength
        self.inMemory = true
        file = nil
        appendFileHeader()
    }

    deinit {
        if !closed, let file {
            if !buffer.isEmpty { _ = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } }
            fclose(file)
        }
    }

    /// The bytes written so far by an in-memory writer (the file header and every record); empty for a file.
    public var memoryContents: [UInt8] {
        inMemory ? buffer : []
    }

    /// Appends one Ethernet frame captured at `timestamp`. The record's original length is `originalLength`
    /// when given (it must be at least the frame's length), else the frame's length.
    public mutating func write(_ frame: UnsafeRawBufferPointer, timestamp: Timestamp,
                               originalLength: Int? = nil) throws(PcapWriterError) {
        guard !closed else { throw .closed(path: path) }
        let (seconds, fraction) = (timestamp.nanoseconds / 1_000_000_000, timestamp.nanoseconds % 1_000_000_000)
        guard timestamp.nanoseconds >= 0, seconds <= Int64(UInt32.max) else {
            throw .timestampOutOfRange(timestamp)
        }
        let wireLength = originalLength ?? frame.count
        guard wireLength >= frame.count, wireLength <= Int(UInt32.max) else {
            throw .badLength(captured: frame.count, original: wireLength)
        }
        let captured = min(frame.count, Int(snapLength))
        appendLittleEndian(UInt32(seconds))
        appendLittleEndian(UInt32(fraction))
        appendLittleEndian(UInt32(captured))
        appendLittleEndian(UInt32(wireLength))
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: frame[0..<captured]))
        packetCount += 1
        byteCount += PcapWriter.recordHeaderLength + captured
        if !inMemory, buffer.count >= PcapWriter.flushThreshold { try flush() }
    }

    /// Appends one Ethernet frame given as an array.
    public mutating func write(_ frame: [UInt8], timestamp: Timestamp) throws(PcapWriterError) {
        var failure: PcapWriterError?
        frame.withUnsafeBytes { bytes in
            do throws(PcapWriterError) { try write(bytes, timestamp: timestamp) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes out the buffer (a no-op for an in-memory writer).
    public mutating func flush() throws(PcapWriterError) {
        guard let file, !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else { throw .writeFailed(path: path, reason: PcapWriter.lastErrorText()) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the output. Throws when the data could not be written completely.
    public consuming func close() throws(PcapWriterError) {
        guard !closed else { return }
        defer { closed = true }
        guard let file else { return }
        var failure: PcapWriterError?
        do { try flush() } catch { failure = error }
        if fclose(file) != 0, failure == nil {
            failure = .writeFailed(path: path, reason: PcapWriter.lastErrorText())
        }
        if let failure { throw failure }
    }

    private mutating func appendFileHeader() {
        appendLittleEndian(PcapWriter.nanosecondMagic)
        appendLittleEndian(UInt16(2))  // version major
        appendLittleEndian(UInt16(4))  // version minor
        appendLittleEndian(UInt32(0))  // thiszone
        appendLittleEndian(UInt32(0))  // sigfigs
        appendLittleEndian(snapLength)
        appendLittleEndian(PcapWriter.ethernetLinkType)
        byteCount = PcapWriter.fileHeaderLength
    }

    @inline(__always)
    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}

/// Why a `PcapWriter` failed.
public enum PcapWriterError: Error, Equatable, CustomStringConvertible {
    /// The output file could not be created.
    case cannotOpen(path: String, reason: String)
    /// Writing or closing the output failed (disk full, closed pipe, …).
    case writeFailed(path: String, reason: String)
    /// The writer was already closed.
    case closed(path: String)
    /// The timestamp is before 1970 or past what a 32-bit seconds field holds (2106).
    case timestampOutOfRange(Timestamp)
    /// The original length is shorter than the captured frame, or too long for the format.
    case badLength(captured: Int, original: Int)

    /// A message that says what went wrong and where.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot create \(path): \(reason)"
        case let .writeFailed(path, reason): return "cannot write \(path): \(reason)"
        case let .closed(path): return "\(path): writer already closed"
        case let .timestampOutOfRange(time): return "timestamp \(time.nanoseconds) ns is outside 1970…2106"
        case let .badLength(captured, original):
            return "original length \(original) is shorter than the captured \(captured) bytes or too long"
        }
    }
}

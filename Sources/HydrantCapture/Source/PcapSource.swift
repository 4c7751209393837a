import CMappedFile
import CPcap
import HydrantRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One captured frame, borrowed from libpcap's buffer until the next read.
public struct CapturedFrame {
    /// Packet time.
    public var timestamp: Timestamp
    /// Length on the wire (may exceed the captured bytes).
    public var wireLength: Int
    /// The captured bytes.
    public var bytes: UnsafeRawBufferPointer
    /// When the frame was read from a mapped capture file: the mapping, unretained (a holder of bytes past the next
    /// read retains it), and where the same bytes lie in it, which stay readable while the mapping lives.
    var mapped: Unmanaged<PcapHandle>?
    /// Offset of the frame's bytes in `mapped`'s file.
    var mappedOffset = 0
}

/// The result of one read from a capture source.
public enum CaptureRead {
    /// A frame was read.
    case frame(CapturedFrame)
    /// A live capture's read timeout passed with no packet.
    case idle
    /// The file ended, or the live capture was stopped.
    case end
}

/// A libpcap capture handle: a pcap or pcapng file, or a live interface, with an optional BPF filter.
///
/// Timestamps are requested at nanosecond precision so that packet time is never rounded.
public final class PcapSource {
    /// The handle, shared with the batches that read the file's mapping.
    let owner: PcapHandle
    private var handle: OpaquePointer { owner.pointer }
    /// The file path or interface name, for messages.
    public let name: String
    /// The link type of the capture, from libpcap's `pcap_datalink`.
    public let linkType: LinkType
    /// The raw DLT value.
    public let dlt: Int32
    /// The size of the file in bytes, for progress; nil for live captures.
    public let fileSize: Int64?

    private init(handle: OpaquePointer, name: String, fileSize: Int64?, mapped: Bool = false) {
        self.name = name
        self.fileSize = fileSize
        dlt = pcap_datalink(handle)
        linkType = LinkType(dlt: dlt)
        owner = PcapHandle(handle, mapping: mapped ? PcapSource.mapping(of: handle, fileSize: fileSize, linkType: linkType) : nil)
        if let mapping = owner.mapping, let position = PcapSource.position(of: handle, in: mapping) {
            records = MappedPcapRecords(mapping: mapping, offset: position, snapshot: Int(pcap_snapshot(handle)))
        }
    }

    /// The mapping a capture file is read through, when frames can be located in it: a classic pcap file (each
    /// frame's bytes follow its record header in the file; pcapng blocks do not) that glibc mapped whole, with a
    /// link type libpcap hands over unmodified (it rewrites some pseudo-headers, such as USB's, in its buffer).
    private static func mapping(of handle: OpaquePointer, fileSize: Int64?, linkType: LinkType) -> UnsafeRawBufferPointer? {
        // An ordinary stream's buffer is a few KiB, reused: only a buffer spanning a file larger than any such
        // buffer is taken for the mapping.
        guard let fileSize, fileSize > 1 << 16, pcap_file(handle) != nil else { return nil }
        switch linkType {
        case .ethernet, .rawIP: break
        default: return nil
        }
        guard let (base, end) = PcapSource.streamBuffer(handle), end - base == Int(fileSize) else { return nil }
        // The file header's magic says classic pcap (either byte order, micro- or nanosecond time).
        let magic = UnsafeRawPointer(bitPattern: base)?.loadUnaligned(as: UInt32.self) ?? 0
        guard [0xA1B2_C3D4, 0xA1B2_3C4D, 0xD4C3_B2A1, 0x4D3C_B2A1].contains(magic) else { return nil }
        return UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: base), count: Int(fileSize))
    }

    /// The start and end of the stdio buffer libpcap reads from (a mapped stream's buffer is the whole file).
    private static func streamBuffer(_ handle: OpaquePointer) -> (base: Int, end: Int)? {
        #if canImport(Glibc)
        guard let file = pcap_file(handle), let base = file.pointee._IO_buf_base, let end = file.pointee._IO_buf_end else {
            return nil
        }
        return (Int(bitPattern: base), Int(bitPattern: end))
        #else
        return nil
        #endif
    }

    /// The stdio stream's read position as an offset into `mapping`, or nil when it is not inside it.
    @inline(__always)
    private func mappedPosition(_ mapping: UnsafeRawBufferPointer) -> Int? {
        PcapSource.position(of: handle, in: mapping)
    }

    /// `handle`'s stdio read position as an offset into `mapping`, or nil when it is not inside it.
    @inline(__always)
    private static func position(of handle: OpaquePointer, in mapping: UnsafeRawBufferPointer) -> Int? {
        #if canImport(Glibc)
        guard let file = pcap_file(handle), let position = file.pointee._IO_read_ptr,
              let base = mapping.baseAddress else { return nil }
        let offset = Int(bitPattern: UnsafeRawPointer(position)) - Int(bitPattern: base)
        return offset >= 0 && offset <= mapping.count ? offset : nil
        #else
        return nil
        #endif
    }

    /// The walk over a mapped classic pcap file's records, which reads frames in place instead of through libpcap's
    /// copy; nil for other sources, with a filter (libpcap applies it while reading), or with `readsInPlace` off.
    private var records: MappedPcapRecords?

    /// Whether frames are read straight from the file's mapping rather than through libpcap's read.
    var readsRecordsInPlace: Bool { records != nil }

    /// Bytes at the start of a mapped file already given back to the kernel.
    private var releasedBytes = 0
    /// Frames read since pages were last given back.
    private var framesSinceRelease = 0

    /// Opens a pcap or pcapng file (`-` for standard input), optionally applying a BPF filter.
    public static func openFile(_ path: String, filter: String? = nil) throws(CaptureError) -> PcapSource {
        try openFile(path, filter: filter, readsRecordsInPlace: true)
    }

    /// `openFile(_:filter:)`; without `readsRecordsInPlace` every record goes through libpcap's read (tests compare
    /// the two).
    static func openFile(_ path: String, filter: String?, readsRecordsInPlace: Bool) throws(CaptureError) -> PcapSource {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        // A mapped stream spares libpcap's reads the system calls and the kernel's copy (see CMappedFile);
        // `-` is standard input, read as an ordinary stream.
        let file = path == "-" ? fdopen(STDIN_FILENO, "rb") : hydrant_open_capture(path)
        guard let file else {
            throw .cannotOpenFile(path: path, reason: "\(path): \(String(cString: strerror(errno)))")
        }
        guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            fclose(file)
            throw .cannotOpenFile(path: path, reason: text(of: errorBuffer))
        }
        var info = stat()
        let size: Int64? = fstat(fileno(file), &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
        let source = PcapSource(handle: handle, name: path, fileSize: size, mapped: path != "-")
        if !readsRecordsInPlace { source.records = nil }
        if let filter { try source.apply(filter: filter) }
        return source
    }

    /// Opens a live interface. Fails with `.permissionDenied` when the process lacks capture privileges.
    public static func openLive(interface: String, filter: String? = nil, snapLength: Int32 = 262_144,
                                promiscuous: Bool = true, readTimeoutMilliseconds: Int32 = 100) throws(CaptureError) -> PcapSource {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw .cannotOpenInterface(name: interface, reason: text(of: errorBuffer))
        }
        pcap_set_snaplen(handle, snapLength)
        pcap_set_promisc(handle, promiscuous ? 1 : 0)
        pcap_set_timeout(handle, readTimeoutMilliseconds)
        pcap_set_buffer_size(handle, 16 << 20)
        _ = pcap_set_tstamp_precision(handle, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let status = pcap_activate(handle)
        if status < 0 {
            let reason = String(cString: pcap_geterr(handle))
            let text = reason.isEmpty ? String(cString: pcap_statustostr(status)) : reason
            pcap_close(handle)
            if status == PCAP_ERROR_PERM_DENIED || text.contains("Operation not permitted") {
                throw .permissionDenied(name: interface, reason: text)
            }
            throw .cannotOpenInterface(name: interface, reason: text)
        }
        // Non-blocking reads plus our own poll: on Linux a blocking TPACKET_V3 read can wait forever on a quiet
        // interface, which would keep the agent from expiring flows or noticing a stop request.
        guard pcap_setnonblock(handle, 1, &errorBuffer) == 0 else {
            pcap_close(handle)
            throw .cannotOpenInterface(name: interface, reason: text(of: errorBuffer))
        }
        let source = PcapSource(handle: handle, name: interface, fileSize: nil)
        if let filter { try source.apply(filter: filter) }
        return source
    }

    /// Waits until a live capture has packets to read, the timeout passes, or a signal arrives.
    public func waitForPackets(milliseconds: Int32) {
        let descriptor = pcap_get_selectable_fd(handle)
        guard descriptor >= 0 else { return }
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&request, 1, milliseconds)
    }

    /// Checks that a BPF filter expression compiles (for Ethernet), so a typo is a usage error before any file opens.
    public static func validate(filter: String) throws(CaptureError) {
        guard let dead = pcap_open_dead(DLT_EN10MB, 262_144) else { return }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(expression: filter, reason: String(cString: pcap_geterr(dead)))
        }
        pcap_freecode(&program)
    }

    private func apply(filter: String) throws(CaptureError) {
        // libpcap filters the records it reads; those read in place would pass unfiltered.
        records = nil
        var program = bpf_program()
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(expression: filter, reason: String(cString: pcap_geterr(handle)))
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw .badFilter(expression: filter, reason: String(cString: pcap_geterr(handle)))
        }
    }

    /// Reads the next frame; the frame's bytes are valid until the next call.
    @inline(__always)
    public func next() throws(CaptureError) -> CaptureRead {
        if records != nil, let mapping = owner.mapping, let base = mapping.baseAddress {
            switch records?.next() {
            case .record(let record)?:
                var frame = CapturedFrame(timestamp: record.timestamp, wireLength: record.wireLength,
                                          bytes: UnsafeRawBufferPointer(start: base + record.dataOffset,
                                                                        count: record.capturedLength))
                frame.mapped = Unmanaged.passUnretained(owner)
                frame.mappedOffset = record.dataOffset
                framesSinceRelease &+= 1
                if framesSinceRelease >= 8192 {
                    framesSinceRelease = 0
                    // The frame just read is decoded after this returns: only the pages before its header go back.
                    owner.releasePages(upTo: record.dataOffset - MappedPcapRecords.headerLength, released: &releasedBytes)
                }
                return .frame(frame)
            case .end?:
                return .end
            case .unusual?, nil:
                // libpcap reads this record (and says what is wrong with it) from where the walk stopped.
                guard let file = pcap_file(handle), let offset = records?.offset, fseek(file, offset, SEEK_SET) == 0 else {
                    records = nil
                    break
                }
                let read = try nextFromLibpcap()
                if let position = mappedPosition(mapping) { records?.resume(at: position) } else { records = nil }
                return read
            }
        }
        return try nextFromLibpcap()
    }

    /// Reads the next frame through `pcap_next_ex`.
    @inline(__always)
    private func nextFromLibpcap() throws(CaptureError) -> CaptureRead {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        switch status {
        case 1:
            guard let header, let data else { return .idle }
            let h = header.pointee
            // Opened at nanosecond precision, libpcap puts nanoseconds in the field named tv_usec.
            let stamp = Timestamp(seconds: Int64(h.ts.tv_sec), nanoseconds: Int64(h.ts.tv_usec))
            var frame = CapturedFrame(timestamp: stamp, wireLength: Int(h.len),
                                      bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)))
            if let mapping = owner.mapping, let position = mappedPosition(mapping) {
                // libpcap has just read the record header and then the frame's bytes, so they end at the read
                // position; the header before them must agree (a truncated or skipped frame does not).
                let start = position - Int(h.caplen)
                if start >= 16, PcapSource.recordHeader(in: mapping, before: start, matches: h) {
                    frame.mapped = Unmanaged.passUnretained(owner)
                    frame.mappedOffset = start
                }
                framesSinceRelease &+= 1
                if framesSinceRelease >= 8192 {
                    framesSinceRelease = 0
                    owner.releasePages(upTo: position, released: &releasedBytes)
                }
            } else {
                framesSinceRelease &+= 1
                if framesSinceRelease >= 8192, let fileSize, let file = pcap_file(handle) {
                    framesSinceRelease = 0
                    hydrant_release_read_pages(file, Int(fileSize), &releasedBytes)
                }
            }
            return .frame(frame)
        case 0:
            return .idle
        case PCAP_ERROR_BREAK:
            return .end
        case PCAP_ERROR:
            throw .readFailed(source: name, reason: String(cString: pcap_geterr(handle)))
        default:
            return .end
        }
    }

    /// Whether the pcap record header that ends at `start` in `mapping` gives the captured and wire lengths of
    /// `header` (in either byte order).
    @inline(__always)
    private static func recordHeader(in mapping: UnsafeRawBufferPointer, before start: Int, matches header: pcap_pkthdr) -> Bool {
        let captured = mapping.loadUnaligned(fromByteOffset: start - 8, as: UInt32.self)
        let wire = mapping.loadUnaligned(fromByteOffset: start - 4, as: UInt32.self)
        return (captured == header.caplen && wire == header.len)
            || (captured.byteSwapped == header.caplen && wire.byteSwapped == header.len)
    }

    /// How far into the file the reader is, in bytes; nil for live captures.
    public var fileOffset: Int64? {
        if let records { return Int64(records.offset) }
        guard fileSize != nil, let file = pcap_file(handle) else { return nil }
        return Int64(ftell(file))
    }

    /// Frames the kernel dropped on a live capture (`pcap_stats`), or nil when unknown.
    public var kernelDrops: Int? {
        guard fileSize == nil else { return nil }
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return Int(stats.ps_drop) + Int(stats.ps_ifdrop)
    }
}

/// The text of a NUL-terminated C buffer.
func text(of buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

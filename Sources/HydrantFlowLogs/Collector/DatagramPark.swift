import HydrantRecords

/// Datagrams the receive thread could not decode yet because every record batch was with the writer: packed one
/// after another (sender, receive time, length, bytes) into pages, first in, first out, within a byte limit.
///
/// A parked datagram takes its wire size (about 1,400 bytes for 30 IPFIX records) where its decoded records would
/// take about eight times that, so a slow writer is absorbed with little memory, and the receive thread keeps
/// draining the sockets while it waits. Pages are reused (a few are kept when emptied) so that a sustained backlog
/// does not allocate and fault in fresh memory for every datagram. Used by one thread at a time.
final class DatagramPark {
    /// Bytes per page: room for the largest datagram and its header.
    static let pageSize = 1 << 20
    /// Bytes in front of each datagram: sender (4), length (4), receive time (8).
    static let headerSize = 16
    /// Emptied pages kept for reuse.
    static let sparePages = 4

    /// One page of packed datagrams; `read` is where the oldest unread one starts, `written` where the next goes.
    private struct Page {
        let bytes: UnsafeMutableRawBufferPointer
        var read = 0
        var written = 0
    }

    private var pages: [Page] = []
    private var head = 0
    private var spares: [UnsafeMutableRawBufferPointer] = []
    /// The most page memory held at once, spare pages included.
    private let limit: Int
    private var allocatedPages = 0

    /// Datagrams parked and not yet taken.
    private(set) var count = 0
    /// Bytes of datagrams (with their headers) parked and not yet taken.
    private(set) var byteCount = 0
    /// The most page memory held at once so far, in bytes.
    private(set) var peakBytes = 0

    /// A park holding at most `limit` bytes of pages (at least one page).
    init(limit: Int) {
        self.limit = max(limit, Self.pageSize)
    }

    /// Whether nothing is parked.
    var isEmpty: Bool { count == 0 }

    /// Page memory held now, spare pages included.
    var allocatedBytes: Int { allocatedPages * Self.pageSize }

    /// Whether `datagrams` more datagrams of at most `size` bytes each would certainly fit.
    func hasRoom(datagrams: Int, ofAtMost size: Int) -> Bool {
        let perPage = Self.pageSize / Self.entrySize(size)
        guard perPage > 0 else { return false }
        // The page written to now may take none of them; each further page takes `perPage`.
        let needed = (datagrams + perPage - 1) / perPage
        return (pages.count - head) + needed <= limit / Self.pageSize
    }

    /// Copies `datagram` from IPv4 `sender` (host order), received at `receivedAt`, to the back; false (and nothing
    /// kept) when it would take the park over its limit.
    func park(_ datagram: UnsafeRawBufferPointer, from sender: UInt32, receivedAt: Timestamp) -> Bool {
        let size = Self.entrySize(datagram.count)
        guard size <= Self.pageSize else { return false }
        if head == pages.count || Self.pageSize - pages[pages.count - 1].written < size {
            guard let page = takePage() else { return false }
            pages.append(Page(bytes: page))
        }
        let last = pages.count - 1
        let at = pages[last].bytes.baseAddress.unsafelyUnwrapped + pages[last].written
        at.storeBytes(of: sender, as: UInt32.self)
        at.storeBytes(of: UInt32(datagram.count), toByteOffset: 4, as: UInt32.self)
        at.storeBytes(of: receivedAt.nanoseconds, toByteOffset: 8, as: Int64.self)
        if let source = datagram.baseAddress, datagram.count > 0 {
            (at + Self.headerSize).copyMemory(from: source, byteCount: datagram.count)
        }
        pages[last].written += size
        count += 1
        byteCount += size
        return true
    }

    /// Calls `body` with the oldest parked datagrams, oldest first, while it returns true and datagrams are left;
    /// each one is taken once `body` returns. The bytes are valid only during the call.
    func drain(_ body: (UnsafeRawBufferPointer, UInt32, Timestamp) -> Bool) {
        while head < pages.count {
            let page = pages[head]
            if page.read == page.written {
                // Emptied: the page written to last stays in place for more.
                if head == pages.count - 1 {
                    pages[head].read = 0
                    pages[head].written = 0
                    return
                }
                givePage(page.bytes)
                head += 1
                if head >= 64 || head == pages.count {
                    pages.removeFirst(head)
                    head = 0
                }
                continue
            }
            let at = UnsafeRawPointer(page.bytes.baseAddress.unsafelyUnwrapped + page.read)
            let sender = at.loadUnaligned(as: UInt32.self)
            let length = Int(at.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
            let receivedAt = Timestamp(nanoseconds: at.loadUnaligned(fromByteOffset: 8, as: Int64.self))
            let more = body(UnsafeRawBufferPointer(start: at + Self.headerSize, count: length), sender, receivedAt)
            let size = Self.entrySize(length)
            pages[head].read += size
            count -= 1
            byteCount -= size
            if !more { return }
        }
    }

    deinit {
        for page in pages[head...] { page.bytes.deallocate() }
        for page in spares { page.deallocate() }
    }

    /// Header and bytes, rounded up to 8 so that headers stay aligned.
    private static func entrySize(_ length: Int) -> Int {
        (headerSize + length + 7) & ~7
    }

    private func takePage() -> UnsafeMutableRawBufferPointer? {
        if let spare = spares.popLast() { return spare }
        guard (allocatedPages + 1) * Self.pageSize <= limit else { return nil }
        allocatedPages += 1
        peakBytes = max(peakBytes, allocatedBytes)
        return .allocate(byteCount: Self.pageSize, alignment: 16)
    }

    private func givePage(_ page: UnsafeMutableRawBufferPointer) {
        if spares.count < Self.sparePages {
            spares.append(page)
        } else {
            page.deallocate()
            allocatedPages -= 1
        }
    }
}

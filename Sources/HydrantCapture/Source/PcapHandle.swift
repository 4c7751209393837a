import CPcap
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpcap handle and the memory mapping of the file it reads, if any, closed when the last holder lets go: the
/// `PcapSource`, and the packet batches whose payloads point into the mapping (`CaptureEngine` reads a replayed
/// file's payloads in place instead of copying them out of libpcap's reused buffer).
///
/// Pages the reader has passed are given back to the kernel so that resident memory stays small whatever the
/// file's size, but not those a batch in flight still reads: the engine moves `inUseFrom` forward as batches
/// complete. Unchecked: `pointer` is used by the source's thread only; the mapping is read-only; `inUseFrom` is atomic.
final class PcapHandle: @unchecked Sendable {
    /// libpcap's handle.
    let pointer: OpaquePointer
    /// The whole capture file as mapped by glibc's stdio, when frames can be located in it.
    let mapping: UnsafeRawBufferPointer?
    /// File offset before which no batch reads the mapping any more; `Int.max` while no engine reads it.
    let inUseFrom = Atomic<Int>(Int.max)

    /// Takes ownership of `pointer`.
    init(_ pointer: OpaquePointer, mapping: UnsafeRawBufferPointer?) {
        self.pointer = pointer
        self.mapping = mapping
    }

    deinit { pcap_close(pointer) }

    /// Gives back the mapped pages before `position` that nobody reads any more; `released` carries the progress.
    func releasePages(upTo position: Int, released: inout Int) {
        guard let mapping, let base = mapping.baseAddress, mapping.count >= 1 << 20 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let limit = min(position, inUseFrom.load(ordering: .acquiring))
        let end = limit / page * page
        guard end > released else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + released), end - released, MADV_DONTNEED)
        released = end
    }
}

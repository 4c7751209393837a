#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw memory aligned for direct I/O, which needs the buffer address, the file offset and the length all to be
/// multiples of the device's logical block size.
///
/// Owned by one thread at a time; the memory is freed with the buffer.
public final class AlignedBuffer {
    /// The alignment of the memory, and the block size direct writes are padded to: 4,096 bytes covers devices with
    /// 512-byte and 4 KiB logical blocks.
    public static let alignment = 4096

    /// The start of the memory.
    public private(set) var base: UnsafeMutableRawPointer
    /// The bytes available from `base`, a multiple of `alignment`.
    public private(set) var capacity: Int

    /// A buffer of at least `capacity` bytes (at least one block), contents undefined.
    public init(capacity: Int) {
        let rounded = Self.roundUp(max(capacity, 1))
        base = Self.allocate(rounded)
        self.capacity = rounded
    }

    deinit { free(base) }

    /// `count` rounded up to a multiple of `alignment`.
    @inlinable
    public static func roundUp(_ count: Int) -> Int {
        (count + alignment - 1) & ~(alignment - 1)
    }

    /// `count` rounded down to a multiple of `alignment`.
    @inlinable
    public static func roundDown(_ count: Int) -> Int {
        count & ~(alignment - 1)
    }

    /// Makes room for `capacity` bytes, keeping the first `keeping` bytes of the contents.
    public func reserve(_ capacity: Int, keeping: Int) {
        guard capacity > self.capacity else { return }
        let rounded = Self.roundUp(max(capacity, self.capacity * 2))
        let grown = Self.allocate(rounded)
        if keeping > 0 { grown.copyMemory(from: base, byteCount: min(keeping, self.capacity)) }
        free(base)
        base = grown
        self.capacity = rounded
    }

    private static func allocate(_ count: Int) -> UnsafeMutableRawPointer {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, alignment, count) == 0, let memory else {
            fatalError("out of memory allocating \(count) bytes for direct I/O")
        }
        return memory
    }
}

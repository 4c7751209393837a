/// The decoder's scratch memory for one reassembled datagram.
///
/// A completed datagram is copied here and decoded in place, so `DecodedPacket.payload` can point at it until
/// the next call. Raw memory rather than an array, because that pointer must outlive any closure; a class so
/// that it is freed when the decoder goes.
final class ReassemblyBuffer {
    /// The allocated bytes, made on first use: most captures hold no fragments at all.
    private var storage: UnsafeMutableRawBufferPointer?
    /// Size of the buffer once allocated.
    let capacity: Int

    /// A buffer of `capacity` bytes, allocated on first use.
    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The buffer's bytes.
    var bytes: UnsafeMutableRawBufferPointer {
        if let storage { return storage }
        let made = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 8)
        storage = made
        return made
    }

    deinit {
        storage?.deallocate()
    }
}

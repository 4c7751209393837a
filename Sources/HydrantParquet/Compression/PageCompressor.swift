import CSnappy
import CZlib
import CZstd

/// Compresses page bodies with the file's codec, reusing one native context and one output buffer per column.
///
/// Contexts are per column writer (not shared), so no locking is needed and page compression allocates nothing in
/// steady state.
final class PageCompressor {
    let compression: ParquetCompression
    private let output = ByteBuffer(capacity: 1 << 16)
    private var zstdContext: OpaquePointer?
    private var zlibStream: UnsafeMutablePointer<z_stream>?

    init(_ compression: ParquetCompression) {
        self.compression = compression
    }

    deinit {
        if let zstdContext { ZSTD_freeCCtx(zstdContext) }
        if let zlibStream {
            deflateEnd(zlibStream)
            zlibStream.deallocate()
        }
    }

    /// The `CompressionCodec` number written into ColumnMetaData.
    static func codec(of compression: ParquetCompression) -> Int32 {
        switch compression {
        case .none: 0
        case .snappy: 1
        case .gzip: 2
        case .zstd: 6
        }
    }

    /// Compresses `input`; the result stays valid until the next call. Uncompressed returns `input` itself.
    func compress(_ input: UnsafeRawBufferPointer) throws(ParquetError) -> UnsafeRawBufferPointer {
        output.removeAll()
        switch compression {
        case .none:
            return input
        case .snappy:
            let bound = snappy_max_compressed_length(input.count)
            let dest = output.writableTail(bound)
            var length = bound
            let status = snappy_compress(
                input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                dest.assumingMemoryBound(to: CChar.self), &length)
            guard status == SNAPPY_OK else { throw .compression("snappy_compress failed with status \(status)") }
            output.commit(length)
        case .zstd(let level):
            if zstdContext == nil { zstdContext = ZSTD_createCCtx() }
            guard let context = zstdContext else { throw .compression("ZSTD_createCCtx failed") }
            let bound = ZSTD_compressBound(input.count)
            let dest = output.writableTail(bound)
            let result = ZSTD_compressCCtx(context, dest, bound, input.baseAddress, input.count, level)
            if ZSTD_isError(result) != 0 {
                throw .compression("zstd: \(String(cString: ZSTD_getErrorName(result)))")
            }
            output.commit(result)
        case .gzip(let level):
            try deflate(input, level: level)
        }
        return output.bytes
    }

    private func deflate(_ input: UnsafeRawBufferPointer, level: Int32) throws(ParquetError) {
        let stream: UnsafeMutablePointer<z_stream>
        if let existing = zlibStream {
            stream = existing
            guard deflateReset(stream) == Z_OK else { throw .compression("deflateReset failed") }
        } else {
            // zlib keeps a pointer back to the stream, so it lives at a fixed address for the writer's lifetime.
            stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // windowBits 31 = 15 + 16: a gzip header and trailer, which Parquet's GZIP codec means.
            let status = deflateInit2_(stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                                       ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw .compression("deflateInit2 failed with status \(status)")
            }
            zlibStream = stream
        }
        let bound = Int(deflateBound(stream, UInt(input.count))) + 32
        let dest = output.writableTail(bound)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = dest.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(bound)
        let status = CZlib.deflate(stream, Z_FINISH)
        guard status == Z_STREAM_END else { throw .compression("deflate failed with status \(status)") }
        output.commit(bound - Int(stream.pointee.avail_out))
    }
}

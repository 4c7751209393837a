import NIOCore

/// `withUnsafeReadableBytes`/`withUnsafeBytes` rethrow untyped errors; these keep the body's typed error, so that
/// parsers can throw `FirehoseError`/`JSONSyntaxError` through them.
public enum TypedBytes {
    /// Runs `body` over the readable bytes of `buffer`.
    public static func with<T, E: Error>(_ buffer: ByteBuffer,
                                         _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = buffer.withUnsafeReadableBytes { bytes in
            do throws(E) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Runs `body` over the bytes of `array`.
    public static func with<T, E: Error>(_ array: [UInt8],
                                         _ body: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let result: Result<T, E> = array.withUnsafeBytes { bytes in
            do throws(E) { return .success(try body(bytes)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

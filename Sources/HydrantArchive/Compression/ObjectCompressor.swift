import CZstd
import CompressNIO
import NIOCore

/// Compresses a whole object body in the stream's configured format.
public enum ObjectCompressor {
    /// The zstd level: 3 is zstd's own default, a good speed/ratio balance for JSON lines.
    public static let zstdLevel: Int32 = 3

    /// `body` compressed as `format` (returned unchanged for `.none`).
    public static func compress(_ body: [UInt8], as format: Compression) throws(CompressionError) -> [UInt8] {
        switch format {
        case .none:
            return body
        case .gzip:
            var input = ByteBuffer(bytes: body)
            do {
                var output = try input.compress(with: .gzip())
                return output.readBytes(length: output.readableBytes) ?? []
            } catch {
                throw CompressionError(format: format, reason: "\(error)")
            }
        case .zstd:
            let bound = ZSTD_compressBound(body.count)
            var output = [UInt8](repeating: 0, count: bound)
            let written = output.withUnsafeMutableBytes { out in
                body.withUnsafeBytes { input in
                    ZSTD_compress(out.baseAddress, bound, input.baseAddress, input.count, zstdLevel)
                }
            }
            guard ZSTD_isError(written) == 0 else {
                throw CompressionError(format: format, reason: String(cString: ZSTD_getErrorName(written)))
            }
            output.removeSubrange(written...)
            return output
        }
    }
}

/// Why an object could not be compressed.
public struct CompressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The format asked for.
    public let format: Compression
    /// What the compressor reported.
    public let reason: String

    /// A sentence for logs.
    public var description: String { "\(format.rawValue) compression failed: \(reason)" }
}

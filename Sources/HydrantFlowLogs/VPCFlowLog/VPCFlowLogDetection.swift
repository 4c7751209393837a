import CZlib

#if canImport(Glibc)
import Glibc
#endif

extension VPCFlowLogReader {
    /// Whether the file at `path` (plain or gzip) starts with a VPC Flow Logs header line, read from at most its
    /// first 4 KiB; false for unreadable files and binary data such as captures. Standard input cannot be looked
    /// at without consuming it, so `-` is never recognised.
    public static func startsWithHeader(path: String) -> Bool {
        guard path != "-", let file = gzopen(path, "rb") else { return false }
        defer { gzclose(file) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        guard count > 0 else { return false }
        let head = bytes[0..<Int(count)]
        guard let newline = head.firstIndex(of: UInt8(ascii: "\n")) else {
            // A file that is only a header (no traffic yet) has no newline when shorter than the read.
            return Int(count) < bytes.count && VPCFlowLogFormat.isHeader(head)
        }
        return VPCFlowLogFormat.isHeader(head[..<newline])
    }
}

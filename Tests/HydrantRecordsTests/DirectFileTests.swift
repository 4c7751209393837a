import Foundation
import HydrantRecords
import Testing

@Suite("Direct file writes")
struct DirectFileTests {
    /// Writes `length` bytes in aligned, padded pieces of at most `piece` bytes, cuts the padding off, and returns
    /// what the file then holds and whether the writes bypassed the page cache.
    private func writeAndRead(length: Int, piece: Int, direct: Bool) throws -> (stored: [UInt8], expected: [UInt8], direct: Bool) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-direct-\(UUID().uuidString)").path
        defer { unlink(path) }
        let expected = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 12) }
        guard case .success(var file) = DirectFile.open(path, flags: O_WRONLY | O_CREAT | O_EXCL, direct: direct) else {
            Issue.record("cannot create \(path)")
            return ([], expected, false)
        }
        let staging = AlignedBuffer(capacity: piece)
        var offset = 0
        while offset < length {
            let count = min(piece, length - offset)
            expected.withUnsafeBytes { bytes in
                if let base = bytes.baseAddress { staging.base.copyMemory(from: base + offset, byteCount: count) }
            }
            let padded = file.isDirect ? AlignedBuffer.roundUp(count) : count
            (staging.base + count).initializeMemory(as: UInt8.self, repeating: 0, count: padded - count)
            let result = file.write(staging.base, count: padded, at: offset)
            if result == .directRefused { continue }
            #expect(result == .written)
            offset += count
        }
        let wasDirect = file.isDirect
        #expect(ftruncate(file.descriptor, off_t(length)) == 0)
        close(file.descriptor)
        let stored = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        return (stored, expected, wasDirect)
    }

    @Test("aligned, padded pieces of any total length read back byte for byte, direct or buffered",
          arguments: [(1, 4096), (4095, 4096), (4096, 4096), (4097, 4096), (1 << 20 | 5, 65536), (300_000, 1 << 20)],
          [true, false])
    func roundTrip(sizes: (length: Int, piece: Int), direct: Bool) throws {
        let result = try writeAndRead(length: sizes.length, piece: sizes.piece, direct: direct)
        #expect(result.stored.count == sizes.length)
        #expect(result.stored == result.expected)
        if !direct { #expect(!result.direct, "a file opened without direct writes never reports them") }
    }

    @Test("the buffer is aligned for direct I/O, and growing keeps the bytes asked for")
    func alignedBuffer() {
        let buffer = AlignedBuffer(capacity: 10)
        #expect(Int(bitPattern: buffer.base) % AlignedBuffer.alignment == 0)
        #expect(buffer.capacity == AlignedBuffer.alignment)
        for index in 0..<100 { buffer.base.storeBytes(of: UInt8(index), toByteOffset: index, as: UInt8.self) }
        buffer.reserve(3 * AlignedBuffer.alignment + 1, keeping: 100)
        #expect(Int(bitPattern: buffer.base) % AlignedBuffer.alignment == 0)
        #expect(buffer.capacity >= 3 * AlignedBuffer.alignment + 1 && buffer.capacity % AlignedBuffer.alignment == 0)
        #expect((0..<100).allSatisfy { buffer.base.load(fromByteOffset: $0, as: UInt8.self) == UInt8($0) })
        #expect(AlignedBuffer.roundUp(4097) == 8192 && AlignedBuffer.roundDown(4097) == 4096 && AlignedBuffer.roundUp(0) == 0)
    }
}

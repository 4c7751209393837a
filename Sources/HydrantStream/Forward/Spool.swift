import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Batches waiting on local disk while a remote stream is unreachable, oldest first. Each batch is one file,
/// written under a temporary name, fsynced and renamed, so a crash leaves whole batches only.
///
/// File format: `HYSPOOL1`, then per record a 4-byte big-endian length and the record's bytes.
final class Spool {
    private static let magic: [UInt8] = Array("HYSPOOL1".utf8)

    /// The spool directory.
    let directory: String
    /// Spooled batch files, oldest first, with their sizes.
    private var files: [(name: String, bytes: Int)] = []
    private var nextSequence: UInt64 = 0
    /// Bytes on disk in spooled batches.
    private(set) var bytes = 0

    /// Opens (creating) `directory` and lists the batches a previous run left.
    init(directory: String) throws(ForwardError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".spool") && !$0.hasPrefix(".") }
                .sorted()
            for name in names {
                let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0
                files.append((name, size ?? 0))
                bytes += size ?? 0
                if let sequence = UInt64(name.dropLast(".spool".count)) { nextSequence = max(nextSequence, sequence + 1) }
            }
        } catch {
            throw .spool("cannot open spool directory \(directory): \(error)")
        }
    }

    /// Whether no batch waits.
    var isEmpty: Bool { files.isEmpty }
    /// How many batches wait.
    var count: Int { files.count }

    /// Writes `batch` durably as the newest spooled batch.
    func append(_ batch: IngestBatch) throws(ForwardError) {
        var data = Self.magic
        data.reserveCapacity(8 + batch.byteCount + 4 * batch.count)
        for index in 0..<batch.count {
            let length = UInt32(batch.range(of: index).count)
            data.append(contentsOf: [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
                                     UInt8(length & 0xFF)])
            data.append(contentsOf: batch[index])
        }
        let name = String(format: "%020llu.spool", nextSequence)
        nextSequence += 1
        let temporary = directory + "/." + name + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .spool("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced, rename(temporary, directory + "/" + name) == 0 else {
            unlink(temporary)
            throw .spool("cannot write \(directory)/\(name): \(String(cString: strerror(errno)))")
        }
        files.append((name, data.count))
        bytes += data.count
    }

    /// The oldest spooled batch and its name, or nil when the spool is empty. A file that is not a whole spool
    /// batch is renamed to `<name>.corrupt`, reported through `corrupt`, and skipped.
    func oldest(corrupt: (String) -> Void) -> (name: String, batch: IngestBatch)? {
        while let (name, _) = files.first {
            let path = directory + "/" + name
            if let data = FileManager.default.contents(atPath: path), let batch = Self.decode([UInt8](data)) {
                return (name, batch)
            }
            rename(path, path + ".corrupt")
            corrupt(path)
            dropFirst()
        }
        return nil
    }

    /// Deletes the oldest batch (named `name`) once it is delivered.
    func removeOldest(named name: String) {
        guard files.first?.name == name else { return }
        unlink(directory + "/" + name)
        dropFirst()
    }

    private func dropFirst() {
        bytes -= files.removeFirst().bytes
    }

    /// The batch a spool file holds, or nil when it is not a whole one.
    static func decode(_ data: [UInt8]) -> IngestBatch? {
        guard data.count >= magic.count, Array(data[0..<magic.count]) == magic else { return nil }
        var batch = IngestBatch(reservingRecords: 500, bytes: data.count)
        var offset = magic.count
        while offset < data.count {
            guard data.count - offset >= 4 else { return nil }
            let length = Int(data[offset]) << 24 | Int(data[offset + 1]) << 16 | Int(data[offset + 2]) << 8
                | Int(data[offset + 3])
            offset += 4
            guard data.count - offset >= length else { return nil }
            batch.append(data[offset..<offset + length])
            offset += length
        }
        return batch
    }
}

import Foundation
import Testing
import HydrantRecords
@testable import HydrantAlert

@Suite struct AlertOutboxTests {
    let now = Timestamp(seconds: 1_714_564_800, nanoseconds: 0)

    @Test func pendingEntriesSurviveReopenAndDoneOnesDoNot() throws {
        let directory = try AlertFixtures.directory("outbox")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let outbox = try AlertOutbox(directory: directory)
            let entries = try outbox.append((0..<5).map { AlertFixtures.alert(id: "a\($0)") }, enqueuedAt: now)
            #expect(entries.map(\.sequence) == [0, 1, 2, 3, 4])
            try outbox.markDone([1, 3], outcome: .delivered)
            try outbox.markDone([4], outcome: .deadLettered)
            #expect(outbox.pendingCount == 2)
            outbox.close()
        }
        let reopened = try AlertOutbox(directory: directory)
        #expect(reopened.recovered.map(\.alert.id) == ["a0", "a2"])
        #expect(reopened.recovered.first?.alert == AlertFixtures.alert(id: "a0"))
        #expect(reopened.recovered.first?.enqueuedAt == now)
        #expect(reopened.discardedBytes == 0)
        // Sequence numbers keep increasing after a reopen.
        let more = try reopened.append([AlertFixtures.alert(id: "a5")], enqueuedAt: now)
        #expect(more.first?.sequence == 5)
    }

    @Test func tornTailIsCutOffAndEarlierEntriesKept() throws {
        let directory = try AlertFixtures.directory("outbox-torn")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let outbox = try AlertOutbox(directory: directory)
            _ = try outbox.append([AlertFixtures.alert(id: "keep-1"), AlertFixtures.alert(id: "keep-2")], enqueuedAt: now)
            _ = try outbox.append([AlertFixtures.alert(id: "torn")], enqueuedAt: now)
            outbox.close()
        }
        let log = directory + "/outbox.log"
        let whole = try #require(FileManager.default.contents(atPath: log))
        // A crash in the middle of the last write: only part of the last entry reached the file.
        try whole.prefix(whole.count - 17).write(to: URL(fileURLWithPath: log))
        let reopened = try AlertOutbox(directory: directory)
        #expect(reopened.recovered.map(\.alert.id) == ["keep-1", "keep-2"])
        #expect(reopened.discardedBytes > 0)
        // The log was truncated to the intact prefix, so a new entry is readable after it.
        _ = try reopened.append([AlertFixtures.alert(id: "after")], enqueuedAt: now)
        reopened.close()
        let again = try AlertOutbox(directory: directory)
        #expect(again.recovered.map(\.alert.id) == ["keep-1", "keep-2", "after"])
        #expect(again.discardedBytes == 0)
    }

    @Test func corruptEntryFailsItsChecksum() throws {
        let directory = try AlertFixtures.directory("outbox-crc")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let outbox = try AlertOutbox(directory: directory)
            _ = try outbox.append([AlertFixtures.alert(id: "good")], enqueuedAt: now)
            _ = try outbox.append([AlertFixtures.alert(id: "flipped")], enqueuedAt: now)
            outbox.close()
        }
        let log = directory + "/outbox.log"
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: log)))
        bytes[bytes.count - 3] ^= 0x40  // inside the last entry's body
        try Data(bytes).write(to: URL(fileURLWithPath: log))
        let reopened = try AlertOutbox(directory: directory)
        #expect(reopened.recovered.map(\.alert.id) == ["good"])
        #expect(reopened.discardedBytes > 0)
    }

    @Test func compactionKeepsOnlyPendingEntries() throws {
        let directory = try AlertFixtures.directory("outbox-compact")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limits = OutboxLimits(compactionThresholdBytes: 4096)
        do {
            let outbox = try AlertOutbox(directory: directory, limits: limits)
            let entries = try outbox.append((0..<200).map { AlertFixtures.alert(id: "c\($0)") }, enqueuedAt: now)
            let sizeBefore = try fileSize(directory + "/outbox.log")
            try outbox.markDone(entries.filter { $0.sequence % 10 != 0 }.map(\.sequence), outcome: .delivered)
            let sizeAfter = try fileSize(directory + "/outbox.log")
            #expect(sizeAfter < sizeBefore / 5, "compacted from \(sizeBefore) to \(sizeAfter)")
            #expect(outbox.pendingCount == 20)
            // Still appendable after the log was replaced.
            _ = try outbox.append([AlertFixtures.alert(id: "late")], enqueuedAt: now)
            outbox.close()
        }
        let reopened = try AlertOutbox(directory: directory, limits: limits)
        #expect(reopened.recovered.map(\.alert.id) == (0..<20).map { "c\($0 * 10)" } + ["late"])
    }

    @Test func boundsRefuseWholeBatches() throws {
        let directory = try AlertFixtures.directory("outbox-full")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outbox = try AlertOutbox(directory: directory, limits: OutboxLimits(maxPendingEntries: 3))
        _ = try outbox.append([AlertFixtures.alert(id: "1"), AlertFixtures.alert(id: "2")], enqueuedAt: now)
        #expect(throws: OutboxError.full(pendingEntries: 2, pendingBytes: try fileSize(directory + "/outbox.log"))) {
            try outbox.append([AlertFixtures.alert(id: "3"), AlertFixtures.alert(id: "4")], enqueuedAt: now)
        }
        try outbox.markDone([0], outcome: .delivered)
        #expect(try outbox.append([AlertFixtures.alert(id: "3"), AlertFixtures.alert(id: "4")], enqueuedAt: now).count == 2)
    }

    @Test func secondOpenerIsLockedOut() throws {
        let directory = try AlertFixtures.directory("outbox-lock")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AlertOutbox(directory: directory)
        #expect(throws: OutboxError.locked(path: directory + "/outbox.log")) { _ = try AlertOutbox(directory: directory) }
        first.close()
        _ = try AlertOutbox(directory: directory)
    }

    private func fileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }
}

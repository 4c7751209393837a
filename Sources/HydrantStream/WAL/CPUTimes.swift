import Foundation

/// The machine's cumulative CPU time, busy and idle, in clock ticks over all CPUs (the first line of `/proc/stat`).
///
/// Idle includes time waiting for I/O: a CPU waiting on the disk is a CPU that could compress.
struct CPUTimes: Sendable, Hashable {
    /// Ticks spent running anything (user, nice, system, interrupts, stolen by the hypervisor).
    var busy: UInt64
    /// Ticks spent idle or waiting for I/O.
    var idle: UInt64

    /// The share of the ticks between `earlier` and `self` that were idle, or nil when no tick passed or the
    /// counters went backwards.
    func idleShare(since earlier: CPUTimes) -> Double? {
        guard busy >= earlier.busy, idle >= earlier.idle else { return nil }
        let busyTicks = busy - earlier.busy
        let idleTicks = idle - earlier.idle
        let total = busyTicks + idleTicks
        guard total > 0 else { return nil }
        return Double(idleTicks) / Double(total)
    }

    /// The aggregate `cpu` line of `/proc/stat` text: `cpu  user nice system idle iowait irq softirq steal …`.
    /// Nil for anything else (fewer than five numbers, a number that does not parse or overflows when summed).
    static func parse(procStat text: Substring) -> CPUTimes? {
        let line = text.prefix { $0 != "\n" }
        var fields = line.split(separator: " ", omittingEmptySubsequences: true).makeIterator()
        guard fields.next() == "cpu" else { return nil }
        var values: [UInt64] = []
        while let field = fields.next(), values.count < 8 {
            guard let value = UInt64(field) else { return nil }
            values.append(value)
        }
        guard values.count >= 5 else { return nil }
        // user nice system idle iowait [irq softirq steal]; guest time is already inside user.
        let idle = values[3].addingReportingOverflow(values[4])
        var busy: UInt64 = 0
        for (index, value) in values.enumerated() where index != 3 && index != 4 {
            let sum = busy.addingReportingOverflow(value)
            guard !sum.overflow else { return nil }
            busy = sum.partialValue
        }
        guard !idle.overflow else { return nil }
        return CPUTimes(busy: busy, idle: idle.partialValue)
    }

    /// The machine's CPU times now, or nil where `/proc/stat` cannot be read (not Linux, or a sandbox hiding it).
    static func current() -> CPUTimes? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/stat") else { return nil }
        defer { try? handle.close() }
        // The aggregate line comes first and is far shorter than this.
        guard let data = try? handle.read(upToCount: 512),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return parse(procStat: text[...])
    }
}

/// The first 20 characters of an RFC 3339 timestamp (`2024-05-01T12:00:00.`) for the last two seconds formatted,
/// so that records of the same seconds (most of a batch; a flow's start and end often differ) do not work out the
/// calendar date again. Public for encoders written for one dataset's layout, which keep one per encoder.
public struct RFC3339SecondCache {
    /// Seconds since the epoch that `text` spells; `Int64.min` before the first.
    @usableFromInline var second: Int64 = .min
    /// The day `text`'s date belongs to.
    @usableFromInline var day: Int64 = .min
    /// `YYYY-MM-DDTHH:MM:SS.` in its first 20 bytes.
    @usableFromInline var text: (UInt64, UInt64, UInt64) = (0, 0, 0)

    /// The entry used before the current one.
    @usableFromInline var previousSecond: Int64 = .min
    @usableFromInline var previousDay: Int64 = .min
    @usableFromInline var previousText: (UInt64, UInt64, UInt64) = (0, 0, 0)

    /// An empty cache.
    @inlinable public init() {}

    /// Makes `text` spell `seconds` (since the epoch): the previous entry when it does, else worked out in place
    /// of the previous entry (its date kept when the day is the same).
    @usableFromInline mutating func update(seconds: Int64) {
        swap(&second, &previousSecond)
        swap(&day, &previousDay)
        swap(&text, &previousText)
        if second == seconds { return }
        let (days, secondOfDay) = seconds.floorDivided(by: 86_400)
        let newDay = days != day
        second = seconds
        day = days
        withUnsafeMutableBytes(of: &text) { raw in
            guard let b = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            if newDay {
                let civil = CivilDate(daysSinceEpoch: days)
                // 64-bit nanoseconds reach only years 1677–2262: always four digits.
                JSONCursor.digits(Int(civil.year.magnitude % 10_000), width: 4, at: b)
                b[4] = UInt8(ascii: "-")
                JSONCursor.digits(civil.month, width: 2, at: b + 5)
                b[7] = UInt8(ascii: "-")
                JSONCursor.digits(civil.day, width: 2, at: b + 8)
                b[10] = UInt8(ascii: "T")
                b[13] = UInt8(ascii: ":")
                b[16] = UInt8(ascii: ":")
                b[19] = UInt8(ascii: ".")
            }
            JSONCursor.digits(Int(secondOfDay / 3600), width: 2, at: b + 11)
            JSONCursor.digits(Int(secondOfDay / 60 % 60), width: 2, at: b + 14)
            JSONCursor.digits(Int(secondOfDay % 60), width: 2, at: b + 17)
        }
    }
}

/// The write position of an encoder in a `JSONLineBuffer`: the buffer's storage, capacity and end held in locals
/// while a record is written, and given back by `finish`.
///
/// The fixed-size writers (`integer`, `timestamp`, `ip`, `byte`, `bytes`) check nothing: the caller reserved
/// their worst case (the `…Bound` constants, or the size of what it copies) beforehand, once per record, or calls
/// `ensure` first. `string` reserves for itself, since a string's size has no bound. Encoders in other modules (the
/// enricher splicing members into records) write through it too; a cursor belongs to one task.
public struct JSONCursor {
    /// Most bytes `integer` writes: a sign and 19 digits.
    @inlinable public static var integerBound: Int { 20 }
    /// Most bytes `timestamp` writes: 30 characters and two quotes (64-bit nanoseconds reach only years 1677–2262,
    /// so the year always has four digits).
    @inlinable public static var timestampBound: Int { 32 }
    /// Most bytes `ip` writes: 39 characters of IPv6 and two quotes.
    @inlinable public static var ipBound: Int { 41 }

    @usableFromInline let buffer: JSONLineBuffer
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var position: Int
    @usableFromInline var capacity: Int

    /// Starts writing at the end of `buffer`, with at least `bytes` bytes of room.
    @inlinable public init(_ buffer: JSONLineBuffer, reserving bytes: Int) {
        buffer.reserve(bytes)
        self.buffer = buffer
        base = buffer.base
        position = buffer.used
        capacity = buffer.allocated
    }

    /// Makes room for `bytes` more bytes.
    @inlinable public mutating func ensure(_ bytes: Int) {
        if capacity &- position < bytes { grow(bytes) }
    }

    @usableFromInline @inline(never)
    mutating func grow(_ bytes: Int) {
        buffer.used = position
        buffer.reserve(bytes)
        base = buffer.base
        capacity = buffer.allocated
    }

    /// Hands the written bytes to the buffer; call it before the buffer is read or another cursor is made on it.
    @inlinable public mutating func finish() {
        buffer.used = position
    }

    /// Writes one byte; room for it must have been made.
    @inlinable public mutating func byte(_ value: UInt8) {
        base[position] = value
        position &+= 1
    }

    /// Writes `count` bytes from `source`; room for them must have been made.
    @inlinable public mutating func bytes(_ source: UnsafePointer<UInt8>, count: Int) {
        let target = UnsafeMutableRawPointer(base + position)
        let from = UnsafeRawPointer(source)
        // Keys and most values are short: two overlapping word moves instead of a call to memmove.
        if count >= 8, count <= 16 {
            target.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self), toByteOffset: count &- 8,
                              as: UInt64.self)
        } else if count >= 4, count < 8 {
            target.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
            target.storeBytes(of: from.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self), toByteOffset: count &- 4,
                              as: UInt32.self)
        } else {
            target.copyMemory(from: from, byteCount: count)
        }
        position &+= count
    }

    /// Where the next byte goes, counted from the start of the buffer: with `repeatWritten`, a writer can copy text it
    /// wrote earlier (in this line or an earlier one in the same buffer) instead of formatting the same value again.
    @inlinable public var offset: Int { position }

    /// Writes again the `count` bytes written at `from` (an earlier `offset`, with `from + count` at most the current
    /// one); room for them must have been made.
    @inlinable public mutating func repeatWritten(from: Int, count: Int) {
        if count == 32 {
            // A timestamp: four word moves instead of a call to memmove.
            let source = UnsafeRawPointer(base + from)
            let target = UnsafeMutableRawPointer(base + position)
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: 16, as: UInt64.self), toByteOffset: 16, as: UInt64.self)
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: 24, as: UInt64.self), toByteOffset: 24, as: UInt64.self)
            position &+= 32
        } else {
            bytes(UnsafePointer(base + from), count: count)
        }
    }

    /// Writes a decimal integer (at most `integerBound` bytes).
    @inlinable public mutating func integer(_ value: Int64) {
        var magnitude = value.magnitude  // Int64.min has no positive counterpart; its magnitude does
        if value < 0 { byte(UInt8(ascii: "-")) }
        let pairs = UnsafeRawPointer(JSONCursor.digitPairs)
        if magnitude < 100 {
            if magnitude < 10 {
                byte(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude))
            } else {
                UnsafeMutableRawPointer(base + position).storeBytes(
                    of: pairs.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: magnitude) &* 2, as: UInt16.self),
                    as: UInt16.self)
                position &+= 2
            }
            return
        }
        // The length first (a few comparisons with constants, not a loop over powers of ten), then the digits
        // from the right, two per division, each pair one 2-byte load from the table and one store.
        let length = JSONCursor.decimalLength(ofAtLeast100: magnitude)
        var end = UnsafeMutableRawPointer(base + position + length)
        position &+= length
        while magnitude >= 100 {
            let (quotient, pair) = magnitude.quotientAndRemainder(dividingBy: 100)
            magnitude = quotient
            end -= 2
            end.storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: pair) &* 2, as: UInt16.self),
                           as: UInt16.self)
        }
        if magnitude >= 10 {
            (end - 2).storeBytes(of: pairs.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: magnitude) &* 2,
                                                         as: UInt16.self), as: UInt16.self)
        } else {
            (end - 1).storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude), as: UInt8.self)
        }
    }

    /// The number of decimal digits of `value`, which is at least 100 and at most 2^63 (so 3 to 19), by a binary
    /// search over the powers of ten: shorter numbers, the common ones, take the fewest comparisons.
    @inlinable static func decimalLength(ofAtLeast100 value: UInt64) -> Int {
        if value < 100_000 { return value < 1_000 ? 3 : value < 10_000 ? 4 : 5 }
        if value < 10_000_000_000 {
            if value < 10_000_000 { return value < 1_000_000 ? 6 : 7 }
            return value < 100_000_000 ? 8 : value < 1_000_000_000 ? 9 : 10
        }
        if value < 100_000_000_000_000 {
            return value < 100_000_000_000 ? 11 : value < 1_000_000_000_000 ? 12 : value < 10_000_000_000_000 ? 13 : 14
        }
        if value < 100_000_000_000_000_000 {
            return value < 1_000_000_000_000_000 ? 15 : value < 10_000_000_000_000_000 ? 16 : 17
        }
        return value < 1_000_000_000_000_000_000 ? 18 : 19
    }

    /// "00" to "99": two digits per division.
    @inlinable static var digitPairs: UnsafePointer<UInt8> {
        let table: StaticString = """
            00010203040506070809101112131415161718192021222324252627282930313233343536373839\
            40414243444546474849505152535455565758596061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899
            """
        return table.utf8Start
    }

    /// Writes exactly `width` digits of `value` (which has no more) at `at`, right-aligned with leading zeros.
    @inlinable static func digits(_ value: Int, width: Int, at: UnsafeMutablePointer<UInt8>) {
        var rest = value
        var index = width
        let pairs = digitPairs
        while index >= 2 {
            let pair = rest % 100
            rest /= 100
            index -= 2
            at[index] = pairs[2 &* pair]
            at[index &+ 1] = pairs[2 &* pair &+ 1]
        }
        if index == 1 { at[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest) }
    }

    /// Writes a timestamp as a quoted RFC 3339 string with nine fractional digits (at most `timestampBound`
    /// bytes); the date and time of day come from `cache` when the second is one of the two it last formatted.
    @inlinable public mutating func timestamp(_ time: Timestamp, cache: inout RFC3339SecondCache) {
        let (seconds, fraction) = time.nanoseconds.floorDivided(by: 1_000_000_000)
        // A flow's start and end often fall in different seconds: whichever entry spells the second is copied where
        // it is, without swapping it in (a swap per timestamp cost more than the rest of the prefix).
        let text: (UInt64, UInt64, UInt64)
        if seconds == cache.second {
            text = cache.text
        } else if seconds == cache.previousSecond {
            text = cache.previousText
        } else {
            cache.update(seconds: seconds)
            text = cache.text
        }
        let start = base + position
        start[0] = UInt8(ascii: "\"")
        withUnsafeBytes(of: text) { prefix in
            UnsafeMutableRawBufferPointer(start: start + 1, count: 20)
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: prefix[0..<20]))
        }
        let (milliseconds, finer) = fraction.quotientAndRemainder(dividingBy: 1_000_000)
        if finer == 0 {
            // Most exporters and captures count whole milliseconds: the six zeros, `Z` and the quote in two stores.
            JSONCursor.digits(Int(milliseconds), width: 3, at: start + 21)
            UnsafeMutableRawPointer(start + 24).storeBytes(of: UInt32(0x3030_3030).littleEndian, as: UInt32.self)
            UnsafeMutableRawPointer(start + 28).storeBytes(of: UInt32(0x225A_3030).littleEndian, as: UInt32.self)
        } else {
            JSONCursor.digits(Int(fraction), width: 9, at: start + 21)
            start[30] = UInt8(ascii: "Z")
            start[31] = UInt8(ascii: "\"")
        }
        position &+= 32
    }

    /// Writes an address as a quoted string in canonical text (at most `ipBound` bytes).
    @inlinable public mutating func ip(_ address: IPAddress, scratch: inout [UInt8]) {
        byte(UInt8(ascii: "\""))
        if !address.isIPv6 {
            let value = UInt32(truncatingIfNeeded: address.low)
            octet(value &>> 24)
            octet(value &>> 16 & 0xFF)
            octet(value &>> 8 & 0xFF)
            octet(value & 0xFF)
            position &-= 1  // the last octet's dot
        } else {
            scratch.removeAll(keepingCapacity: true)
            address.appendText(to: &scratch)
            scratch.withUnsafeBufferPointer { text in
                if let start = text.baseAddress { bytes(start, count: min(text.count, 39)) }
            }
        }
        byte(UInt8(ascii: "\""))
    }

    /// Writes an octet (0…255) in decimal and a dot as one 4-byte store from a table (what lies past them is
    /// overwritten later or is past the end), without a branch on the number of digits: an address's octets vary
    /// too much to predict.
    @inlinable @inline(__always) mutating func octet(_ value: UInt32) {
        let text = UnsafeRawPointer(JSONCursor.octetTexts).loadUnaligned(fromByteOffset: Int(value) &* 4, as: UInt32.self)
        UnsafeMutableRawPointer(base + position).storeBytes(of: text, as: UInt32.self)
        position &+= 2 &+ (value >= 10 ? 1 : 0) &+ (value >= 100 ? 1 : 0)
    }

    /// `0.` to `255.`, each in four bytes (padded with dots).
    @inlinable static var octetTexts: UnsafePointer<UInt8> {
        let table: StaticString = """
            0...1...2...3...4...5...6...7...8...9...10..11..12..13..14..15..\
            16..17..18..19..20..21..22..23..24..25..26..27..28..29..30..31..\
            32..33..34..35..36..37..38..39..40..41..42..43..44..45..46..47..\
            48..49..50..51..52..53..54..55..56..57..58..59..60..61..62..63..\
            64..65..66..67..68..69..70..71..72..73..74..75..76..77..78..79..\
            80..81..82..83..84..85..86..87..88..89..90..91..92..93..94..95..\
            96..97..98..99..100.101.102.103.104.105.106.107.108.109.110.111.\
            112.113.114.115.116.117.118.119.120.121.122.123.124.125.126.127.\
            128.129.130.131.132.133.134.135.136.137.138.139.140.141.142.143.\
            144.145.146.147.148.149.150.151.152.153.154.155.156.157.158.159.\
            160.161.162.163.164.165.166.167.168.169.170.171.172.173.174.175.\
            176.177.178.179.180.181.182.183.184.185.186.187.188.189.190.191.\
            192.193.194.195.196.197.198.199.200.201.202.203.204.205.206.207.\
            208.209.210.211.212.213.214.215.216.217.218.219.220.221.222.223.\
            224.225.226.227.228.229.230.231.232.233.234.235.236.237.238.239.\
            240.241.242.243.244.245.246.247.248.249.250.251.252.253.254.255.
            """
        return table.utf8Start
    }

    /// Writes a JSON string literal, escaping quotes, backslashes, control characters and DEL (RFC 8259), with
    /// room for it and `more` bytes after it.
    @inlinable public mutating func string(_ text: String, more: Int) {
        let done: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            string(utf8, more: more)
            return true
        }
        if done == nil {
            let copy = Array(text.utf8)
            copy.withUnsafeBufferPointer { string($0, more: more) }
        }
    }

    /// Writes UTF-8 `text` as a JSON string literal, with room for it and `more` bytes after it.
    @inlinable public mutating func string(_ text: UnsafeBufferPointer<UInt8>, more: Int) {
        let count = text.count
        guard let source = text.baseAddress, count > 0 else {
            ensure(2 &+ more)
            byte(UInt8(ascii: "\""))
            byte(UInt8(ascii: "\""))
            return
        }
        let special = JSONCursor.firstEscape(in: source, count: count)
        if special == count {
            // Most values (addresses, names, Community IDs) need no escaping: copied whole.
            ensure(count &+ 2 &+ more)
            byte(UInt8(ascii: "\""))
            bytes(source, count: count)
            byte(UInt8(ascii: "\""))
            return
        }
        // Six bytes (`\u00XX`) at most per input byte.
        ensure(count &* 6 &+ 2 &+ more)
        byte(UInt8(ascii: "\""))
        bytes(source, count: special)
        let hex = JSONCursor.hexDigits
        for index in special..<count {
            let value = source[index]
            switch value {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                byte(UInt8(ascii: "\\"))
                byte(value)
            case 0x0a:
                byte(UInt8(ascii: "\\"))
                byte(UInt8(ascii: "n"))
            case 0x0d:
                byte(UInt8(ascii: "\\"))
                byte(UInt8(ascii: "r"))
            case 0x09:
                byte(UInt8(ascii: "\\"))
                byte(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f:
                byte(UInt8(ascii: "\\"))
                byte(UInt8(ascii: "u"))
                byte(UInt8(ascii: "0"))
                byte(UInt8(ascii: "0"))
                byte(hex[Int(value >> 4)])
                byte(hex[Int(value & 0xf)])
            default:
                byte(value)
            }
        }
        byte(UInt8(ascii: "\""))
    }

    @inlinable static var hexDigits: UnsafePointer<UInt8> {
        let table: StaticString = "0123456789abcdef"
        return table.utf8Start
    }

    /// The index of the first byte that a JSON string must escape (`"`, `\`, below 0x20, or 0x7f), or `count`.
    @inlinable static func firstEscape(in base: UnsafePointer<UInt8>, count: Int) -> Int {
        let raw = UnsafeRawPointer(base)
        if count >= 8 {
            var position = 0
            while position &+ 8 <= count {
                let flags = escapeFlags(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
                if flags != 0 { return position &+ flags.trailingZeroBitCount &>> 3 }
                position &+= 8
            }
            if position == count { return count }
            // The tail as the string's last word, overlapping bytes already found clean: those raise no flag, so the
            // lowest flag is still the first escape (a byte-at-a-time tail cost more than the words before it).
            let last = count &- 8
            let flags = escapeFlags(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: last, as: UInt64.self)))
            return flags == 0 ? count : last &+ flags.trailingZeroBitCount &>> 3
        }
        if count <= 0 { return 0 }
        // Most strings are shorter than a word (`tcp`, `ipv4`, `IN`, `NOERROR`): their bytes are gathered into one
        // word by loads that overlap but never pass the end, and the lanes past the end hold `A`, which needs no
        // escape. Overlapping lanes get the same byte from both loads, so or-ing them is exact.
        var word: UInt64
        if count >= 4 {
            word = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
                | UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)))
                    &<< UInt64(truncatingIfNeeded: (count &- 4) &* 8)
        } else {
            let middle = count &>> 1
            word = UInt64(base[0]) | UInt64(base[middle]) &<< UInt64(truncatingIfNeeded: middle &* 8)
                | UInt64(base[count &- 1]) &<< UInt64(truncatingIfNeeded: (count &- 1) &* 8)
        }
        word |= 0x4141_4141_4141_4141 &<< UInt64(truncatingIfNeeded: count &* 8)
        let flags = escapeFlags(word)
        return flags == 0 ? count : flags.trailingZeroBitCount &>> 3
    }

    /// The high bit of each byte of `word` (little-endian lanes) that is `"`, `\`, DEL or below 0x20; a flag can be
    /// wrong only above a right one (borrows run upwards), so whether any is set, and the lowest, are exact.
    @inlinable @inline(__always) static func escapeFlags(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let delete = word ^ (ones &* 0x7F)
        // A byte's high bit is set where it is zero (quote, backslash, DEL) or below 0x20.
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((delete &- ones) & ~delete)
            | ((word &- ones &* 0x20) & ~word)) & 0x8080_8080_8080_8080
    }
}

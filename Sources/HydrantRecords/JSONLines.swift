/// Encodes records of one dataset as JSON lines: one nested object per line, keys in field-table order,
/// unknown fields absent.
///
/// The nesting of dotted names is worked out once, when the encoder is made, into a flat plan of steps with each
/// field's quoted key and its accessor sorted by value type. Encoding reserves the worst case of the record's
/// fixed-size part once, then walks the plan writing through a raw pointer (`JSONCursor`); only strings and lists,
/// whose size has no bound, reserve for themselves. A long run allocates nothing per record and boxes no value.
/// A record type that writes itself (`DatasetRecord.writeJSONFields`: DNS, HTTP and TLS) skips the walk; its text
/// is the walk's, byte for byte.
public struct JSONLinesEncoder<Record: DatasetRecord> {
    // Inlinable, so that callers in other modules get code specialised for their record type instead of
    // generic code that goes through value witnesses for every field.

    /// What a step of the plan writes.
    @usableFromInline enum Operation: UInt8 {
        case string, int, timestamp, ip, strings, ints, value, open, close
    }

    /// One step of the flattened object tree: a value, or the opening or closing of a nested object.
    @usableFromInline struct Step {
        @usableFromInline var operation: Operation
        /// Values: index into the accessor list of the operation's type.
        @usableFromInline var index: Int32
        /// The quoted key and colon, as a range of the plan's keys.
        @usableFromInline var keyStart: Int32
        @usableFromInline var keyLength: Int32
    }

    // Each accessor sits in an immutable box of its value type, so that the walk calls it through an unretained
    // reference: a closure loaded from memory would be retained and released around every call, and a box generic
    // over the value type would return every value indirectly through a thunk.
    /// A `String` accessor in an immutable box.
    @usableFromInline final class StringGetter {
        @usableFromInline let get: @Sendable (Record) -> String?
        init(_ get: @escaping @Sendable (Record) -> String?) { self.get = get }
    }
    /// A `Int64` accessor in an immutable box.
    @usableFromInline final class IntGetter {
        @usableFromInline let get: @Sendable (Record) -> Int64?
        init(_ get: @escaping @Sendable (Record) -> Int64?) { self.get = get }
    }
    /// A `Timestamp` accessor in an immutable box.
    @usableFromInline final class TimestampGetter {
        @usableFromInline let get: @Sendable (Record) -> Timestamp?
        init(_ get: @escaping @Sendable (Record) -> Timestamp?) { self.get = get }
    }
    /// A `IPAddress` accessor in an immutable box.
    @usableFromInline final class IPGetter {
        @usableFromInline let get: @Sendable (Record) -> IPAddress?
        init(_ get: @escaping @Sendable (Record) -> IPAddress?) { self.get = get }
    }
    /// A `[String]` accessor in an immutable box.
    @usableFromInline final class StringListGetter {
        @usableFromInline let get: @Sendable (Record) -> [String]?
        init(_ get: @escaping @Sendable (Record) -> [String]?) { self.get = get }
    }
    /// A `[Int64]` accessor in an immutable box.
    @usableFromInline final class IntListGetter {
        @usableFromInline let get: @Sendable (Record) -> [Int64]?
        init(_ get: @escaping @Sendable (Record) -> [Int64]?) { self.get = get }
    }
    /// A `FieldValue` accessor in an immutable box.
    @usableFromInline final class ValueGetter {
        @usableFromInline let get: @Sendable (Record) -> FieldValue?
        init(_ get: @escaping @Sendable (Record) -> FieldValue?) { self.get = get }
    }

    /// The immutable plan, shared by copies of the encoder. Its tables live in manually allocated memory so that
    /// the walk reads steps and calls accessors without bounds checks or reference counting.
    @usableFromInline final class Plan {
        @usableFromInline let steps: UnsafeMutableBufferPointer<Step>
        @usableFromInline let keys: UnsafeMutableBufferPointer<UInt8>
        @usableFromInline let strings: UnsafeMutableBufferPointer<Unmanaged<StringGetter>>
        @usableFromInline let ints: UnsafeMutableBufferPointer<Unmanaged<IntGetter>>
        @usableFromInline let timestamps: UnsafeMutableBufferPointer<Unmanaged<TimestampGetter>>
        @usableFromInline let ips: UnsafeMutableBufferPointer<Unmanaged<IPGetter>>
        @usableFromInline let stringLists: UnsafeMutableBufferPointer<Unmanaged<StringListGetter>>
        @usableFromInline let intLists: UnsafeMutableBufferPointer<Unmanaged<IntListGetter>>
        @usableFromInline let values: UnsafeMutableBufferPointer<Unmanaged<ValueGetter>>
        /// The most bytes a record takes apart from string contents and list elements: braces, newline, every
        /// key with its comma, every fixed-size value, string quotes and list brackets.
        @usableFromInline let fixedBound: Int
        /// The deepest nesting of objects.
        @usableFromInline let depth: Int

        init(fields: [FieldDescriptor<Record>]) {
            let names = fields.map { $0.name.split(separator: ".").map(String.init) }
            var steps: [Step] = []
            var keys: [UInt8] = []
            var strings: [Unmanaged<StringGetter>] = []
            var ints: [Unmanaged<IntGetter>] = []
            var timestamps: [Unmanaged<TimestampGetter>] = []
            var ips: [Unmanaged<IPGetter>] = []
            var stringLists: [Unmanaged<StringListGetter>] = []
            var intLists: [Unmanaged<IntListGetter>] = []
            var values: [Unmanaged<ValueGetter>] = []
            var depth = 0
            var bound = 3  // `{`, `}`, newline

            func key(_ text: String) -> (Int32, Int32) {
                let start = keys.count
                appendJSONString(text, to: &keys)
                keys.append(UInt8(ascii: ":"))
                return (Int32(start), Int32(keys.count - start))
            }
            func value(_ accessor: FieldAccessor<Record>) -> (Operation, Int, Int) {
                switch accessor {
                case .string(let get): strings.append(.passRetained(StringGetter(get))); return (.string, strings.count - 1, 2)
                case .int(let get): ints.append(.passRetained(IntGetter(get))); return (.int, ints.count - 1, JSONCursor.integerBound)
                case .timestamp(let get): timestamps.append(.passRetained(TimestampGetter(get))); return (.timestamp, timestamps.count - 1, JSONCursor.timestampBound)
                case .ip(let get): ips.append(.passRetained(IPGetter(get))); return (.ip, ips.count - 1, JSONCursor.ipBound)
                case .strings(let get): stringLists.append(.passRetained(StringListGetter(get))); return (.strings, stringLists.count - 1, 2)
                case .ints(let get): intLists.append(.passRetained(IntListGetter(get))); return (.ints, intLists.count - 1, 2)
                case .value(let get): values.append(.passRetained(ValueGetter(get))); return (.value, values.count - 1, 2)
                }
            }
            // Groups fields by their name's component at `level`, in order of first appearance, and flattens the tree.
            func flatten(_ indices: [Int], level: Int) {
                depth = max(depth, level)
                var order: [String] = []
                var groups: [String: [Int]] = [:]
                for i in indices {
                    let component = names[i][level]
                    if groups[component] == nil { order.append(component) }
                    groups[component, default: []].append(i)
                }
                for component in order {
                    let members = groups[component] ?? []
                    let (keyStart, keyLength) = key(component)
                    if members.count == 1, names[members[0]].count == level + 1 {
                        let (operation, index, valueBound) = value(fields[members[0]].accessor)
                        steps.append(Step(operation: operation, index: Int32(index), keyStart: keyStart, keyLength: keyLength))
                        bound += 1 + Int(keyLength) + valueBound
                        continue
                    }
                    steps.append(Step(operation: .open, index: 0, keyStart: keyStart, keyLength: keyLength))
                    bound += 1 + Int(keyLength) + 1
                    flatten(members.filter { names[$0].count > level + 1 }, level: level + 1)
                    steps.append(Step(operation: .close, index: 0, keyStart: 0, keyLength: 0))
                    bound += 1
                }
            }
            flatten(Array(names.indices), level: 0)

            func copy<Element>(_ list: [Element]) -> UnsafeMutableBufferPointer<Element> {
                let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: max(list.count, 1))
                _ = buffer.initialize(from: list)
                return UnsafeMutableBufferPointer(rebasing: buffer[0..<list.count])
            }
            self.steps = copy(steps)
            self.keys = copy(keys)
            self.strings = copy(strings)
            self.ints = copy(ints)
            self.timestamps = copy(timestamps)
            self.ips = copy(ips)
            self.stringLists = copy(stringLists)
            self.intLists = copy(intLists)
            self.values = copy(values)
            self.depth = depth
            fixedBound = bound
        }

        deinit {
            func free<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
                buffer.baseAddress?.deinitialize(count: buffer.count)
                UnsafeMutableRawPointer(buffer.baseAddress)?.deallocate()
            }
            free(steps)
            free(keys)
            for getter in strings { getter.release() }
            for getter in ints { getter.release() }
            for getter in timestamps { getter.release() }
            for getter in ips { getter.release() }
            for getter in stringLists { getter.release() }
            for getter in intLists { getter.release() }
            for getter in values { getter.release() }
            free(strings)
            free(ints)
            free(timestamps)
            free(ips)
            free(stringLists)
            free(intLists)
            free(values)
        }
    }

    @usableFromInline let plan: Plan
    /// Whether records that write themselves (`DatasetRecord.writeJSONFields`) do so; false walks the field table
    /// for every record (the reference the tests compare them with).
    @usableFromInline let recordsWriteThemselves: Bool
    /// The date and time of the second last written.
    @usableFromInline var clock = RFC3339SecondCache()
    /// String lists written recently (lists that records share are copied as text instead of written again).
    @usableFromInline var listMemo: StringListMemo
    /// IPv6 text and boxed values are formatted here first.
    @usableFromInline var scratch: [UInt8] = []
    /// Lines for `encode(_:to:)` are built here; replaced when a copy of the encoder still shares it.
    @usableFromInline var lineScratch: JSONLineBuffer

    /// Creates an encoder for the record type's field table.
    public init() {
        self.init(recordsWriteThemselves: true)
    }

    /// An encoder that lets records write themselves, or (false) always walks the field table.
    init(recordsWriteThemselves: Bool) {
        self.recordsWriteThemselves = recordsWriteThemselves
        plan = Plan(fields: Record.fields)
        listMemo = StringListMemo(fields: plan.stringLists.count)
        lineScratch = JSONLineBuffer(capacity: 1024)
        scratch.reserveCapacity(64)
    }

    /// Appends one record as a JSON object followed by a newline to `buffer`.
    @inlinable
    public mutating func encode(_ record: Record, into buffer: JSONLineBuffer) {
        let plan = self.plan
        var out = JSONCursor(buffer, reserving: plan.fixedBound)
        var written = false
        if recordsWriteThemselves { written = withUnsafePointer(to: record) { write($0, plan: plan, out: &out) } }
        if !written {
            withUnsafeTemporaryAllocation(of: Int.self, capacity: plan.depth + 1) { openings in
                encode(record, plan: plan, openings: openings, out: &out)
            }
        }
        out.finish()
    }

    /// Appends every record of `records` as a line to `buffer`, and each line's end offset to `ends`.
    @inlinable
    public mutating func encode(_ records: UnsafeBufferPointer<Record>, into buffer: JSONLineBuffer, ends: inout [Int]) {
        let plan = self.plan
        withUnsafeTemporaryAllocation(of: Int.self, capacity: plan.depth + 1) { openings in
            let base = records.baseAddress
            for index in records.indices {
                var out = JSONCursor(buffer, reserving: plan.fixedBound)
                // A record that writes itself is read where it lies: passing `records[index]` copied it (retaining
                // every string and list in it) and destroyed the copy after.
                var written = false
                if recordsWriteThemselves { written = write(base.unsafelyUnwrapped + index, plan: plan, out: &out) }
                if !written { encode(records[index], plan: plan, openings: openings, out: &out) }
                out.finish()
                ends.append(out.position)
            }
        }
    }

    /// Lets the record at `record` write itself (`DatasetRecord.writeJSONFields`) as a line; false, having written
    /// nothing, when its type does not.
    @inlinable
    mutating func write(_ record: UnsafePointer<Record>, plan: Plan, out: inout JSONCursor) -> Bool {
        out.byte(UInt8(ascii: "{"))
        let written = withUnsafeMutablePointer(to: &out) { out in
            withUnsafeMutablePointer(to: &clock) { clock in
                withUnsafeMutablePointer(to: &scratch) { scratch in
                    withUnsafeMutablePointer(to: &listMemo) { memo -> Bool in
                        var writer = JSONFieldWriter(out: out, clock: clock, scratch: scratch, memo: memo,
                                                     more: plan.fixedBound)
                        // Mutable only for the call: `writeJSONFields` is mutating so that the record is read
                        // where it lies instead of copied (it writes nothing to it).
                        return UnsafeMutablePointer(mutating: record).pointee.writeJSONFields(&writer)
                    }
                }
            }
        }
        guard written else {
            out.position &-= 1
            return false
        }
        out.byte(UInt8(ascii: "}"))
        out.byte(UInt8(ascii: "\n"))
        return true
    }

    /// Writes `record` as a line by walking the field table.
    @inlinable
    mutating func encode(_ record: Record, plan: Plan, openings: UnsafeMutableBufferPointer<Int>, out: inout JSONCursor) {
        let keys = plan.keys.baseAddress.unsafelyUnwrapped
        var depth = 0
        var needsComma = false
        @inline(__always) func prefix(_ step: Step, _ out: inout JSONCursor) {
            if needsComma { out.byte(UInt8(ascii: ",")) }
            out.bytes(keys + Int(step.keyStart), count: Int(step.keyLength))
            needsComma = true
        }
        out.byte(UInt8(ascii: "{"))
        for step in plan.steps {
            switch step.operation {
            case .string:
                guard let text = plan.strings[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }) else { continue }
                prefix(step, &out)
                out.string(text, more: plan.fixedBound)
            case .int:
                guard let number = plan.ints[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }) else { continue }
                prefix(step, &out)
                out.integer(number)
            case .timestamp:
                guard let time = plan.timestamps[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }) else { continue }
                prefix(step, &out)
                out.timestamp(time, cache: &clock)
            case .ip:
                guard let address = plan.ips[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }) else { continue }
                prefix(step, &out)
                out.ip(address, scratch: &scratch)
            case .strings:
                guard let list = plan.stringLists[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }), !list.isEmpty else { continue }
                prefix(step, &out)
                let field = Int(step.index)
                let slot = listMemo.slot(of: list, field: field)
                if let slot, !listMemo.texts[slot].isEmpty {
                    listMemo.texts[slot].withUnsafeBufferPointer { text in
                        out.ensure(text.count &+ plan.fixedBound)
                        out.bytes(text.baseAddress.unsafelyUnwrapped, count: text.count)
                    }
                    continue
                }
                let start = out.position
                out.byte(UInt8(ascii: "["))
                for index in list.indices {
                    if index > list.startIndex { out.byte(UInt8(ascii: ",")) }
                    out.string(list[index], more: 1 &+ plan.fixedBound)
                }
                out.byte(UInt8(ascii: "]"))
                if let slot {
                    listMemo.texts[slot] = Array(UnsafeBufferPointer(start: out.base + start, count: out.position &- start))
                } else {
                    listMemo.remember(list, field: field)
                }
            case .ints:
                guard let list = plan.intLists[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }), !list.isEmpty else { continue }
                prefix(step, &out)
                out.byte(UInt8(ascii: "["))
                for index in list.indices {
                    out.ensure(1 &+ JSONCursor.integerBound &+ plan.fixedBound)
                    if index > list.startIndex { out.byte(UInt8(ascii: ",")) }
                    out.integer(list[index])
                }
                out.byte(UInt8(ascii: "]"))
            case .value:
                guard let value = plan.values[Int(step.index)]._withUnsafeGuaranteedRef({ $0.get(record) }) else { continue }
                prefix(step, &out)
                scratch.removeAll(keepingCapacity: true)
                appendJSON(value, to: &scratch)
                out.ensure(scratch.count &+ plan.fixedBound)
                scratch.withUnsafeBufferPointer { text in
                    if let start = text.baseAddress { out.bytes(start, count: text.count) }
                }
            case .open:
                // Written optimistically and taken back at `.close` when no value inside was known.
                openings[depth] = out.position << 1 | (needsComma ? 1 : 0)
                depth &+= 1
                if needsComma { out.byte(UInt8(ascii: ",")) }
                out.bytes(keys + Int(step.keyStart), count: Int(step.keyLength))
                out.byte(UInt8(ascii: "{"))
                needsComma = false
            case .close:
                depth &-= 1
                let opening = openings[depth]
                if needsComma {
                    out.byte(UInt8(ascii: "}"))
                } else {
                    out.position = opening >> 1
                    needsComma = opening & 1 != 0
                }
            }
        }
        out.byte(UInt8(ascii: "}"))
        out.byte(UInt8(ascii: "\n"))
    }

    /// Appends one record as a JSON object followed by a newline.
    @inlinable
    public mutating func encode(_ record: Record, to out: inout [UInt8]) {
        if !isKnownUniquelyReferenced(&lineScratch) { lineScratch = JSONLineBuffer(capacity: 1024) }
        lineScratch.removeAll()
        encode(record, into: lineScratch)
        lineScratch.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    /// The record as one JSON object, without a newline.
    public mutating func string(for record: Record) -> String {
        var out: [UInt8] = []
        encode(record, to: &out)
        out.removeLast()
        return String(decoding: out, as: UTF8.self)
    }
}

/// Appends a field value in its JSON form: timestamps as RFC 3339 strings, addresses in canonical text.
public func appendJSON(_ value: FieldValue, to out: inout [UInt8]) {
    switch value {
    case .string(let s):
        appendJSONString(s, to: &out)
    case .int(let n):
        appendDigits(n, width: 1, to: &out)
    case .timestamp(let t):
        out.append(UInt8(ascii: "\""))
        t.appendRFC3339(to: &out)
        out.append(UInt8(ascii: "\""))
    case .ip(let address):
        out.append(UInt8(ascii: "\""))
        address.appendText(to: &out)
        out.append(UInt8(ascii: "\""))
    case .strings(let list):
        out.append(UInt8(ascii: "["))
        for (i, s) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(s, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    case .ints(let list):
        out.append(UInt8(ascii: "["))
        for (i, n) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendDigits(n, width: 1, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

/// Appends a JSON string literal, escaping quotes, backslashes and control characters (RFC 8259).
public func appendJSONString(_ text: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    // Most values (addresses, names, Community IDs) need no escaping: copy them whole.
    let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
        guard let base = bytes.baseAddress else { return true }
        guard JSONCursor.firstEscape(in: base, count: bytes.count) == bytes.count else { return false }
        out.append(contentsOf: bytes)
        return true
    }
    if copied == true {
        out.append(UInt8(ascii: "\""))
        return
    }
    let hex: StaticString = "0123456789abcdef"
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
        case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
        case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
        case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
        case 0..<0x20, 0x7f:
            out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            hex.withUTF8Buffer { digits in
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xf)])
            }
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
}

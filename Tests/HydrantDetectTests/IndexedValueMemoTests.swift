import Testing
@testable import HydrantDetect
import HydrantRecords

/// The memo of indexed lookups per field value: it may only save work, never change which rules match.
@Suite struct IndexedValueMemoTests {
    /// Exact, prefix, suffix and substring tests in both case forms, on names drawn from a small pool (so most
    /// repeat and hit the memo), some unique and some long enough to bypass it, with list values: the engine with
    /// the memo finds exactly the matches of the engine without it, record by record.
    @Test func theMemoNeverChangesMatches() {
        var random = PrefilterTests.Generator(state: 11)
        let fragments = ["evil", "EVIL", "Evil", "ex", "ample", ".", "-", "com", "net", "1", "22", "é", "É", "a", "zz"]
        var rules: [String] = []
        let modifiers = ["", "|startswith", "|endswith", "|contains", "|cased", "|startswith|cased", "|endswith|cased",
                         "|contains|cased"]
        for i in 0..<80 {
            var literal = ""
            for _ in 0..<(1 + random.next(3)) { literal += random.pick(fragments) }
            let modifier = modifiers[i % modifiers.count]
            if i % 5 == 4 {
                rules.append(dnsRule("""
                sel:
                    dns.question.name\(modifier): '\(literal)'
                filter:
                    dns.answers.data|contains: '\(random.pick(fragments))'
                condition: sel and not filter
                """, title: "f\(i)"))
            } else {
                rules.append(dnsRule("sel:\n    dns.question.name\(modifier): '\(literal)'\ncondition: sel", title: "m\(i)"))
            }
        }
        let (set, errors) = RuleSet.parse(yaml: rules.joined(separator: "\n---\n"), file: "memo.yml")
        #expect(errors.isEmpty, "\(errors)")
        let memoized = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true, memo: true)
        let reference = DetectionEngine(rules: set, allowedLateness: 0, maximumGroups: 10, prefilters: true, memo: false)
        var pool: [String] = []
        for _ in 0..<40 {
            var name = ""
            for _ in 0..<random.next(7) { name += random.pick(fragments) }
            pool.append(name)
        }
        var bytes: [UInt8] = []
        var ends: [Int] = []
        for n in 0..<12_000 {
            let name: String
            switch random.next(10) {
            case 0: name = "unique\(n)" + random.pick(fragments)
            case 1: name = String(repeating: random.pick(fragments), count: 520)  // past the longest remembered key (512 bytes)
            default: name = random.pick(pool)
            }
            let answers: [EventValue] = (0..<random.next(3)).map { _ in .string(random.pick(pool)) }
            EventValue.object(dnsEvent(name, ["dns": ["answers": ["data": .array(answers)]]])).appendJSON(to: &bytes)
            bytes.append(0x0A)
            ends.append(bytes.count)
        }
        let expected = bytes.withUnsafeBufferPointer { reference.matches(in: $0, ends: ends) }
        let actual = bytes.withUnsafeBufferPointer { memoized.matches(in: $0, ends: ends) }
        #expect(expected.count > 1000)
        #expect(actual == expected)
    }

    /// Remembered values come back with their own atoms; a colliding value replaces the older one; storage that
    /// fills starts over rather than growing.
    @Test func remembersReplacesAndStaysBounded() {
        let memo = IndexedValueMemo()
        func remember(_ text: String, _ atoms: [Int32]) {
            var bytes = Array(text.utf8)
            bytes.withUnsafeMutableBufferPointer { buffer in
                let base = UnsafePointer(buffer.baseAddress ?? UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
                memo.beginRecording()
                for atom in atoms { memo.record(atom) }
                memo.remember(base, buffer.count, hash: IndexedValueMemo.hash(base, buffer.count))
            }
        }
        func recall(_ text: String) -> [Int32]? {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer -> [Int32]? in
                guard let base = buffer.baseAddress else { return nil }
                return memo.atoms(for: base, buffer.count, hash: IndexedValueMemo.hash(base, buffer.count)).map(Array.init)
            }
        }
        remember("Mozilla/5.0", [3, 9])
        remember("curl/8.0", [])
        #expect(recall("Mozilla/5.0") == [3, 9])
        #expect(recall("curl/8.0") == [])
        #expect(recall("curl/8.1") == nil)
        #expect(recall("Mozilla/5.") == nil)
        // Many more values than entries, 400 bytes each: the memo keeps working and keeps recent values.
        var wrong = 0
        for i in 0..<5000 {
            let text = String(repeating: "x", count: 390) + "\(i)"
            remember(text, [Int32(i), Int32(i + 1)])
            if recall(text) != [Int32(i), Int32(i + 1)] { wrong += 1 }
        }
        #expect(wrong == 0)
        // Hashes of texts that differ in one byte anywhere, across the word boundaries, differ.
        let base = Array("abcdefghijklmnopqrstuvw".utf8)
        var seen = Set<UInt64>()
        for i in base.indices {
            var changed = base
            changed[i] ^= 0x20
            changed.withUnsafeBufferPointer { buffer in
                if let start = buffer.baseAddress { seen.insert(IndexedValueMemo.hash(start, buffer.count)) }
            }
        }
        #expect(seen.count == base.count)
    }

    /// A slot whose values do not repeat stops consulting the memo after a sample, and samples again later.
    @Test func valuesThatNeverRepeatPauseTheMemo() {
        let memo = IndexedValueMemo()
        var consulted = 0
        for i in 0..<(4096 * 20) {
            var bytes = Array("value-\(i)".utf8)
            guard memo.shouldLookUp(bytes.count) else { continue }
            consulted += 1
            bytes.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                let hash = IndexedValueMemo.hash(base, buffer.count)
                if memo.atoms(for: base, buffer.count, hash: hash) == nil {
                    memo.beginRecording()
                    memo.remember(base, buffer.count, hash: hash)
                }
            }
        }
        // One sample, a pause of fifteen, then another sample (and the next pause) within twenty samples' lookups.
        #expect(consulted == 2 * 4096)
        #expect(memo.shouldLookUp(IndexedValueMemo.longestKey + 1) == false)
    }
}

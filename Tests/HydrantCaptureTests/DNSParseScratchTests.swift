import HydrantTestSupport
import Testing
@testable import HydrantCapture

/// The name reader as it was before it wrote into `DNSParseScratch`'s block: byte at a time into an array, the
/// same limits and checks in the same order. The reference the block-writing reader must match.
private func referenceName(_ message: [UInt8], at start: Int) -> Result<(text: [UInt8], end: Int), DNSParseError> {
    var text: [UInt8] = []
    var position = start
    var segmentStart = start
    var end = -1
    var wireLength = 1
    var labels = 0
    var jumps = 0
    while true {
        guard position >= 0, position < message.count else { return .failure(.truncated(.question, offset: position)) }
        let length = Int(message[position])
        if length == 0 {
            if text.isEmpty { text.append(UInt8(ascii: ".")) }
            return .success((text, end >= 0 ? end : position + 1))
        }
        if length & 0xc0 == 0xc0 {
            guard position + 1 < message.count else { return .failure(.truncated(.question, offset: position)) }
            let target = (length & 0x3f) << 8 | Int(message[position + 1])
            if end < 0 { end = position + 2 }
            if target >= position { return .failure(.pointerForward(offset: position, target: target)) }
            if target >= segmentStart { return .failure(.pointerLoop(offset: position, target: target)) }
            jumps += 1
            if jumps > DNSName.maximumPointerJumps { return .failure(.tooManyPointers(offset: start)) }
            segmentStart = target
            position = target
            continue
        }
        if length > 63 { return .failure(.labelTooLong(offset: position, length: length)) }
        labels += 1
        if labels > DNSName.maximumLabels { return .failure(.tooManyLabels(offset: start)) }
        wireLength += length + 1
        if wireLength > DNSName.maximumWireLength { return .failure(.nameTooLong(offset: start)) }
        guard position + 1 + length <= message.count else { return .failure(.truncated(.question, offset: position)) }
        if !text.isEmpty { text.append(UInt8(ascii: ".")) }
        for byte in message[(position + 1)..<(position + 1 + length)] {
            switch byte {
            case 0x41...0x5a: text.append(byte | 0x20)
            case 0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24: text += [0x5c, byte]
            case 0x21...0x7e: text.append(byte)
            default: text += [0x5c, 0x30 + byte / 100, 0x30 + byte / 10 % 10, 0x30 + byte % 10]
            }
        }
        position += 1 + length
    }
}

/// Reads the name at `start` with the block-writing reader, with and without text.
private func blockName(_ message: [UInt8], at start: Int, scratch: DNSParseScratch)
    -> (text: Result<(text: [UInt8], end: Int), DNSParseError>, bare: Result<Int, DNSParseError>) {
    message.withUnsafeBytes { raw in
        var length = -1
        let text: Result<(text: [UInt8], end: Int), DNSParseError>
        do throws(DNSParseError) {
            let end = try DNSName.read(raw, at: start, part: .question, into: scratch.name, length: &length)
            let bytes = Array(UnsafeBufferPointer(start: scratch.name, count: length))
            // The table of recent names gives the String of these bytes, whether it held them or another name.
            #expect(scratch.nameString(length: length) == String(decoding: bytes, as: UTF8.self))
            #expect(Array(scratch.nameString(length: length).utf8) == bytes)
            text = .success((bytes, end))
        } catch {
            text = .failure(error)
        }
        var unused = 0
        let bare: Result<Int, DNSParseError>
        do throws(DNSParseError) {
            bare = .success(try DNSName.read(raw, at: start, part: .question, into: nil, length: &unused))
        } catch {
            bare = .failure(error)
        }
        return (text, bare)
    }
}

/// A message of random names: labels of plain, upper-case, special and unprintable bytes, compression pointers
/// backwards, forwards, to themselves and into the middle of labels, long names and reserved label types.
private func hostileNames(_ random: inout HydrantTestSupport.SeededGenerator) -> [UInt8] {
    var bytes: [UInt8] = (0..<12).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    let pools: [[UInt8]] = [Array("abcxyz0189-_".utf8), Array("ABCXYZ".utf8), Array(".\\\"();@$".utf8),
                            [0, 9, 0x20, 0x7f, 0x80, 0xff]]
    for _ in 0..<(1 + random.below(6)) {
        for _ in 0..<random.below(random.chance(10) ? 130 : 8) {
            let roll = random.below(100)
            if roll < 4 {
                // A pointer anywhere, often backwards, sometimes to itself or past the end.
                let target = random.chance(70) ? random.below(max(bytes.count, 1)) : random.below(bytes.count + 64)
                bytes += [0xc0 | UInt8(truncatingIfNeeded: target >> 8 & 0x3f), UInt8(truncatingIfNeeded: target)]
                break
            } else if roll < 6 {
                bytes.append(0x40 | UInt8(random.below(0x40)))  // reserved label types and lengths past 63
            } else {
                let length = random.chance(15) ? 40 + random.below(24) : random.below(12)
                bytes.append(UInt8(length))
                for _ in 0..<length {
                    let pick = random.below(100)
                    let pool = pick < 80 ? pools[0] : pick < 92 ? pools[1] : pick < 96 ? pools[2] : pools[3]
                    bytes.append(pool[random.below(pool.count)])
                }
            }
        }
        if random.chance(90) { bytes.append(0) }
    }
    return bytes
}

/// A well-formed message with every decoded answer type, for mutations.
private func sampleMessage(_ random: inout HydrantTestSupport.SeededGenerator) -> [UInt8] {
    let questions = 1 + random.below(2)
    var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, UInt8(questions), 0, 8, 0, 0, 0, 1]
    var owners: [Int] = []
    for index in 0..<questions {
        owners.append(bytes.count)
        DNSMessageBuilder.encodeName(index == 0 ? "WWW.Example.co.uk" : "mail.example.org", to: &bytes)
        bytes += [0, 1, 0, 1]
    }
    func record(_ type: UInt16, _ rdata: [UInt8]) {
        let owner = owners[random.below(owners.count)]
        bytes += [0xc0 | UInt8(owner >> 8), UInt8(owner & 0xff), UInt8(type >> 8), UInt8(type & 0xff), 0, 1, 0, 0, 1, 44,
                  UInt8(rdata.count >> 8), UInt8(rdata.count & 0xff)]
        bytes += rdata
    }
    let pointer: [UInt8] = [0xc0, UInt8(owners[0])]
    record(1, [192, 0, 2, UInt8(random.below(256))])
    record(28, (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next()) })
    record(5, [3, 0x63, 0x44, 0x4e] + pointer)
    record(15, [0, 10, 2, 0x6d, 0x78] + pointer)
    record(16, [2, 0x68, 0x22, 0, 3, 0x5c, 0x80, 0x41])
    record(6, pointer + pointer + [UInt8](repeating: 7, count: 20))
    record(33, [0, 1, 0, 2, 0, 3] + pointer)
    record(99, [1, 2, 3])
    bytes += [0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0]
    return bytes
}

/// Parses with a fresh scratch (what `DNSMessage(parsing:)` does).
private func fresh(_ bytes: [UInt8]) -> Result<DNSMessage, DNSParseError> {
    bytes.withUnsafeBytes { raw in
        do throws(DNSParseError) { return .success(try DNSMessage(parsing: raw, ownerNames: true)) } catch { return .failure(error) }
    }
}

/// Parses with `scratch`, kept from the messages before, and hands its arrays back after.
private func reusing(_ bytes: [UInt8], _ scratch: DNSParseScratch) -> Result<DNSMessage, DNSParseError> {
    bytes.withUnsafeBytes { raw in
        do throws(DNSParseError) {
            var message = try DNSMessage(parsing: raw, ownerNames: true, scratch: scratch)
            // Arrays of their own, so the scratch takes back arrays nothing else holds.
            var copy = message
            copy.questions = message.questions.map { $0 }
            copy.answers = message.answers.map { $0 }
            scratch.recycle(&message)
            return .success(copy)
        } catch {
            return .failure(error)
        }
    }
}

@Suite struct DNSParseScratchTests {
    /// The block-writing reader gives the reference's text, end offset or error from every offset of 3,000 seeded
    /// hostile messages (pointer loops, forward pointers, labels past 63, names past 255 bytes, truncation at every
    /// byte), and the same end or error when it writes no text; the scratch's table of recent names turns each text
    /// into the String of its bytes.
    @Test func namesMatchTheReferenceReader() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0xd15_5c2a7c4)
        let scratch = DNSParseScratch()
        var outcomes = (parsed: 0, failed: 0)
        for _ in 0..<3_000 {
            let message = hostileNames(&random)
            for start in 0...message.count {
                let expected = referenceName(message, at: start)
                let (text, bare) = blockName(message, at: start, scratch: scratch)
                switch (expected, text, bare) {
                case (.success(let want), .success(let got), .success(let end)):
                    let sameText: Bool = got.text == want.text
                    let sameEnd: Bool = got.end == want.end && end == want.end
                    #expect(sameText && sameEnd, "\(message) at \(start)")
                    outcomes.parsed += 1
                case (.failure(let want), .failure(let got), .failure(let bareError)):
                    let sameError: Bool = got == want && bareError == want
                    #expect(sameError, "\(message) at \(start)")
                    outcomes.failed += 1
                default:
                    Issue.record("\(message) at \(start): \(expected) against \(text), \(bare)")
                }
            }
        }
        #expect(outcomes.parsed > 10_000 && outcomes.failed > 10_000)
    }

    /// The longest names fit the block: 255 wire bytes of labels whose every byte is escaped to four characters.
    @Test func longestEscapedNamesFitTheBlock() {
        let scratch = DNSParseScratch()
        for labelLength in [1, 2, 31, 63] {
            var message: [UInt8] = []
            while message.count + 1 + labelLength + 1 <= DNSName.maximumWireLength {
                message.append(UInt8(labelLength))
                message += [UInt8](repeating: 0xff, count: labelLength)
            }
            let rest = DNSName.maximumWireLength - message.count - 2
            if rest > 0 { message += [UInt8(rest)] + [UInt8](repeating: 0x2e, count: rest) }
            message.append(0)
            #expect(message.count == DNSName.maximumWireLength)
            guard case .success(let want) = referenceName(message, at: 0) else {
                Issue.record("the reference rejects a 255-byte name")
                continue
            }
            #expect(want.text.count <= DNSParseScratch.nameCapacity)
            let (text, _) = blockName(message, at: 0, scratch: scratch)
            guard case .success(let got) = text else {
                Issue.record("a 255-byte name was rejected")
                continue
            }
            #expect(got.text == want.text)
            // A label more is refused before anything past the limit is written.
            let longer = [1, 0x61] + message
            #expect(referenceName(longer, at: 0).map(\.end) == .failure(.nameTooLong(offset: 0)))
            if case .success = blockName(longer, at: 0, scratch: scratch).text { Issue.record("a 257-byte name was read") }
        }
    }

    /// Messages parsed one after another with one scratch (its arrays handed back after each) equal those parsed
    /// with a fresh one: 2,000 seeded messages with every answer type, each mutated at random bytes or cut short at
    /// every length, errors included.
    @Test func reusedScratchParsesLikeAFreshOne() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0x5c2a_7c4_2)
        let scratch = DNSParseScratch()
        var outcomes = (parsed: 0, failed: 0)
        func check(_ bytes: [UInt8]) {
            let want = fresh(bytes)
            let got = reusing(bytes, scratch)
            switch (want, got) {
            case (.success(let a), .success(let b)):
                #expect(a == b, "\(bytes)")
                outcomes.parsed += 1
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(bytes)")
                outcomes.failed += 1
            default:
                Issue.record("\(bytes): \(want) against \(got)")
            }
        }
        for round in 0..<2_000 {
            let original = sampleMessage(&random)
            if round % 100 == 0 {
                for length in 0...original.count { check(Array(original[..<length])) }
            }
            var mutated = original
            for _ in 0..<(1 + random.below(4)) {
                let index = random.below(mutated.count)
                mutated[index] = [0x00, 0x01, 0x3f, 0x40, 0x80, 0xc0, 0xff, UInt8(truncatingIfNeeded: random.next())][random.below(8)]
            }
            check(original)
            check(mutated)
        }
        #expect(outcomes.parsed > 2_000 && outcomes.failed > 500)
    }

    /// A message whose counts ask for many answers leaves no large array behind in the scratch.
    @Test func largeArraysAreNotKept() throws {
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 100, 0, 0, 0, 0]
        DNSMessageBuilder.encodeName("example.com", to: &bytes)
        bytes += [0, 1, 0, 1]
        for index in 0..<100 { bytes += [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, UInt8(index)] }
        let scratch = DNSParseScratch()
        var message = try bytes.withUnsafeBytes { raw throws(DNSParseError) in
            try DNSMessage(parsing: raw, ownerNames: false, scratch: scratch)
        }
        #expect(message.answers.count == 100)
        scratch.recycle(&message)
        #expect(scratch.takeAnswers().capacity < 100)
        #expect(scratch.takeQuestions().isEmpty)
    }
}

@Suite struct QueryNameSplitsTests {
    /// With four slots and names from a pool of 40 (so slots are taken over all the time), what the table returns
    /// for a name is always what was kept for that same name, and a name just kept is found again, also through
    /// another String of the same bytes.
    @Test func returnsOnlyWhatWasKeptForTheName() {
        var random = HydrantTestSupport.SeededGenerator(seed: 0x5911_7)
        var table = QueryNameSplits(capacity: 4)
        let names = (0..<40).map { index in
            index % 5 == 0 ? "h\(index).example.co.uk" : "some-longer-host-name-\(index).sub.example.com"
        }
        func truth(_ name: String) -> QueryNameSplits.Parts? {
            name.hasPrefix("h") && name.count % 2 == 0 ? nil : (registeredDomain: "d-" + name, subdomain: name.count % 3 == 0 ? nil : "s")
        }
        var hits = 0
        for _ in 0..<20_000 {
            let name = String(decoding: Array(names[random.below(names.count)].utf8), as: UTF8.self)
            let slot = table.slot(of: name)
            #expect(slot >= 0 && slot < 4)
            if let found = table.parts(of: name, in: slot) {
                hits += 1
                let want = truth(name)
                #expect(found?.registeredDomain == want?.registeredDomain && found?.subdomain == want?.subdomain)
            } else {
                table.keep(truth(name), for: name, in: slot)
                let again = String(decoding: Array(name.utf8), as: UTF8.self)
                #expect(table.parts(of: again, in: table.slot(of: again)) != nil)
            }
        }
        #expect(hits > 1_000)
    }

    /// The hash reads every byte: names that differ in one byte at any position of lengths 1 to 40 hash apart.
    @Test func hashSeesEveryByte() {
        for length in 1...40 {
            let base = [UInt8](repeating: 0x61, count: length)
            let hash = base.withUnsafeBytes { TextHash.hash($0) }
            for index in 0..<length {
                var changed = base
                changed[index] = 0x62
                #expect(changed.withUnsafeBytes { TextHash.hash($0) } != hash, "length \(length) at \(index)")
            }
            let longer = base + [0]
            #expect(longer.withUnsafeBytes { TextHash.hash($0) } != hash)
        }
    }
}

import HydrantTestSupport
import Testing
@testable import HydrantCapture

/// `TLSFingerprintCache` looks ClientHellos up by their shape's bytes (`TLSClientHelloShape`), read from the message
/// without parsing it. These tests hold the shape to the parser on seeded random and mutated hellos: it fails exactly
/// when the parser fails, gives the same server name, equal shapes come only from hellos that parse equal (the server
/// name aside), and the cache's fields are those computed afresh from the parsed hello.
@Suite struct TLSClientHelloShapeTests {
    /// Seeded (SplitMix64), so a failure repeats.
    private typealias Random = HydrantTestSupport.SeededGenerator

    private static func u16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
    private static func vector16(_ bytes: [UInt8]) -> [UInt8] { u16(bytes.count) + bytes }
    private static func vector8(_ bytes: [UInt8]) -> [UInt8] { [UInt8(truncatingIfNeeded: bytes.count)] + bytes }

    /// One client's fixed choices: version, suites and extensions with their contents, the SNI's place among them.
    private struct Profile {
        var version: Int
        var suites: [Int]
        /// Extension type and data; the SNI (type 0) gets its data per handshake.
        var extensions: [(type: Int, data: [UInt8])]
    }

    private static func profile(_ random: inout Random) -> Profile {
        let grease = [0x0a0a, 0x1a1a, 0xfafa]
        var suites = (0..<random.below(20)).map { _ in random.chance(10) ? grease[random.below(3)] : 0x1300 + random.below(300) }
        if random.chance(5) { suites = [] }
        var extensions: [(type: Int, data: [UInt8])] = []
        for _ in 0..<random.below(12) {
            switch random.below(9) {
            case 0: extensions.append((0, []))
            case 1:
                let names = (0..<random.below(3)).map { _ in vector8(Array(["h2", "http/1.1", "x", ""][random.below(4)].utf8)) }
                extensions.append((0x10, vector16(names.flatMap { $0 }) + (random.chance(10) ? [9] : [])))
            case 2: extensions.append((0x2b, vector8((0..<random.below(4)).flatMap { _ in u16([0x0304, 0x0303, 0x7a7a][random.below(3)]) })))
            case 3: extensions.append((0x0a, vector16((0..<random.below(5)).flatMap { _ in u16([29, 23, 24, 0x2a2a][random.below(4)]) })))
            case 4: extensions.append((0x0b, vector8((0..<random.below(3)).map { _ in UInt8(random.below(3)) })))
            case 5: extensions.append((0x0d, vector16((0..<random.below(6)).flatMap { _ in u16(0x0400 + random.below(8)) })))
            case 6: extensions.append((grease[random.below(3)], random.chance(50) ? [] : [0]))
            default: extensions.append((random.below(0xffff), random.bytes(random.below(6))))
            }
        }
        return Profile(version: [0x0303, 0x0301, 0x0302][random.below(3)], suites: suites, extensions: extensions)
    }

    /// A handshake of `profile` with its own random, session id and server name.
    private static func hello(_ profile: Profile, _ random: inout Random, extensionsBlock: Bool) -> [UInt8] {
        var body = u16(profile.version) + random.bytes(32) + vector8(random.bytes(random.below(33)))
        body += vector16(profile.suites.flatMap { u16($0) }) + vector8([0])
        if extensionsBlock {
            var block: [UInt8] = []
            for (type, data) in profile.extensions {
                var data = data
                if type == 0 {
                    let host = Array(["Example.COM", "a.example", "b.test", "ÉCOLE.fr"][random.below(4)].utf8)
                    data = vector16([random.chance(90) ? 0 : 1] + vector16(host))
                }
                block += u16(type) + vector16(data)
            }
            body += vector16(block)
        }
        return [1] + [UInt8(body.count >> 16 & 0xff), UInt8(body.count >> 8 & 0xff), UInt8(body.count & 0xff)] + body
    }

    @Test func shapeFailsWhenTheParserFailsAndNamesTheSameHellos() throws {
        var random = Random(seed: 0x7157)
        let profiles = (0..<40).map { _ in Self.profile(&random) }
        var cache = TLSFingerprintCache()
        var parsedByShape: [TLSClientHelloShape: TLSClientHello] = [:]
        var parsedCount = 0
        var repeats = 0
        var failures = 0
        var scratch: [UInt8] = []
        for round in 0..<30_000 {
            var message = Self.hello(profiles[random.below(profiles.count)], &random, extensionsBlock: random.chance(95))
            // A third of them damaged: bytes changed, or the message cut (with the handshake length kept or fixed).
            if round % 3 == 0 {
                switch random.below(3) {
                case 0:
                    for _ in 0..<(1 + random.below(3)) { message[random.below(message.count)] = UInt8(random.below(256)) }
                case 1:
                    message = Array(message.prefix(random.below(message.count)))
                default:
                    message = Array(message.prefix(4 + random.below(max(message.count - 4, 1))))
                    if message.count >= 4 {
                        let length = message.count - 4
                        message[1] = UInt8(length >> 16 & 0xff)
                        message[2] = UInt8(length >> 8 & 0xff)
                        message[3] = UInt8(length & 0xff)
                    }
                }
            }
            let parsed: TLSClientHello?
            do throws(TLSParseError) {
                parsed = try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in
                    try TLSHandshakeParser.clientHello(bytes: bytes)
                }
            } catch {
                parsed = nil
            }
            let shapeName: String??
            do throws(TLSParseError) {
                shapeName = .some(try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in
                    try TLSClientHelloShape.read(bytes, into: &scratch)
                })
            } catch {
                shapeName = .none
            }
            #expect((parsed == nil) == (shapeName == nil), "round \(round): parser and shape disagree on failing")
            guard var parsed, let serverName = shapeName else {
                failures += 1
                continue
            }
            #expect(serverName == parsed.serverName)
            let cached = try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in try cache.clientHello(bytes) }
            #expect(cached.fields == TLSFingerprintCache.compute(parsed), "round \(round)")
            #expect(cached.serverName == parsed.serverName)
            parsed.serverName = nil
            let shape = TLSClientHelloShape(scratch)
            if let earlier = parsedByShape[shape] {
                #expect(earlier == parsed, "round \(round): one shape, two different hellos")
                repeats += 1
            } else {
                parsedByShape[TLSClientHelloShape(Array(scratch))] = parsed
            }
            parsedCount += 1
        }
        // Both paths and the cache's hits must have been exercised.
        #expect(failures > 1000 && parsedCount > 15_000)
        #expect(repeats > parsedCount / 2)
    }

    /// More client profiles than the cache has slots, so shapes keep taking each other's slots: every handshake's
    /// fields are still those computed afresh from its parsed hello.
    @Test func collidingShapesGiveTheirOwnFields() throws {
        var random = Random(seed: 0x5107)
        let profiles = (0..<(3 * TLSFingerprintCache.capacity)).map { _ in Self.profile(&random) }
        var cache = TLSFingerprintCache()
        var checked = 0
        for round in 0..<20_000 {
            // Most from a few hundred profiles (hits), the rest from all of them (slots changing hands).
            let profile = profiles[random.chance(70) ? random.below(300) : random.below(profiles.count)]
            let message = Self.hello(profile, &random, extensionsBlock: true)
            guard let parsed = try? message.withUnsafeBufferPointer({ (bytes) throws(TLSParseError) in
                try TLSHandshakeParser.clientHello(bytes: bytes)
            }) else { continue }
            let cached = try message.withUnsafeBufferPointer { (bytes) throws(TLSParseError) in try cache.clientHello(bytes) }
            #expect(cached.fields == TLSFingerprintCache.compute(parsed), "round \(round)")
            #expect(cached.serverName == parsed.serverName)
            checked += 1
        }
        #expect(checked > 15_000)
    }
}

private extension HydrantTestSupport.SeededGenerator {
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

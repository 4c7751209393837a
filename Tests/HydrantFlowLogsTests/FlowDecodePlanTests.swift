import HydrantRecords
import HydrantTestSupport
import Testing
@testable import HydrantFlowLogs

/// Data records decoded by a template's plan are the records the field-by-field decoder makes of them: seeded
/// random fixed-length templates (duplicate and competing elements, both address families, odd, zero and over-long
/// lengths, reverse and unknown elements) with random and extreme values, in v9 and IPFIX, with and without sampling,
/// boot time and observer name; and templates that need the field-by-field decoder get no plan.
@Suite struct FlowDecodePlanTests {
    /// Elements a random template is drawn from, each with the lengths it may have (some of them ones the decoder
    /// ignores, as an exporter may send).
    static let elements: [(id: UInt16, enterprise: UInt32, lengths: [UInt16])] = [
        (1, 0, [4, 8, 3, 0, 12]), (2, 0, [4, 8, 2]), (85, 0, [8]), (86, 0, [8]), (4, 0, [1, 2]), (5, 0, [1]),
        (6, 0, [1, 2]), (7, 0, [2, 1]), (11, 0, [2, 4]), (8, 0, [4, 4, 16, 0]), (12, 0, [4, 4, 5]),
        (27, 0, [16, 16, 4]), (28, 0, [16, 16]), (10, 0, [2, 4]), (14, 0, [2, 4]), (15, 0, [4, 16]), (62, 0, [16, 4]),
        (16, 0, [2, 4]), (17, 0, [4]), (18, 0, [4]), (63, 0, [16]), (21, 0, [4]), (22, 0, [4]), (150, 0, [4]),
        (151, 0, [4]), (152, 0, [8]), (153, 0, [8, 6]), (154, 0, [8, 4]), (155, 0, [8]), (156, 0, [8]),
        (157, 0, [8, 7]), (158, 0, [4]), (159, 0, [4]), (160, 0, [8]), (161, 0, [4]), (162, 0, [4]), (32, 0, [2]),
        (139, 0, [2]), (176, 0, [1]), (177, 0, [1]), (178, 0, [1]), (179, 0, [1]), (58, 0, [2]), (243, 0, [2]),
        (245, 0, [2]), (61, 0, [1]), (34, 0, [4]), (50, 0, [4]), (305, 0, [4]), (306, 0, [4]), (231, 0, [8]),
        (232, 0, [8]), (298, 0, [8]), (299, 0, [8]), (1, 29305, [8]), (2, 29305, [8]), (85, 29305, [8]),
        (86, 29305, [4]), (999, 0, [4, 9]), (77, 9999, [4]),
    ]

    static func randomTemplate(_ random: inout SeededGenerator) -> FlowTemplate {
        var fields: [TemplateField] = []
        // Most templates look like an exporter's (addresses first); the rest are any mix.
        if random.chance(60) {
            let v6 = random.chance(30)
            fields.append(TemplateField(id: v6 ? 27 : 8, enterprise: 0, length: v6 ? 16 : 4, role: v6 ? .sourceIPv6 : .sourceIPv4))
            fields.append(TemplateField(id: v6 ? 28 : 12, enterprise: 0, length: v6 ? 16 : 4,
                                        role: v6 ? .destinationIPv6 : .destinationIPv4))
        }
        for _ in 0..<(1 + random.below(18)) {
            let element = elements[random.below(elements.count)]
            let length = element.lengths[random.below(element.lengths.count)]
            fields.append(TemplateField(id: element.id, enterprise: element.enterprise, length: length,
                                        role: FieldRole.of(id: element.id, enterprise: element.enterprise)))
        }
        if fields.allSatisfy({ $0.length == 0 }) { fields.append(TemplateField(id: 4, enterprise: 0, length: 1, role: .protocolNumber)) }
        return FlowTemplate(fields: fields, scopeCount: 0, isOptions: false)
    }

    /// One record's bytes: random, all zeros or all ones per field.
    static func randomRecord(_ template: FlowTemplate, _ random: inout SeededGenerator) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in template.fields {
            let kind = random.below(8)
            for _ in 0..<Int(field.length) {
                switch kind {
                case 0: bytes.append(0)
                case 1: bytes.append(0xFF)
                case 2: bytes.append(UInt8(random.below(3)))
                default: bytes.append(UInt8(truncatingIfNeeded: random.next()))
                }
            }
        }
        return bytes
    }

    /// Decodes `body` with `template` as is and without its plan; returns both results.
    static func both(_ body: [UInt8], template: FlowTemplate, context: ExportContext, session: ExporterSession,
                     decoder: FlowExportDecoder)
        -> (planned: ([NetFlowRecord], Int, ExporterStatistics), generic: ([NetFlowRecord], Int, ExporterStatistics)) {
        var unplanned = template
        unplanned.plan = nil
        func run(_ template: FlowTemplate) -> ([NetFlowRecord], Int, ExporterStatistics) {
            var records: [NetFlowRecord] = []
            var stats = ExporterStatistics()
            let count = body.withUnsafeBytes {
                decoder.decodeRecords($0, template: template, templateID: 300, context: context, session: session,
                                      stats: &stats, into: &records)
            }
            return (records, count, stats)
        }
        return (run(template), run(unplanned))
    }

    @Test("seeded random templates and records: the plan decodes what the field-by-field decoder decodes")
    func sameRecords() throws {
        var random = SeededGenerator(seed: 0x9_1A4)
        var planned = 0
        var flows = 0
        for round in 0..<3_000 {
            let template = Self.randomTemplate(&random)
            let plan = try #require(template.plan, "a fixed-length data template has a plan (round \(round))")
            #expect(plan.recordLength == template.fixedLength)
            planned += 1
            var body: [UInt8] = []
            for _ in 0..<(1 + random.below(4)) { body += Self.randomRecord(template, &random) }
            // Padding shorter than a record at the end.
            body += [UInt8](repeating: 0, count: random.below(plan.recordLength))
            var configuration = FlowExportDecoder.Configuration()
            configuration.applySampling = random.chance(70)
            configuration.observerName = random.chance(30) ? "edge-\(round)" : nil
            let decoder = FlowExportDecoder(configuration: configuration)
            let session = ExporterSession()
            if random.chance(40) { session.samplingInterval = [0, 1, 10, -3, Int64.max][random.below(5)] }
            if random.chance(40) { session.systemInitMilliseconds = [0, 1_699_990_000_000, Int64.max][random.below(3)] }
            let exporter = random.chance(20) ? IPAddress(ipv6High: random.next(), low: random.next())
                : IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next()))
            let context = ExportContext(version: random.chance(50) ? 9 : 10, exporter: exporter,
                                        domain: UInt32(truncatingIfNeeded: random.next()),
                                        exportSeconds: random.chance(10) ? .max : 1_700_000_000 + UInt32(random.below(1000)),
                                        sysUptime: random.chance(10) ? .max : UInt32(random.below(1 << 30)))
            let result = Self.both(body, template: template, context: context, session: session, decoder: decoder)
            #expect(result.planned.0 == result.generic.0, "round \(round): records")
            #expect(result.planned.1 == result.generic.1 && result.planned.2 == result.generic.2, "round \(round): counts")
            flows += result.planned.0.count
        }
        #expect(planned == 3_000)
        #expect(flows > 3_000, "most rounds yield flows, so records were compared")
    }

    @Test("templates whose records need the field-by-field decoder have no plan")
    func noPlan() {
        let address = TemplateField(id: 8, enterprise: 0, length: 4, role: .sourceIPv4)
        let variable = TemplateField(id: 82, enterprise: 0, length: TemplateField.variableLength, role: .ignore)
        let kept = TemplateField(id: 77, enterprise: 9999, length: 4, role: .enterprise)
        #expect(FlowTemplate(fields: [address, variable], scopeCount: 0, isOptions: false).plan == nil)
        #expect(FlowTemplate(fields: [address, kept], scopeCount: 0, isOptions: false).plan == nil)
        #expect(FlowTemplate(fields: [address], scopeCount: 1, isOptions: true).plan == nil)
        #expect(FlowTemplate(fields: [TemplateField(id: 8, enterprise: 0, length: 0, role: .sourceIPv4)],
                             scopeCount: 0, isOptions: false).plan == nil, "no bytes: not a record the decoder reads")
    }

    @Test("a plan leaves out what decodes to nothing and reads wide integers by their last 8 bytes")
    func steps() throws {
        let template = FlowTemplate(fields: [
            TemplateField(id: 999, enterprise: 0, length: 4, role: .ignore),
            TemplateField(id: 8, enterprise: 0, length: 16, role: .sourceIPv4),
            TemplateField(id: 1, enterprise: 0, length: 0, role: .octets),
            TemplateField(id: 27, enterprise: 0, length: 16, role: .sourceIPv6),
            TemplateField(id: 2, enterprise: 0, length: 12, role: .packets),
        ], scopeCount: 0, isOptions: false)
        let plan = try #require(template.plan)
        #expect(plan.recordLength == 48)
        #expect(plan.steps == [FlowDecodePlan.Step(offset: 20, length: 16, role: .sourceIPv6),
                               FlowDecodePlan.Step(offset: 36, length: 12, role: .packets)])
        var body = [UInt8](repeating: 0, count: 48)
        body[35] = 1  // the IPv6 address ::1
        for i in 36..<40 { body[i] = 0xAB }  // dropped: beyond the low 8 bytes
        body[47] = 7
        let session = ExporterSession()
        let context = ExportContext(version: 10, exporter: IPAddress(ipv4: 1), domain: 0, exportSeconds: 1_700_000_000, sysUptime: 0)
        let result = Self.both(body, template: template, context: context, session: session, decoder: FlowExportDecoder())
        #expect(result.planned.0 == result.generic.0)
        let record = try #require(result.planned.0.first)
        #expect(record.sourceIP == IPAddress(ipv6High: 0, low: 1) && record.sourcePackets == 7)
    }
}

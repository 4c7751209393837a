@testable import HydrantCapture

/// The records of one pass over the capture at `path` in which every packet goes through the application analyzer,
/// with its payload still in the capture buffer, and then through the flow table, before the next frame is read:
/// the reference the pipelined engine is held to.
func sequentialCaptureRecords(_ path: String) throws -> CaptureRecords {
    let analyzer = ApplicationAnalyzer(configuration: ApplicationConfiguration())
    let table = FlowTable(configuration: FlowTableConfiguration())
    var decoder = PacketDecoder()
    var packet = DecodedPacket()
    var records = CaptureRecords()
    let source = try PcapSource.openFile(path)
    while case .frame(let frame) = try source.next() {
        guard decoder.decode(frame.bytes, linkType: source.linkType, timestamp: frame.timestamp,
                             wireLength: frame.wireLength, into: &packet) == .packet else { continue }
        packet.applicationProtocol = analyzer.analyze(packet)
        table.add(packet, into: &records.flows)
    }
    analyzer.flush()
    analyzer.takeRecords(into: &records)
    table.flush(into: &records.flows)
    return records
}

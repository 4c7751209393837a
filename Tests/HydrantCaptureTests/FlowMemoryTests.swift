import HydrantRecords
import Testing
@testable import HydrantCapture

@Suite struct FlowMemoryTests: FlowTestSupport {
    @Test func perFlowStateStaysUnder200Bytes() {
        #expect(MemoryLayout<FlowKey>.size == 42)
        #expect(MemoryLayout<FlowEndpoint>.stride == 24)
        #expect(MemoryLayout<FlowHistory>.size == 24)
        #expect(MemoryLayout<FlowEntry>.stride == 168)
        // The index holds one 8-byte bucket per flow at most 3/4 full; just after doubling it is 3/8 full.
        let worstIndexBytesPerFlow = 8.0 / 0.375
        let perFlow = Double(MemoryLayout<FlowEntry>.stride) + worstIndexBytesPerFlow
        #expect(perFlow < 200)
    }

    @Test func tableStorageGrowsOnlyWithFlows() {
        let table = FlowTable()
        var out: [FlowRecord] = []
        for i in 0..<5_000 {
            table.add(udp(Double(i) * 0.001, "10.0.0.1:\(1000 + i)", "10.0.0.2:53"), into: &out)
        }
        #expect(table.count == 5_000)
        #expect(out.isEmpty)
    }
}

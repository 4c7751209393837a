import Testing
@testable import HydrantDetect
import HydrantTestSupport

/// The reorder buffer's heap of late matches, against a sorted array of the same keys.
@Suite struct CorrelationReorderHeapTests {
    /// Seeded inserts and removals, with many equal times (ties go by sequence) and runs that grow the heap to
    /// thousands of keys and drain it: every removal gives the least key the reference holds.
    @Test(arguments: [3, 50, 1_000_000])
    func removalsGiveTheLeastKeyInTimeThenSequenceOrder(timeRange: Int) {
        var random = SeededGenerator(seed: UInt64(timeRange))
        let heap = CorrelationReorderHeap()
        var reference: [CorrelationReorderBuffer.Key] = []
        var sequence: UInt64 = 0
        for round in 0..<60 {
            let growing = round % 3 != 2
            for _ in 0..<random.below(growing ? 200 : 20) {
                let key = CorrelationReorderBuffer.Key(time: Int64(random.below(timeRange)), sequence: sequence,
                                                        slot: Int32(truncatingIfNeeded: sequence))
                sequence += 1
                heap.insert(key)
                reference.append(key)
            }
            reference.sort()
            for _ in 0..<random.below(growing ? 100 : 400) {
                let least = heap.popMin()
                #expect(least == reference.first)
                #expect(least?.slot == reference.first?.slot)
                if !reference.isEmpty { reference.removeFirst() }
                #expect(heap.count == reference.count)
                #expect(heap.min == reference.first)
            }
            #expect(Set(heap.unordered.map(\.sequence)) == Set(reference.map(\.sequence)))
        }
        while let least = heap.popMin() {
            #expect(least == reference.removeFirst())
        }
        #expect(reference.isEmpty)
        #expect(heap.popMin() == nil)
    }
}

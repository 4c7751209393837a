import HydrantRecords

/// Writes a fixed set of conversation scripts as one capture, their packets interleaved in time order.
///
/// The scenarios of `RuleScenario` decide every conversation up front (unlike `MixedScenario`, which plans on the
/// fly against a packet budget); this writes them with the same frame emitter, so a script gives the same bytes
/// in either. Packet times strictly increase: a packet due at or before the previous one is written a nanosecond
/// after it.
struct ScriptScheduler {
    /// Writes `scripts` to `writer` and returns what was written. IP identifications and flow labels come from `g`.
    static func write(_ scripts: [ConversationScript], to writer: inout PcapWriter,
                      _ g: inout SeededGenerator) throws(PcapWriterError) -> MixedScenario.Summary {
        var active: [ActiveConversation?] = []
        var queue = EventQueue()
        var summary = MixedScenario.Summary()
        for script in scripts where !script.packets.isEmpty {
            queue.push(time: script.packets[0].time, slot: active.count)
            active.append(ActiveConversation(script: script, generator: &g))
            summary.conversations += 1
        }
        var emitter = FrameEmitter()
        var lastTime = Int64.min
        while let event = queue.popMinimum() {
            guard var conversation = active[event.slot] else { continue }
            let time = lastTime == .min ? event.time : max(event.time, lastTime + 1)
            lastTime = time
            try emitter.emit(&conversation, at: Timestamp(nanoseconds: time), to: &writer)
            summary.packets += 1
            summary.bytes += emitter.lastFrameLength
            if summary.firstTime == nil { summary.firstTime = Timestamp(nanoseconds: time) }
            summary.lastTime = Timestamp(nanoseconds: time)
            if conversation.cursor < conversation.script.packets.count {
                queue.push(time: conversation.script.packets[conversation.cursor].time, slot: event.slot)
                active[event.slot] = conversation
            } else {
                active[event.slot] = nil
            }
        }
        return summary
    }
}

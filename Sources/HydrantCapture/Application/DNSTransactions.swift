import HydrantRecords

/// Pairs DNS queries with their responses by transaction id and connection, and turns each pair into a
/// `network.dns` record.
///
/// A query waits at most `dnsTimeout` (packet time) and at most `maxPendingQueries` wait; the others are emitted
/// unanswered. A retransmitted query (same id, same connection) while one waits is absorbed into it. A response
/// whose query was not seen is emitted on its own, with the client taken from its destination.
struct DNSTransactions {
    /// A query waiting for its response.
    private struct Pending {
        var record: DNSRecord
        var time: Int64
    }

    private typealias Key = PendingQueryTable<Pending>.Key

    private let timeout: Int64
    private let capacity: Int
    private var pending = PendingQueryTable<Pending>()
    /// Keys in arrival order, for expiry; entries whose query was answered are skipped when reached.
    private var arrivals: [(key: Key, time: Int64)] = []
    private var arrivalsHead = 0
    /// Recent query names and their split by the Public Suffix List.
    private var splitNames = QueryNameSplits()
    /// The text of recent answer addresses, by a hash of the address: the same sites resolve to the same addresses
    /// for every client, and a text found here is not formatted again (nor, for IPv6, allocated and freed). A
    /// colliding address takes the slot, so the table stays `addressTextSlots` entries.
    /// Beside the text, `[text]` once a one-answer response has needed it (empty until then): such a response's
    /// answer data and resolved addresses are both that one array, shared by every record of that address.
    private var addressTexts: [(address: IPAddress, text: String, list: [String])?] =
        Array(repeating: nil, count: DNSTransactions.addressTextSlots)
    private static let addressTextSlots = 512
    /// `[ttl]` for recent single TTLs, by the TTL's low bits (a TTL found here allocates no array of its own); a
    /// colliding TTL takes the slot.
    private var singleTTLLists: [(ttl: UInt32, list: [Int64])?] = Array(repeating: nil, count: DNSTransactions.ttlSlots)
    private static let ttlSlots = 1024
    /// The answer type lists of one-answer responses, by type (`sharedTypeList`); empty until first used.
    private var singleTypeLists: [[String]] = Array(repeating: [], count: 256)

    /// A table with the configuration's timeout and bound.
    init(configuration: ApplicationConfiguration) {
        timeout = max(configuration.dnsTimeout, 0)
        capacity = max(configuration.maxPendingQueries, 1)
    }

    /// Queries waiting.
    var count: Int { pending.count }

    /// Arrival entries kept for expiry.
    var bookkeepingCount: Int { arrivals.count - arrivalsHead }

    /// Takes one parsed message of the connection `flow`. `connection` names the message's sender as source, and
    /// `reversed` its receiver (the client of a response).
    mutating func handle(_ message: DNSMessage, flow: FlowKey, connection: @autoclosure () -> Connection,
                         reversed: @autoclosure () -> Connection, time: Int64,
                         statistics: inout ApplicationStatistics, into output: inout [DNSRecord]) {
        let key = Key(flow: flow, id: message.id)
        // Hashed once for the message's lookup and insert.
        let hash = pending.hash(key)
        if message.isResponse {
            if var waiting = pending.remove(key, hash: hash) {
                fill(&waiting.record, response: message)
                waiting.record.duration = max(time - waiting.time, 0)
                output.append((consume waiting).record)
            } else {
                statistics.dnsUnmatchedResponses += 1
                // Made where it is kept: a record built in a local and then stored was copied whole on the way.
                output.append(DNSRecord(timestamp: Timestamp(nanoseconds: time), connection: reversed(), id: message.id))
                let last = output.count - 1
                DNSTransactions.describe(&output[last], question: message, splits: &splitNames)
                fill(&output[last], response: message)
            }
            return
        }
        guard pending.slot(of: key, hash: hash) == nil else { return }
        if pending.count >= capacity { expireOldest(statistics: &statistics, into: &output) }
        // Inserted, then described in place (see above).
        let slot = pending.insert(Pending(record: DNSRecord(timestamp: Timestamp(nanoseconds: time),
                                                            connection: connection(), id: message.id),
                                          time: time),
                                  key: key, hash: hash)
        DNSTransactions.describe(&pending[slot].record, question: message, splits: &splitNames)
        arrivals.append((key, time))
        // Answered queries leave their arrival entries behind until expiry reaches them; at a high query rate that
        // could be millions within one timeout, so the list is pruned to the waiting queries when it grows past
        // twice the bound.
        if arrivals.count - arrivalsHead > 2 * capacity {
            arrivals = arrivals[arrivalsHead...].filter { isWaiting($0.key, since: $0.time) }
            arrivalsHead = 0
        }
    }

    /// Emits the queries that waited longer than the timeout by `now`.
    mutating func expire(upTo now: Int64, statistics: inout ApplicationStatistics, into output: inout [DNSRecord]) {
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].time <= now - timeout {
            let (key, time) = arrivals[arrivalsHead]
            arrivalsHead += 1
            if let waiting = takeWaiting(key, since: time) {
                statistics.dnsUnanswered += 1
                output.append(waiting.record)
            }
        }
        compactArrivals()
    }

    /// Emits every waiting query (end of input).
    mutating func flush(statistics: inout ApplicationStatistics, into output: inout [DNSRecord]) {
        let waiting = pending.values.sorted { $0.time < $1.time }
        statistics.dnsUnanswered += waiting.count
        output.append(contentsOf: waiting.map(\.record))
        pending.removeAll()
        arrivals.removeAll()
        arrivalsHead = 0
    }

    private mutating func expireOldest(statistics: inout ApplicationStatistics, into output: inout [DNSRecord]) {
        while arrivalsHead < arrivals.count {
            let (key, time) = arrivals[arrivalsHead]
            arrivalsHead += 1
            if let waiting = takeWaiting(key, since: time) {
                statistics.dnsUnanswered += 1
                output.append(waiting.record)
                break
            }
        }
        compactArrivals()
    }

    /// Whether `key`'s query waits, and arrived at `time` (not an earlier one answered since, whose arrival entry
    /// this is).
    private func isWaiting(_ key: Key, since time: Int64) -> Bool {
        guard let slot = pending.slot(of: key, hash: pending.hash(key)) else { return false }
        return pending[slot].time == time
    }

    /// Takes `key`'s query out when it waits and arrived at `time`.
    private mutating func takeWaiting(_ key: Key, since time: Int64) -> Pending? {
        let hash = pending.hash(key)
        guard let slot = pending.slot(of: key, hash: hash), pending[slot].time == time else { return nil }
        return pending.remove(key, hash: hash)
    }

    /// Drops the consumed front of `arrivals` once it is most of the array, so the array stays bounded.
    private mutating func compactArrivals() {
        if arrivalsHead > 4096 && arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }

    /// Adds a query's question and header flags (or those of a response seen alone) to its new record.
    private static func describe(_ record: inout DNSRecord, question message: DNSMessage,
                                 splits: inout QueryNameSplits) {
        if let question = message.questions.first {
            record.questionName = question.name
            splitName(&record, splits: &splits)
            record.questionType = DNSNames.typeName(question.type)
            // mDNS uses the class's top bit as the unicast-response (question) or cache-flush (answer) flag.
            record.questionClass = DNSNames.className(question.dnsClass & 0x7FFF)
        }
        record.headerFlags = message.headerFlagNames
    }

    /// Sets the registered domain and subdomain of the query name, from the system's Public Suffix List (read once;
    /// without it the fields stay absent).
    private static func splitName(_ record: inout DNSRecord, splits: inout QueryNameSplits) {
        // The list is read on first use, on the parsers' thread, rather than when the engine is made: reading it takes
        // milliseconds, which at start-up the reading thread would spend before its first packet.
        guard let name = record.questionName else { return }
        let parts: QueryNameSplits.Parts?
        // Names repeat (the same sites, asked again and again): a bounded memo of the split saves walking the list
        // for each query.
        let slot = splits.slot(of: name)
        if let known = splits.parts(of: name, in: slot) {
            parts = known
        } else {
            guard let list = PublicSuffixList.system else { return }
            parts = list.split(name)
            splits.keep(parts, for: name, in: slot)
        }
        guard let parts else { return }
        record.questionRegisteredDomain = parts.registeredDomain
        record.questionSubdomain = parts.subdomain
    }

    /// `[DNSNames.typeName(type)]` as one array per type (below 256; nil above), made on first use: the answer types
    /// of one-answer responses share it, so such a record allocates (and frees) no array of its own for them.
    private mutating func sharedTypeList(_ type: UInt16) -> [String]? {
        guard type < 256 else { return nil }
        let index = Int(type)
        if singleTypeLists[index].isEmpty { singleTypeLists[index] = [DNSNames.typeName(type)] }
        return singleTypeLists[index]
    }

    /// The slot of `address` in `addressTexts`.
    @inline(__always)
    private static func addressSlot(_ address: IPAddress) -> Int {
        let mixed = (address.high ^ address.low).multipliedFullWidth(by: 0x9e37_79b9_7f4a_7c15)
        return Int(truncatingIfNeeded: mixed.high ^ mixed.low) & (DNSTransactions.addressTextSlots - 1)
    }

    /// `address.description`, from the table of recent addresses when it holds this one.
    mutating func addressText(_ address: IPAddress) -> String {
        let slot = DNSTransactions.addressSlot(address)
        if let entry = addressTexts[slot], entry.address == address { return entry.text }
        let text = address.description
        addressTexts[slot] = (address, text, [])
        return text
    }

    /// `[address.description]`, one array per address in the table of recent addresses.
    mutating func addressTextList(_ address: IPAddress) -> [String] {
        let slot = DNSTransactions.addressSlot(address)
        if let entry = addressTexts[slot], entry.address == address {
            if !entry.list.isEmpty { return entry.list }
            let list = [entry.text]
            addressTexts[slot] = (address, entry.text, list)
            return list
        }
        let text = address.description
        let list = [text]
        addressTexts[slot] = (address, text, list)
        return list
    }

    /// `[Int64(ttl)]`, one array per TTL in the table of recent TTLs.
    mutating func ttlList(_ ttl: UInt32) -> [Int64] {
        let slot = Int(truncatingIfNeeded: ttl) & (DNSTransactions.ttlSlots - 1)
        if let entry = singleTTLLists[slot], entry.ttl == ttl { return entry.list }
        let list = [Int64(ttl)]
        singleTTLLists[slot] = (ttl, list)
        return list
    }

    /// Adds a response's code, flags and answers.
    private mutating func fill(_ record: inout DNSRecord, response: DNSMessage) {
        record.responseCode = response.responseCodeName
        record.headerFlags = response.headerFlagNames
        if record.questionName == nil, let question = response.questions.first {
            record.questionName = question.name
            DNSTransactions.splitName(&record, splits: &splitNames)
            record.questionType = DNSNames.typeName(question.type)
            record.questionClass = DNSNames.className(question.dnsClass & 0x7FFF)
        }
        let answers = response.answers.count
        // Most responses carry one answer: its lists are arrays shared with every other record of the same type, TTL
        // and (for an address) address, so the record allocates none of its own (nor frees them after encoding).
        if answers == 1, record.answerData.isEmpty, record.answerTypes.isEmpty, record.answerTTLs.isEmpty,
           record.resolvedIPs.isEmpty, let types = sharedTypeList(response.answers[0].type) {
            let answer = response.answers[0]
            switch answer.data {
            case .a(let address), .aaaa(let address):
                let list = addressTextList(address)
                record.answerData = list
                record.resolvedIPs = list
            default:
                record.answerData = [answer.data.presentation]
            }
            record.answerTypes = types
            record.answerTTLs = ttlList(answer.ttl)
            return
        }
        let sharedTypes = answers == 1 && record.answerTypes.isEmpty ? sharedTypeList(response.answers[0].type) : nil
        record.answerData.reserveCapacity(answers)
        if let sharedTypes { record.answerTypes = sharedTypes } else { record.answerTypes.reserveCapacity(answers) }
        record.answerTTLs.reserveCapacity(answers)
        for answer in response.answers {
            let text: String
            switch answer.data {
            case .a(let address), .aaaa(let address):
                // An address's presentation is its text: the same String serves both fields.
                text = addressText(address)
                record.resolvedIPs.append(text)
            default:
                text = answer.data.presentation
            }
            record.answerData.append(text)
            if sharedTypes == nil { record.answerTypes.append(DNSNames.typeName(answer.type)) }
            record.answerTTLs.append(Int64(answer.ttl))
        }
    }
}

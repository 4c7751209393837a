/// Memory that parsing DNS messages reuses from one message to the next: the block where a name's presentation text
/// is built, the Strings of recent names, and the arrays of questions and answers (handed back with `recycle` once a
/// message is done with).
///
/// A parser of many messages keeps one, so a message costs no allocation for its arrays and, mostly, none for its
/// names; `DNSMessage(parsing:)` makes one per call.
final class DNSParseScratch {
    /// Room for the longest presentation text of a name: at most 254 label bytes in 255 wire bytes, each at most
    /// four characters (`\DDD`) escaped, plus the dots between labels, which take the place of length bytes.
    static let nameCapacity = 1024
    /// Where `DNSName.read` writes a name's text.
    let name: UnsafeMutablePointer<UInt8>
    /// Emptied arrays, capacity kept, for the next message's questions and answers.
    private var questions: [DNSQuestion] = []
    private var answers: [DNSResourceRecord] = []
    /// Arrays that grew past this many elements (a hostile message's counts) are let go instead of kept.
    private static let keptCapacity = 64

    /// Strings of recent names: the same names come again and again (a query and its response, the same sites asked
    /// by every client).
    private let recentNames = RecentStrings(slots: 1024, longest: DNSParseScratch.nameCapacity)

    /// A scratch with its name block allocated.
    init() {
        name = .allocate(capacity: DNSParseScratch.nameCapacity)
    }

    deinit { name.deallocate() }

    /// The text of the name `DNSName.read` last wrote, `length` bytes (the same String as for the last name of the
    /// same bytes, while the table of recent names holds it).
    @inline(__always)
    func nameString(length: Int) -> String {
        recentNames.string(UnsafeRawBufferPointer(start: name, count: length))
    }

    /// An empty question array to fill (the one kept from the last message, when there is one).
    @inline(__always)
    func takeQuestions() -> [DNSQuestion] {
        var taken: [DNSQuestion] = []
        swap(&taken, &questions)
        return taken
    }

    /// An empty answer array to fill (the one kept from the last message, when there is one).
    @inline(__always)
    func takeAnswers() -> [DNSResourceRecord] {
        var taken: [DNSResourceRecord] = []
        swap(&taken, &answers)
        return taken
    }

    /// Keeps `message`'s arrays, emptied, for the next message; `message` is left without questions or answers.
    @inline(__always)
    func recycle(_ message: inout DNSMessage) {
        if message.questions.capacity <= DNSParseScratch.keptCapacity {
            swap(&questions, &message.questions)
            questions.removeAll(keepingCapacity: true)
        }
        if message.answers.capacity <= DNSParseScratch.keptCapacity {
            swap(&answers, &message.answers)
            answers.removeAll(keepingCapacity: true)
        }
    }
}

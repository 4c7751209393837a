/// What parsing the bytes buffered for one direction of a connection gave.
public enum HTTPHeadParseResult<Head: Hashable & Sendable>: Hashable, Sendable {
    /// A whole head: it and the number of bytes it took (the body, if any, starts there).
    case head(Head, length: Int)
    /// The head is not complete yet; buffer more bytes (up to `HTTPHeadParser.maximumHeadBytes`).
    case needMore
    /// The bytes are not an HTTP/1.x message head; `reason` says where they broke the grammar.
    case invalid(String)
    /// The head is longer than `HTTPHeadParser.maximumHeadBytes`; the connection's messages are not followed further.
    case tooLarge
}

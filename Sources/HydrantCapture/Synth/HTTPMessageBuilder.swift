import HydrantRecords

/// Builds HTTP/1.1 request and response heads (RFC 9112): start line, header fields, empty line. Bodies are
/// sent separately as filler of the stated `Content-Length`.
enum HTTPMessageBuilder {
    /// A request head. A `Content-Length` and `Content-Type` are included when `bodyLength > 0`.
    static func request(method: String, target: String, host: String, userAgent: String,
                        bodyLength: Int) -> [UInt8] {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: \(userAgent)\r\n"
        text += "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
        if bodyLength > 0 {
            text += "Content-Type: application/json\r\nContent-Length: \(bodyLength)\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A response head with a `Date` taken from `date` and the given status, content type and body length.
    static func response(status: Int, reason: String, server: String, contentType: String?, bodyLength: Int,
                         date: Timestamp, location: String? = nil) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason)\r\nDate: \(httpDate(date))\r\nServer: \(server)\r\n"
        if let contentType { text += "Content-Type: \(contentType)\r\n" }
        if let location { text += "Location: \(location)\r\n" }
        text += "Content-Length: \(bodyLength)\r\nConnection: keep-alive\r\n\r\n"
        return Array(text.utf8)
    }

    /// The IMF-fixdate form, e.g. `Mon, 01 Jan 2024 00:00:00 GMT`.
    static func httpDate(_ time: Timestamp) -> String {
        let seconds = time.nanoseconds >= 0 ? time.nanoseconds / 1_000_000_000 : 0
        let days = seconds / 86_400
        let secondOfDay = seconds % 86_400
        let civil = CivilDate(daysSinceEpoch: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekdays[Int(days % 7)]), \(two(Int64(civil.day))) \(months[civil.month - 1]) \(civil.year) "
            + "\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)) GMT"
    }
}

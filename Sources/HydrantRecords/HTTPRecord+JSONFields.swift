extension HTTPRecord {
    /// Writes the record as its field table (`HTTPRecord.fields`) does, without the table's walk.
    @inlinable
    public mutating func writeJSONFields(_ writer: inout JSONFieldWriter) -> Bool {
        let event = writer.openCommonFields(timestamp: timestamp, dataset: "\"dataset\":\"network.http\"",
                                            ingested: connection.ingested)
        writer.int("\"duration\":", duration)
        writer.close(event)
        writer.commonFields(of: connection)
        let http = writer.open("\"http\":")
        writer.string("\"version\":", version)
        let request = writer.open("\"request\":")
        writer.string("\"method\":", method)
        writer.string("\"referrer\":", referrer)
        let requestBody = writer.open("\"body\":")
        writer.int("\"bytes\":", requestBodyBytes)
        writer.close(requestBody)
        writer.close(request)
        let response = writer.open("\"response\":")
        writer.int("\"status_code\":", statusCode)
        writer.string("\"mime_type\":", responseMimeType)
        let responseBody = writer.open("\"body\":")
        writer.int("\"bytes\":", responseBodyBytes)
        writer.close(responseBody)
        writer.close(response)
        writer.close(http)
        let url = writer.open("\"url\":")
        writer.string("\"original\":", target)
        writer.string("\"domain\":", domain)
        writer.string("\"path\":", path)
        writer.close(url)
        let userAgent = writer.open("\"user_agent\":")
        writer.string("\"original\":", self.userAgent)
        writer.close(userAgent)
        return true
    }
}

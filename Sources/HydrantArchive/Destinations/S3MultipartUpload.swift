/// One multipart upload of a whole body: CreateMultipartUpload, UploadPart for each slice, then
/// CompleteMultipartUpload; on any failure AbortMultipartUpload, so that the store does not keep orphaned parts.
/// The object appears only when Complete succeeds, so a reader never sees part of it.
struct S3MultipartUpload: Sendable {
    /// S3's smallest part (every part but the last).
    static let minimumPartSize = 5 * 1024 * 1024
    /// S3's largest part.
    static let maximumPartSize = 5 * 1024 * 1024 * 1024
    /// S3's most parts per upload.
    static let maximumPartCount = 10_000

    let transport: S3Transport
    /// The object's wire path, `/bucket/key`.
    let path: String
    /// `s3://bucket/key at endpoint`, for error messages.
    let subject: String

    /// The part size used for a body of `bodySize` bytes: `preferred` clamped to S3's limits, grown when the body
    /// would otherwise need more than 10,000 parts.
    static func partSize(preferred: Int, bodySize: Int) -> Int {
        let clamped = min(max(preferred, minimumPartSize), maximumPartSize)
        let needed = (bodySize + maximumPartCount - 1) / maximumPartCount
        return max(clamped, needed)
    }

    /// The byte ranges of the parts of a body of `bodySize` bytes.
    static func partRanges(bodySize: Int, partSize: Int) -> [Range<Int>] {
        guard bodySize > 0 else { return [0..<0] }
        return stride(from: 0, to: bodySize, by: partSize).map { $0..<min($0 + partSize, bodySize) }
    }

    /// Uploads `body` in parts of `partSize` bytes.
    func run(body: [UInt8], partSize: Int) async throws(DestinationError) {
        let uploadID = try await create()
        do {
            var etags: [String] = []
            for (index, range) in Self.partRanges(bodySize: body.count, partSize: partSize).enumerated() {
                etags.append(try await uploadPart(number: index + 1, of: body[range], uploadID: uploadID))
            }
            try await complete(uploadID: uploadID, etags: etags)
        } catch {
            await abort(uploadID: uploadID)
            throw error
        }
    }

    private func create() async throws(DestinationError) -> String {
        let response = try await transport.send(.post, path: path, query: "uploads", subject: subject)
        guard response.isSuccess else { throw failure(response, during: "CreateMultipartUpload") }
        guard let uploadID = S3XML.text(of: "UploadId", in: response.body), !uploadID.isEmpty else {
            throw DestinationError(.service, "\(subject): CreateMultipartUpload answered HTTP \(response.status) "
                + "without an UploadId")
        }
        return uploadID
    }

    private func uploadPart(number: Int, of part: ArraySlice<UInt8>,
                            uploadID: String) async throws(DestinationError) -> String {
        let query = "partNumber=\(number)&uploadId=\(URIEncoding.encode(uploadID.utf8))"
        let response = try await transport.send(.put, path: path, query: query, body: part, subject: subject)
        guard response.isSuccess else { throw failure(response, during: "UploadPart \(number)") }
        guard let etag = response.etag, !etag.isEmpty else {
            throw DestinationError(.service, "\(subject): UploadPart \(number) answered HTTP \(response.status) "
                + "without an ETag")
        }
        return etag
    }

    private func complete(uploadID: String, etags: [String]) async throws(DestinationError) {
        var document = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            document += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
        }
        document += "</CompleteMultipartUpload>"
        let query = "uploadId=\(URIEncoding.encode(uploadID.utf8))"
        let response = try await transport.send(.post, path: path, query: query, body: ArraySlice(document.utf8),
                                                contentType: "application/xml", subject: subject)
        guard response.isSuccess else { throw failure(response, during: "CompleteMultipartUpload") }
        // S3 may answer Complete with 200 and then report a failure in the body.
        if let error = S3ErrorResponse(status: response.status, body: response.body) {
            throw annotate(error.destinationError(subject: subject), during: "CompleteMultipartUpload")
        }
    }

    /// Best effort: the upload already failed, and an abort that fails too leaves parts that a bucket lifecycle
    /// rule can expire; its error would only hide the first one.
    private func abort(uploadID: String) async {
        let query = "uploadId=\(URIEncoding.encode(uploadID.utf8))"
        _ = try? await transport.send(.delete, path: path, query: query, subject: subject)
    }

    private func failure(_ response: S3Response, during step: String) -> DestinationError {
        let error = S3ErrorResponse(status: response.status, body: response.body)
            ?? S3ErrorResponse(status: response.status, code: nil, message: nil, requestID: nil)
        return annotate(error.destinationError(subject: subject), during: step)
    }

    private func annotate(_ error: DestinationError, during step: String) -> DestinationError {
        DestinationError(error.kind, "\(error.message) (during \(step))")
    }
}

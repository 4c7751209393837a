import Foundation
import HydrantRecords
import HydrantStream
import Testing

@testable import HydrantServer

/// DescribeDeliveryStream bodies as botocore reads them: parsed with the Firehose service model (which drops
/// members it does not know), so a misnamed member shows up as a missing one.
@Suite struct StreamDescriptionTests {
    /// Parses `body` as botocore's JSON parser does for DescribeDeliveryStream and prints the result.
    static let parse = """
    import botocore.session, botocore.parsers, json, sys
    model = botocore.session.get_session().get_service_model("firehose")
    shape = model.operation_model("DescribeDeliveryStream").output_shape
    body = sys.stdin.buffer.read()
    parsed = botocore.parsers.create_parser("json").parse(
        {"status_code": 200, "headers": {}, "body": body}, shape)
    parsed.pop("ResponseMetadata", None)
    print(json.dumps(parsed, default=str))
    """

    private func describe(_ yaml: String) async throws -> [String: Any] {
        let configuration = try ConfigurationLoader(environment: [:]).parse(yaml, file: "hydrant.yaml")
        let stream = try #require(configuration.streams.first)
        let body = StreamDescriptionWriter.body(
            DeliveryStreamDescription(configuration: stream, createdAt: Timestamp(seconds: 1_700_000_000, nanoseconds: 0)),
            region: "us-east-1")
        let output = try await runProcess(["python3", "-c", Self.parse], stdin: String(decoding: body, as: UTF8.self))
        #expect(output.status == 0, "\(output.stderr)")
        let parsed = try lastJSONObject(output)
        let description = try #require(parsed["DeliveryStreamDescription"] as? [String: Any])
        let destinations = try #require(description["Destinations"] as? [[String: Any]])
        #expect(destinations.count == 1)
        return try #require(destinations.first)
    }

    @Test func httpEndpointStreamsAreDescribedAsHTTPEndpoints() async throws {
        let destination = try await describe("""
            streams:
              - name: hook
                buffering: {size_mb: 4, interval_s: 60}
                destination:
                  http_endpoint:
                    url: https://receiver.example/firehose
                    name: vector
                    common_attributes: {env: prod}
                    content_encoding: gzip
                    retry_duration_s: 120
                    backup_mode: AllData
                    backup: {file: {root: ./backup}}
            """)
        #expect(destination["ExtendedS3DestinationDescription"] == nil)
        let endpoint = try #require(destination["HttpEndpointDestinationDescription"] as? [String: Any])
        let configuration = try #require(endpoint["EndpointConfiguration"] as? [String: Any])
        #expect(configuration["Url"] as? String == "https://receiver.example/firehose")
        #expect(configuration["Name"] as? String == "vector")
        #expect(configuration["AccessKey"] == nil, "the access key is never described")
        let hints = try #require(endpoint["BufferingHints"] as? [String: Any])
        #expect(hints["SizeInMBs"] as? Int == 4 && hints["IntervalInSeconds"] as? Int == 60)
        let request = try #require(endpoint["RequestConfiguration"] as? [String: Any])
        #expect(request["ContentEncoding"] as? String == "GZIP")
        let attributes = try #require(request["CommonAttributes"] as? [[String: Any]])
        #expect(attributes.count == 1 && attributes.first?["AttributeName"] as? String == "env"
                    && attributes.first?["AttributeValue"] as? String == "prod")
        #expect((endpoint["RetryOptions"] as? [String: Any])?["DurationInSeconds"] as? Int == 120)
        #expect(endpoint["S3BackupMode"] as? String == "AllData")
        let backup = try #require(endpoint["S3DestinationDescription"] as? [String: Any])
        #expect(backup["BucketARN"] as? String == "arn:aws:s3:::hydrant-file-destination")
        #expect(backup["CompressionFormat"] as? String == "UNCOMPRESSED")
    }

    @Test func fileStreamsAreDescribedAsExtendedS3() async throws {
        let destination = try await describe("""
            streams:
              - name: network
                destination: {file: {root: ./lake}}
            """)
        #expect(destination["HttpEndpointDestinationDescription"] == nil)
        let extended = try #require(destination["ExtendedS3DestinationDescription"] as? [String: Any])
        #expect(extended["BucketARN"] as? String == "arn:aws:s3:::hydrant-file-destination")
        #expect(extended["S3BackupMode"] as? String == "Disabled")
        #expect(destination["S3DestinationDescription"] is [String: Any])
    }
}

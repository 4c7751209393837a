import Foundation
import HydrantArchive
import HydrantTestSupport
import Testing
@testable import HydrantStream

private func flow(_ index: Int, source: String, destination: String, port: Int = 443,
                  time: String = "2024-05-01T13:45:00Z") -> String {
    #"{"@timestamp":"\#(time)","event":{"dataset":"network.flow"},"source":{"ip":"\#(source)","port":\#(40000 + index)},"destination":{"ip":"\#(destination)","port":\#(port)},"network":{"transport":"tcp"},"n":\#(index)}"#
}

@Suite(.serialized) struct StreamProcessingTests {
    @Test func enrichmentFieldsAreArchived() async throws {
        let directory = try ScratchDirectory("enrich")
        defer { directory.remove() }
        let intel = directory.path + "/ips.txt"
        try Data("# test feed\n203.0.113.9\n".utf8).write(to: URL(fileURLWithPath: intel))
        let assets = directory.path + "/assets.csv"
        try Data("cidr,name,zone,owner,criticality\n10.20.0.0/16,payroll,dc,finance,high\n".utf8)
            .write(to: URL(fileURLWithPath: assets))
        var processors = ["- assets: {path: \(assets)}", "- direction: {home_networks: [10.0.0.0/8]}",
                          "- intel: [{feed: abuse-ips, path: \(intel)}]"]
        let city = conformanceDatabase("GeoLite2-City-Test.mmdb")
        let asn = conformanceDatabase("GeoLite2-ASN-Test.mmdb")
        if let city, let asn { processors.insert("- geoip: {city: \(city), asn: \(asn)}", at: 0) }
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        processors:
        \(processors.map { "  " + $0 }.joined(separator: "\n"))
        """)
        let stream = try openStream(configuration)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([
                flow(1, source: "10.20.5.7", destination: "81.2.69.142"),
                flow(2, source: "10.20.5.8", destination: "203.0.113.9"),
                flow(3, source: "1.128.0.1", destination: "10.1.1.1"),
            ]))
            await stream.flushAll()
        }
        let records = try archivedObjects(in: directory, under: "network.flow").sorted {
            (value($0, "n") as? Int ?? 0) < (value($1, "n") as? Int ?? 0)
        }
        #expect(records.count == 3)
        #expect(value(records[0], "source.asset.name") as? String == "payroll")
        #expect(value(records[0], "network.direction") as? String == "outbound")
        #expect(value(records[1], "threat.feed.name") as? String == "abuse-ips")
        #expect(value(records[1], "threat.indicator.value") as? String == "203.0.113.9")
        #expect(value(records[2], "network.direction") as? String == "inbound")
        if city != nil {
            #expect(value(records[0], "destination.geo.country_iso_code") as? String == "GB")
            #expect(value(records[0], "destination.geo.city_name") as? String == "London")
            #expect(value(records[2], "source.as.number") as? Int == 1221)
        }
        #expect(stream.status().deliveredRecords == 3)
        // Every piece was delivered and released: the log holds nothing.
        #expect(directory.files(under: "storage/s/wal").isEmpty)
    }

    @Test func httpTransformOutcomes() async throws {
        let directory = try ScratchDirectory("transform")
        defer { directory.remove() }
        let receiver = try TestReceiver(in: directory)
        defer { receiver.stop() }
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        processors:
          - http_transform: {url: "\(receiver.url("/transform"))", retries: 1, timeout_s: 5}
        """)
        let stream = try openStream(configuration)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([record(1), #"{"event":{"dataset":"network.flow"},"drop":1}"#,
                                            #"{"event":{"dataset":"network.flow"},"fail":1}"#, record(4)]))
            await stream.flushAll()
        }
        let delivered = try archivedObjects(in: directory, under: "network.flow")
        #expect(delivered.count == 2)
        #expect(delivered.allSatisfy { $0["transformed"] as? Bool == true })
        let failed = try archivedObjects(in: directory, under: "errors/processing-failed")
        #expect(failed.count == 1)
        #expect(failed.first?["errorCode"] as? String == HTTPTransformStep.processingFailedCode)
        let raw = (failed.first?["rawData"] as? String).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        #expect(raw == #"{"event":{"dataset":"network.flow"},"fail":1}"#)
        let requests = receiver.requests()
        #expect(requests.count == 1)
        let body = (requests.first?["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect((body?["records"] as? [Any])?.count == 4)
        #expect(body?["invocationId"] is String)
        #expect(stream.status().deliveredRecords == 3)
        // The dropped record was released at once, the others when delivered: the log is empty.
        #expect(directory.files(under: "storage/s/wal").isEmpty)
    }

    @Test func transformPartitionKeysFeedThePrefix() async throws {
        let refused = errors(stream("prefix: \"!{partitionKeyFromLambda:team}/\"\nerror_output_prefix: \"e/!{firehose:error-output-type}/\""))
        #expect(refused.first?.kind == .invalidPrefix)
        #expect(refused.first?.message.contains("needs an http_transform") == true)
        let directory = try ScratchDirectory("transform-keys")
        defer { directory.remove() }
        let receiver = try TestReceiver(in: directory)
        defer { receiver.stop() }
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        prefix: "team=!{partitionKeyFromLambda:team}/!{timestamp:yyyy}/"
        processors:
          - http_transform: {url: "\(receiver.url("/transform"))"}
        """)
        let stream = try openStream(configuration)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([record(1), record(2)]))
            await stream.flushAll()
        }
        #expect(try archivedObjects(in: directory, under: "team=blue").count == 2)
    }

    @Test(arguments: [("/malformed", "Lambda.JsonProcessingException", 2), ("/error", "500", 2), ("/slow", HTTPTransformStep.timeoutCode, 1)])
    func failedInvocationsGoToProcessingFailed(_ path: String, _ code: String, _ attempts: Int) async throws {
        let directory = try ScratchDirectory("transform-fail")
        defer { directory.remove() }
        let receiver = try TestReceiver(in: directory)
        defer { receiver.stop() }
        let retries = attempts - 1
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        processors:
          - http_transform: {url: "\(receiver.url(path))", retries: \(retries), timeout_s: 1}
        """)
        let stream = try openStream(configuration)
        try await withRunningStream(stream) {
            _ = try await stream.put(batch([record(1), record(2)]))
            await stream.flushAll()
        }
        #expect(try archivedObjects(in: directory, under: "network.flow").isEmpty)
        let failed = try archivedObjects(in: directory, under: "errors/processing-failed")
        #expect(failed.count == 2)
        #expect(failed.allSatisfy { $0["errorCode"] as? String == code })
        #expect(failed.allSatisfy { $0["attemptsMade"] as? Int == attempts })
        #expect(receiver.requests().count == attempts)
    }

    @Test func detectRaisesArchivedAlertsWithStableIDs() async throws {
        var ids: [[String]] = []
        for _ in 0..<2 {
            let directory = try ScratchDirectory("detect")
            defer { directory.remove() }
            let rules = directory.path + "/rules.yml"
            try Data("""
            title: Connection to IRC port
            id: 5f1d3c2a-0000-4000-8000-000000000001
            level: high
            tags: [attack.command-and-control]
            logsource: {category: network}
            detection:
              selection: {destination.port: 6667}
              condition: selection
            """.utf8).write(to: URL(fileURLWithPath: rules))
            let configuration = try streamConfiguration(in: directory, """
            buffering: {interval_s: 0}
            processors:
              - direction
              - detect: {rules: \(rules)}
            """)
            let stream = try openStream(configuration)
            try await withRunningStream(stream) {
                _ = try await stream.put(batch([flow(1, source: "10.0.0.1", destination: "198.51.100.1", port: 6667),
                                                flow(2, source: "10.0.0.1", destination: "198.51.100.1", port: 443),
                                                flow(3, source: "10.0.0.2", destination: "198.51.100.2", port: 6667)]))
                await stream.flushAll()
            }
            let alerts = try archivedObjects(in: directory, under: "alert")
            #expect(alerts.count == 2)
            #expect(alerts.allSatisfy { value($0, "rule.id") as? String == "5f1d3c2a-0000-4000-8000-000000000001" })
            #expect(directory.files(under: "lake/alert").allSatisfy { $0.hasPrefix("dt=2024-05-01/") })
            #expect(try archivedObjects(in: directory, under: "network.flow").count == 3)
            #expect(stream.status().deliveredRecords == 5)
            #expect(directory.files(under: "storage/s/wal").isEmpty)
            ids.append(alerts.compactMap { value($0, "alert.id") as? String }.sorted())
        }
        #expect(ids[0].count == 2)
        #expect(ids[0] == ids[1])
    }

    @Test func correlationAlertsAtWatermarkAndAtShutdown() async throws {
        let directory = try ScratchDirectory("correlate")
        defer { directory.remove() }
        let rules = directory.path + "/rules.yml"
        try Data("""
        title: SSH connection
        name: ssh_connection
        logsource: {category: network}
        detection:
          selection: {destination.port: 22}
          condition: selection
        ---
        title: SSH burst
        id: 5f1d3c2a-0000-4000-8000-000000000003
        level: high
        correlation: {type: event_count, rules: [ssh_connection], group-by: [source.ip], timespan: 60s, condition: {gte: 3}}
        """.utf8).write(to: URL(fileURLWithPath: rules))
        let configuration = try streamConfiguration(in: directory, """
        buffering: {interval_s: 0}
        processors: [{detect: {rules: \(rules), allowed_lateness_s: 30}}]
        """)
        let stream = try openStream(configuration)
        let runner = Task { await stream.run() }
        func ssh(_ index: Int, _ source: String, _ second: Int) -> String {
            flow(index, source: source, destination: "10.9.9.9", port: 22, time: "2024-05-01T13:45:\(second < 10 ? "0" : "")\(second)Z")
        }
        _ = try await stream.put(batch([ssh(1, "10.0.0.1", 0), ssh(2, "10.0.0.1", 1), ssh(3, "10.0.0.1", 2)]))
        await stream.flushAll()
        // The matches wait for the watermark (highest event time minus 30 s).
        #expect(try archivedObjects(in: directory, under: "alert").isEmpty)
        _ = try await stream.put(batch([ssh(4, "10.0.0.2", 50), ssh(5, "10.0.0.2", 51), ssh(6, "10.0.0.2", 52)]))
        await stream.flushAll()
        let first = try archivedObjects(in: directory, under: "alert")
        #expect(first.count == 1)
        #expect(first.first.flatMap { value($0, "alert.group") as? String }?.contains("10.0.0.1") == true)
        // The second burst is decided when the stream stops (the engine is finished).
        stream.stop()
        await runner.value
        let all = try archivedObjects(in: directory, under: "alert")
        #expect(all.count == 2)
        #expect(all.allSatisfy { value($0, "rule.id") as? String == "5f1d3c2a-0000-4000-8000-000000000003" })
        #expect(directory.files(under: "storage/s/wal").isEmpty)
    }

    @Test func webhooksFromTheConfigurationReceiveSignedAlerts() async throws {
        let directory = try ScratchDirectory("webhook")
        defer { directory.remove() }
        let receiver = try TestReceiver(in: directory)
        defer { receiver.stop() }
        let rules = directory.path + "/rules.yml"
        try Data("""
        title: Telnet
        id: 5f1d3c2a-0000-4000-8000-000000000002
        level: medium
        logsource: {category: network}
        detection:
          selection: {destination.port: 23}
          condition: selection
        """.utf8).write(to: URL(fileURLWithPath: rules))
        let yaml = """
        storage: {dir: \(directory.path)/storage}
        streams:
          - name: s
            buffering: {interval_s: 0}
            processors: [{detect: {rules: \(rules)}}]
            destination: {file: {root: \(directory.path)/lake}}
        alerts:
          drain_timeout_s: 10
          webhooks:
            - {name: soc, url: "\(receiver.url("/hook"))", secret_env: TEST_HOOK_SECRET, throttle_seconds: 0}
        """
        let environment = ["TEST_HOOK_SECRET": "hunter2"]
        let configuration = try load(yaml, environment: environment)
        let streams = try DeliveryStreams(configuration: configuration,
                                          secrets: try configuration.resolveSecrets(environment: environment))
        let running = Task { try await streams.run() }
        _ = try await streams.put(batch([flow(1, source: "10.0.0.1", destination: "10.0.0.9", port: 23)]), toStream: "s")
        await streams.flushAll()
        streams.stop()
        try await running.value
        let hooks = receiver.requests().filter { $0["path"] as? String == "/hook" }
        #expect(hooks.count == 1)
        let headers = hooks.first?["headers"] as? [String: String] ?? [:]
        let signature = try #require(headers["Hydrant-Signature"])
        let body = try #require(hooks.first?["body"] as? String)
        let parts = Dictionary(uniqueKeysWithValues: signature.split(separator: ",").compactMap { part -> (String, String)? in
            let pair = part.split(separator: "=", maxSplits: 1)
            return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
        })
        let timestamp = try #require(parts["t"])
        let expected = try hmacSHA256(key: "hunter2", message: timestamp + "." + body)
        #expect(parts["v1"] == expected)
        let alerts = try archivedObjects(in: directory, under: "alert")
        #expect(alerts.count == 1)
        #expect(headers["Idempotency-Key"] == value(alerts[0], "alert.id") as? String)
        #expect(body.contains("5f1d3c2a-0000-4000-8000-000000000002"))
    }
}

extension StreamProcessingTests {
    @Test func refusedAlertsLandInTheErrorOutput() async throws {
        let directory = try ScratchDirectory("deadletter")
        defer { directory.remove() }
        let receiver = try TestReceiver(in: directory)
        defer { receiver.stop() }
        let rules = directory.path + "/rules.yml"
        try Data("""
        title: Telnet
        id: 5f1d3c2a-0000-4000-8000-000000000004
        level: high
        logsource: {category: network}
        detection:
          selection: {destination.port: 23}
          condition: selection
        """.utf8).write(to: URL(fileURLWithPath: rules))
        let configuration = try load("""
        storage: {dir: \(directory.path)/storage}
        streams:
          - name: s
            buffering: {interval_s: 0}
            processors: [{detect: {rules: \(rules)}}]
            destination: {file: {root: \(directory.path)/lake}}
        alerts:
          drain_timeout_s: 10
          webhooks:
            - {name: pager, url: "\(receiver.url("/forbidden"))", throttle_seconds: 0}
        """)
        let streams = try DeliveryStreams(configuration: configuration, secrets: try configuration.resolveSecrets(environment: [:]))
        let running = Task { try await streams.run() }
        _ = try await streams.put(batch([flow(1, source: "10.0.0.1", destination: "10.0.0.9", port: 23)]), toStream: "s")
        await streams.flushAll()
        streams.stop()
        try await running.value
        let dead = try archivedObjects(in: directory, under: "errors/alert-delivery-failed")
        #expect(dead.count == 1)
        #expect(dead.first?["webhook"] as? String == "pager")
        #expect(dead.first?["alertId"] as? String == (try archivedObjects(in: directory, under: "alert").first.flatMap { value($0, "alert.id") as? String }))
        #expect(value(dead.first ?? [:], "lastResponse.status") as? Int == 403)
        #expect(receiver.requests().filter { $0["path"] as? String == "/forbidden" }.count == 1)
    }
}

/// HMAC-SHA256 in hex, computed by Python's standard library (an independent implementation).
private func hmacSHA256(key: String, message: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import hmac,hashlib,sys;print(hmac.new(sys.argv[1].encode(),sys.stdin.buffer.read(),hashlib.sha256).hexdigest())", key]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(message.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

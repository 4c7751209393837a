import Foundation
import HydrantTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `hydrant agent --rules` on the loopback interface: alerts from live traffic, and SIGHUP reloading the rules.
@Suite struct AgentDetectionTests {
    private static func rule(title: String, port: Int) -> String {
        """
        title: \(title)
        status: test
        level: low
        logsource:
            category: network
            service: connection
        detection:
            selection:
                destination.port: \(port)
                network.transport: udp
            condition: selection
        """
    }

    private static func sendUDP(to port: Int, count: Int = 3) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let payload = Array("hydrant agent detection test".utf8)
        for _ in 0..<count {
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    private static func alertTitles(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (object?["rule"] as? [String: Any])?["name"] as? String
        }
    }

    private static func waitFor(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(100_000)
        }
        return condition()
    }

    @Test func sighupReloadsChangedRulesAndKeepsUnchangedOnes() throws {
        guard geteuid() == 0 else {
            Issue.record(Comment(rawValue: "live capture needs root or CAP_NET_RAW; skipped (not root)"), severity: .warning)
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hydrant-agent-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two UDP ports nobody listens on (the probes are answered by ICMP port unreachable, which is fine).
        let first = FreePort.pick(), second = FreePort.pick()
        let ruleFile = dir.appendingPathComponent("rules.yml")
        try Self.rule(title: "First port", port: first).write(to: ruleFile, atomically: true, encoding: .utf8)
        let alerts = dir.appendingPathComponent("alerts.jsonl").path
        let agent = try ServiceProcess(
            executable: HydrantProcess.binary,
            arguments: ["agent", "--interface", "lo", "--filter", "udp and (port \(first) or port \(second))",
                        "--udp-timeout", "1", "-o", "/dev/null", "--rules", ruleFile.path, "--alerts", alerts],
            logPath: dir.appendingPathComponent("agent.log").path)
        defer { agent.stop(signal: SIGKILL) }
        try agent.waitUntilReady(timeout: 30, what: "hydrant agent") { agent.logTail().contains("detection rules") }

        Self.sendUDP(to: first)
        #expect(Self.waitFor(20) { Self.alertTitles(alerts) == ["First port"] }, "\(agent.logTail())")

        // Unchanged files: nothing is replaced.
        kill(agent.pid, SIGHUP)
        #expect(Self.waitFor(10) { agent.logTail().contains("rule files unchanged") }, "\(agent.logTail())")

        // A changed file replaces the rules: the first port no longer alerts, the second does.
        try Self.rule(title: "Second port", port: second).write(to: ruleFile, atomically: true, encoding: .utf8)
        kill(agent.pid, SIGHUP)
        #expect(Self.waitFor(10) { agent.logTail().contains("rules reloaded") }, "\(agent.logTail())")
        Self.sendUDP(to: first)
        Self.sendUDP(to: second)
        #expect(Self.waitFor(20) { Self.alertTitles(alerts).contains("Second port") }, "\(agent.logTail())")

        let status = agent.stop(signal: SIGTERM)
        #expect(status == 0, "\(agent.logTail())")
        #expect(Self.alertTitles(alerts) == ["First port", "Second port"], "\(agent.logTail())")
        #expect(agent.logTail().contains("rule reloads (SIGHUP, files changed): 1"), "\(agent.logTail())")
    }
}

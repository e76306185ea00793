import AsyncHTTPClient
import Foundation
import Logging
import MonitorAlerting
import MonitorCore
import MonitorStore
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A free TCP port on 127.0.0.1 (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard rc == 0 else { throw SetupMissing(description: "cannot bind a loopback port") }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A real Alertmanager (Debian's `prometheus-alertmanager`) on loopback, clustering off, routing
/// everything to a webhook.
final class AlertmanagerProcess: @unchecked Sendable {
    static let binary = "/usr/bin/prometheus-alertmanager"
    let process = Process()
    let port: Int

    init(dir: TempDir, webhook: String) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw SetupMissing(description: "\(Self.binary) is missing: run scripts/setup (Debian package prometheus-alertmanager)")
        }
        let config = dir.file("alertmanager.yml")
        try """
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: \(webhook)
                    send_resolved: true
            """.write(toFile: config, atomically: true, encoding: .utf8)
        port = try freeLoopbackPort()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config.file=\(config)", "--storage.path=\(dir.file("am-data"))",
                             "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Waits for `/-/ready`.
    func waitReady(client: HTTPClient) async -> Bool {
        for _ in 0..<600 {
            if let r = try? await client.execute(HTTPClientRequest(url: url + "/-/ready"), timeout: .seconds(1)), r.status.code == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

@Suite("alertmanager_api against a real Alertmanager", .serialized)
struct AlertmanagerAPITests {
    @Test("alerts pushed to Alertmanager are routed to its webhook, and resolved")
    func endToEnd() async throws {
        let rig = try DispatchRig([sampleNotification(id: "msg_fire")])
        let hook = try ReceiverProcess(dir: rig.dir, name: "am-hook")
        let am = try AlertmanagerProcess(dir: rig.dir, webhook: hook.url)
        #expect(await am.waitReady(client: rig.client), "Alertmanager did not become ready")
        let sender = try rig.webhook(am.url, format: .alertmanagerAPI)
        let d = rig.dispatcher(["team/webhook[0]": sender], schedule: RetrySchedule(base: .milliseconds(100)))
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        #expect(try rig.store.outboxEntries(state: .delivered).count == 1)

        // Alertmanager's own webhook (version 4) reaches the loopback receiver with our labels.
        #expect(await waitUntil(seconds: 120) { hook.requests.contains { $0.body.contains("\"status\":\"firing\"") } })
        let firing = try #require(hook.requests.first)
        let msg = try #require(try JSONSerialization.jsonObject(with: Data(firing.body.utf8)) as? [String: Any])
        #expect(msg["version"] as? String == "4")
        let alert = try #require((msg["alerts"] as? [[String: Any]])?.first)
        #expect((alert["labels"] as? [String: String])?["alertname"] == "FeatureDrift")
        #expect((alert["labels"] as? [String: String])?["feature"] == "amount")
        #expect((alert["annotations"] as? [String: String])?["summary"] == "amount drifted")

        // The resolution, pushed the same way, resolves it in Alertmanager.
        var write = CheckpointWrite()
        write.notifications = [sampleNotification(id: "msg_resolve", status: "resolved")]
        try rig.store.commit(write)
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        #expect(await waitUntil(seconds: 120) {
            hook.requests.contains { r in
                guard let o = try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else { return false }
                return o["status"] as? String == "resolved"
            }
        })
        await rig.shutdown()
    }
}

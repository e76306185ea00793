import Foundation
import MonitorCore
import MonitorStore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP port that accepts connections (the kernel completes them into the backlog)
/// and never answers: a webhook receiver that hangs.
final class HangingReceiver {
    let fd: Int32
    let port: Int

    init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, len)
                _ = getsockname(fd, $0, &len)
            }
        }
        listen(fd, 128)
        port = Int(UInt16(bigEndian: addr.sin_port))
    }

    deinit { close(fd) }
}

@Suite("Graceful shutdown", .serialized)
struct ShutdownTests {
    /// Alerts go to a file receiver and, through `continue: true`, to a webhook that never
    /// answers, so a delivery is always in flight at shutdown.
    static func writeConfig(_ dir: TempDir, hangingPort: Int, source: String, deadline: String) throws -> String {
        _ = try dir.write("alerts.yaml", """
            route:
              receiver: file
              group_by: ['...']
              group_wait: 0s
              group_interval: 1m
              repeat_interval: 1d
              routes:
                - matchers: ['alertname=~".+"']
                  receiver: hanging
                  continue: true
                - matchers: ['alertname=~".+"']
                  receiver: file
            receivers:
              - name: file
                file_configs:
                  - path: notifications.jsonl
              - name: hanging
                webhook_configs:
                  - url: http://127.0.0.1:\(hangingPort)/hook
                    format: generic
                    timeout: 60s
                    allowlist: [127.0.0.0/8]
            """)
        let root = MonitorProcess.packageRoot.path
        return try dir.write("monitor.yaml", """
            sources:
              - name: predictions
                path: \(source)
                poll_interval: 20ms
            reference: {file: data/reference.jsonl}
            windows:
              - {name: 1h, size: 1h}
            allowed_lateness: 1m
            store: {path: monitor.db, checkpoint_interval: 200ms}
            rules: [\(root)/rules/*.yaml]
            alerts: [alerts.yaml]
            http: {listen: ""}
            shutdown: {delivery_deadline: \(deadline)}
            """)
    }

    static func simulate(_ dir: TempDir, rows: Int) throws -> [UInt8] {
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "\(rows)", "--reference-rows", "6000", "--seed", "44",
            "--duration", "3d", "--drift-start", "2026-11-01T08:00:00Z",
            "--drift", "amount:shift=0.8,country:new-category=0.2",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        return try Array(Data(contentsOf: URL(fileURLWithPath: dir.path("data/predictions.jsonl"))))
    }

    /// One uninterrupted `--once` run over the whole file: the window results and transitions.
    static func reference(_ dir: TempDir, hangingPort: Int) throws -> (results: [String], transitions: [String]) {
        let refDir = try TempDir()
        try FileManager.default.createDirectory(atPath: refDir.path("data"), withIntermediateDirectories: true)
        for f in ["predictions.jsonl", "reference.jsonl"] {
            try FileManager.default.copyItem(atPath: dir.path("data/\(f)"), toPath: refDir.path("data/\(f)"))
        }
        let config = try writeConfig(refDir, hangingPort: hangingPort, source: "data/predictions.jsonl", deadline: "1s")
        let r = try MonitorProcess.run(["run", "--config", config, "--once", "--delivery-deadline", "1s"])
        #expect(r.code == 0, "\(r.stderr.suffix(2000))")
        let store = try SQLiteStore(path: refDir.path("monitor.db"))
        defer { store.close() }
        return (fingerprint(try store.windowResults(model: nil, from: nil, to: nil)), try transitionsFingerprint(store))
    }

    /// SIGTERM while a writer appends to the followed file and a webhook delivery hangs: the
    /// service stops intake, checkpoints, gives the outbox `shutdown.delivery_deadline` (3 s)
    /// and exits 0 well within deadline + checkpoint. A restart resumes from the checkpoint:
    /// after the rest of the data, window results and alert transitions equal one uninterrupted
    /// run's (nothing counted twice or lost), and the file receiver got every notification once.
    @Test("SIGTERM under load exits 0 within the deadline; the restart resumes without duplicates")
    func sigtermUnderLoad() throws {
        let dir = try TempDir()
        let data = try Self.simulate(dir, rows: 30000)
        let hanging = HangingReceiver()
        try FileManager.default.createDirectory(atPath: dir.path("live"), withIntermediateDirectories: true)
        let config = try Self.writeConfig(dir, hangingPort: hanging.port, source: "live/pred.jsonl", deadline: "3s")
        let live = dir.path("live/pred.jsonl")
        // The first 30% before the start, so alerts (and the hanging deliveries) exist early.
        var offset = data.count * 3 / 10
        while data[offset - 1] != UInt8(ascii: "\n") { offset += 1 }
        append(live, data[0..<offset])
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { if service.process.isRunning { service.kill9() } }
        #expect(waitUntil(seconds: 120) { service.log.contains("pipeline running") }, "\(service.log.suffix(2000))")
        let storePath = dir.path("monitor.db")
        let enqueued = waitUntil(seconds: 60) {
            guard let store = try? SQLiteStore(path: storePath) else { return false }
            defer { store.close() }
            return ((try? store.outboxEntries(state: nil)) ?? []).contains { $0.notification.receiver == "hanging" }
        }
        #expect(enqueued, "no notification for the hanging receiver: \(service.log.suffix(2000))")
        // Load: keep appending while the signal arrives.
        let chunk = data.count / 40
        for _ in 0..<6 where offset < data.count {
            var end = min(data.count, offset + chunk)
            while end < data.count, data[end - 1] != UInt8(ascii: "\n") { end += 1 }
            append(live, data[offset..<end])
            offset = end
            usleep(50_000)
        }
        let started = Date()
        kill(service.process.processIdentifier, SIGTERM)
        var more = offset
        while service.process.isRunning, more < data.count, Date().timeIntervalSince(started) < 30 {
            var end = min(data.count, more + chunk)
            while end < data.count, data[end - 1] != UInt8(ascii: "\n") { end += 1 }
            append(live, data[more..<end])
            more = end
            usleep(100_000)
        }
        service.process.waitUntilExit()
        let elapsed = Date().timeIntervalSince(started)
        #expect(service.process.terminationReason == .exit && service.process.terminationStatus == 0,
                "exit \(service.process.terminationStatus): \(service.log.suffix(2000))")
        // 3 s of delivery plus the final checkpoint; generous for a loaded two-core machine.
        #expect(elapsed < 3 + 7, "shutdown took \(elapsed) s")
        #expect(service.log.contains("termination signal: draining"))
        #expect(service.log.contains("draining: final checkpoint"))

        // Restart on the rest of the file, then close the last windows.
        append(live, data[more..<data.count])
        let again = try ServiceProcess(config: config, logPath: dir.path("service2.log"))
        defer { if again.process.isRunning { again.kill9() } }
        #expect(waitUntil(seconds: 120) { again.log.contains("pipeline running") })
        #expect(waitUntil(seconds: 120) {
            guard let store = try? SQLiteStore(path: storePath) else { return false }
            defer { store.close() }
            return ((try? store.loadCheckpoint().positions) ?? []).contains { $0.offset == Int64(data.count) }
        }, "the restart did not catch up: \(again.log.suffix(2000))")
        #expect(again.terminate() == 0)
        let final = try MonitorProcess.run(["run", "--config", config, "--once", "--delivery-deadline", "1s"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")

        let want = try Self.reference(dir, hangingPort: hanging.port)
        let store = try SQLiteStore(path: storePath)
        defer { store.close() }
        let results = fingerprint(try store.windowResults(model: nil, from: nil, to: nil))
        #expect(results.count == Set(results).count, "duplicate window results")
        #expect(results == want.results, "window results differ from an uninterrupted run")
        #expect(try transitionsFingerprint(store) == want.transitions, "alert transitions differ from an uninterrupted run")
        let fileRows = try store.outboxEntries(state: nil).filter { $0.notification.receiver == "file" }
        let (lines, _) = firingLabels(inNotificationFile: dir.path("notifications.jsonl"))
        #expect(!fileRows.isEmpty && fileRows.allSatisfy { $0.state == .delivered })
        #expect(lines.count == fileRows.count && Set(lines) == Set(fileRows.map(\.notification.payload)),
                "\(lines.count) notification lines for \(fileRows.count) outbox rows")
    }

    /// A second SIGTERM during the drain (a delivery hangs, the deadline is 60 s) ends the
    /// process at once with 128 + 15; the last checkpoint keeps the store consistent, so a
    /// `--once` run afterwards produces what one uninterrupted run does.
    @Test("a second SIGTERM exits at once; the store stays consistent")
    func secondSignal() throws {
        let dir = try TempDir()
        let data = try Self.simulate(dir, rows: 12000)
        let hanging = HangingReceiver()
        let config = try Self.writeConfig(dir, hangingPort: hanging.port, source: "data/predictions.jsonl", deadline: "60s")
        let service = try ServiceProcess(config: config, logPath: dir.path("service.log"))
        defer { if service.process.isRunning { service.kill9() } }
        #expect(waitUntil(seconds: 120) { service.log.contains("pipeline running") })
        let storePath = dir.path("monitor.db")
        #expect(waitUntil(seconds: 120) {
            guard let store = try? SQLiteStore(path: storePath) else { return false }
            defer { store.close() }
            return ((try? store.loadCheckpoint().positions) ?? []).contains { $0.offset == Int64(data.count) }
                && ((try? store.outboxEntries(state: nil)) ?? []).contains { $0.notification.receiver == "hanging" }
        }, "\(service.log.suffix(2000))")
        kill(service.process.processIdentifier, SIGTERM)
        #expect(waitUntil(seconds: 20) { service.log.contains("draining: final checkpoint") })
        usleep(500_000)
        #expect(service.process.isRunning, "the drain should still wait for the hanging receiver")
        let second = Date()
        kill(service.process.processIdentifier, SIGTERM)
        service.process.waitUntilExit()
        #expect(Date().timeIntervalSince(second) < 3, "the second signal took \(Date().timeIntervalSince(second)) s")
        #expect(service.process.terminationStatus == 128 + SIGTERM, "\(service.process.terminationReason) \(service.process.terminationStatus)")
        #expect(service.log.contains("second termination signal"))

        let final = try MonitorProcess.run(["run", "--config", config, "--once", "--delivery-deadline", "1s"])
        #expect(final.code == 0, "\(final.stderr.suffix(2000))")
        let want = try Self.reference(dir, hangingPort: hanging.port)
        let store = try SQLiteStore(path: storePath)
        defer { store.close() }
        #expect(fingerprint(try store.windowResults(model: nil, from: nil, to: nil)) == want.results)
        #expect(try transitionsFingerprint(store) == want.transitions)
    }
}

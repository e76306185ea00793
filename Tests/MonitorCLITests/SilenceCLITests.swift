import Foundation
import MonitorCore
import MonitorStore
import Testing

@Suite("monitor silence", .serialized)
struct SilenceCLITests {
    @Test("add, list, expire; a silenced run records its notifications and sends none")
    func lifecycle() throws {
        let dir = try TempDir()
        let sim = try MonitorProcess.run([
            "simulate", "--out", dir.path("data"), "--rows", "6000", "--reference-rows", "4000", "--seed", "8",
            "--duration", "1d", "--drift-start", "2026-11-01T06:00:00Z", "--drift", "amount:shift=1.0,country:new-category=0.3",
        ])
        #expect(sim.code == 0, "\(sim.stderr)")
        let config = try writeRunConfig(dir, source: "data/predictions.jsonl", reference: "file: data/reference.jsonl")

        // Usage errors exit 2 and store nothing.
        #expect(try MonitorProcess.run(["silence", "add", "--config", config, "--duration", "1h"]).code == 2)
        #expect(try MonitorProcess.run(["silence", "add", "--config", config, "team!=ml", "--duration", "1h"]).code == 2)  // matches everything
        #expect(try MonitorProcess.run(["silence", "add", "--config", config, "a=~(", "--duration", "1h"]).code == 2)
        #expect(try MonitorProcess.run(["silence", "add", "--config", config, "model=fraud", "--duration", "soon"]).code == 2)

        let add = try MonitorProcess.run(["silence", "add", "--config", config, #"model="fraud""#, "alertname=~.+", "--duration", "2h",
                                          "--author", "ann", "--comment", "retraining"])
        #expect(add.code == 0, "\(add.stderr)")
        let id = add.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("sil_") && id.count == 20, "\(id)")
        let list = try MonitorProcess.run(["silence", "list", "--store", dir.path("monitor.db"), "--format", "json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["id"] as? String == id)
        #expect(listed.first?["state"] as? String == "active")
        #expect(listed.first?["matchers"] as? [String] == [#"model="fraud""#, #"alertname=~".+""#])
        #expect(listed.first?["createdBy"] as? String == "ann")

        // Every alert of the run is silenced: recorded, not sent.
        let run = try MonitorProcess.run(["run", "--config", config, "--once"])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("alerts fired: none"), "\(run.stdout)")
        #expect(run.stdout.contains("notifications: 0  muted: "), "\(run.stdout)")
        let notes = (try? String(contentsOfFile: dir.path("notifications.jsonl"), encoding: .utf8)) ?? ""
        #expect(notes.isEmpty)
        do {
            let store = try SQLiteStore(path: dir.path("monitor.db"))
            defer { store.close() }
            let log = try store.notificationLog(since: nil)
            #expect(!log.isEmpty && log.allSatisfy { $0.reason == "silenced by \(id)" && $0.notificationID == nil })
            #expect(try store.outboxEntries(state: nil).isEmpty)
        }

        // Expire it: listed no more (but with --all); an unknown id fails.
        let expire = try MonitorProcess.run(["silence", "expire", "--config", config, id])
        #expect(expire.code == 0, "\(expire.stderr)")
        #expect(try MonitorProcess.run(["silence", "list", "--config", config]).stdout == "no silences\n")
        let all = try MonitorProcess.run(["silence", "list", "--config", config, "--all"])
        #expect(all.stdout.contains(id) && all.stdout.contains("expired"))
        #expect(try MonitorProcess.run(["silence", "expire", "--config", config, "sil_0000000000000000"]).code == 1)
    }
}

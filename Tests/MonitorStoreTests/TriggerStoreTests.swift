import Foundation
import MonitorCore
import Testing

@testable import MonitorStore

func makeTrigger(_ feature: String, at: Int64, status: TriggerStatus = .emitted, reason: String? = nil) -> TriggerRecord {
    let alert = makeAlert(feature, at: at)
    let t = RetrainTrigger(firing: AlertTransition(alert: alert, from: .pending, to: .firing, at: ts(at), actions: ["retrain"]),
                           expression: "psi > 0.2", series: [], windowStart: ts(at - 3_600_000), reference: "fraud-train")
    let payload = String(decoding: try! JSONEncoder().encode(t), as: UTF8.self)
    return TriggerRecord(trigger: t, status: status, statusReason: reason, alertKey: TriggerRecord.alertKey(alert), createdAt: ts(42),
                         payload: payload)
}

@Suite("Retraining triggers in the store")
struct TriggerStoreTests {
    @Test("triggers commit with the checkpoint and their outbox rows; a replayed id is kept once; closures update closed_at")
    func commitReplayClose() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let a = makeTrigger("amount", at: 7_200_000)
        let b = makeTrigger("country", at: 10_800_000, status: .suppressed, reason: "cooldown: …")
        var write = CheckpointWrite()
        write.triggers = [a, b]
        write.notifications = [OutboxNotification(
            id: TriggerOutbox.rowID(trigger: a.trigger.id, sink: "mlflow"), receiver: TriggerOutbox.receiver, integration: "mlflow",
            groupKey: "fraud", status: "firing", payload: a.payload, createdAt: ts(7_200_000), enqueuedAt: ts(42))]
        try store.commit(write)

        // A replay after a crash regenerates the same trigger (same id), with another wall time.
        var replayed = a
        replayed.createdAt = ts(99)
        var replay = CheckpointWrite()
        replay.triggers = [replayed]
        replay.triggerClosures = [TriggerClosure(triggerID: a.trigger.id, at: ts(14_400_000))]
        try store.commit(replay)

        let stored = try store.triggers(model: nil)
        #expect(stored.map(\.trigger.id) == [a.trigger.id, b.trigger.id])
        #expect(stored[0].createdAt == ts(42), "the first row wins")
        #expect(stored[0].trigger == a.trigger, "the payload round-trips")
        #expect(stored[0].closedAt == ts(14_400_000))
        #expect(stored[1].status == .suppressed && stored[1].statusReason == "cooldown: …" && stored[1].closedAt == nil)
        #expect(try store.triggers(model: "other").isEmpty)
        #expect(try store.triggers(model: "fraud").count == 2)
        let outbox = try store.outboxEntries(state: nil)
        #expect(outbox.map(\.notification.id) == ["\(a.trigger.id)@mlflow"])
    }

    @Test("an unknown status in the table is reported, not guessed")
    func badStatus() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        // The CHECK constraint keeps unknown statuses out of the table in the first place.
        #expect(throws: (any Error).self) {
            try store.withDatabase { db in
                try db.connection.execute(
                    "INSERT INTO triggers (id, model, group_name, rule, alert_key, status, fired_at, created_at, payload) VALUES ('x','m','g','r','k','weird',0,0,'{}')")
            }
        }
    }
}

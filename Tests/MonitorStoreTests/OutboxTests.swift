import MonitorCore
import Testing

@testable import MonitorStore

func makeNotification(_ id: String, receiver: String = "on-call", integration: String = "webhook[0]", enqueuedAt: Int64 = 1000)
    -> OutboxNotification
{
    OutboxNotification(id: id, receiver: receiver, integration: integration, groupKey: "{}:{}", status: "firing",
                       payload: #"{"id":"\#(id)"}"#, createdAt: ts(5), enqueuedAt: ts(enqueuedAt))
}

@Suite("Outbox, delivery attempts, silences")
struct OutboxTests {
    @Test("notifications are committed with the checkpoint; a replayed id is not inserted twice")
    func commitWithCheckpoint() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.notifications = [makeNotification("msg_a"), makeNotification("msg_b", enqueuedAt: 2000)]
        write.notificationLog = [NotificationLogEntry(at: ts(5), receiver: "on-call", groupKey: "{}:{}", reason: "new firing alerts",
                                                      notificationID: "msg_a", firing: ["00aa"], resolved: [])]
        write.notificationState = [1, 2, 3]
        try store.commit(write)
        // A replay after a restart regenerates msg_b (and a new one).
        var replay = CheckpointWrite()
        replay.notifications = [makeNotification("msg_b", enqueuedAt: 9999), makeNotification("msg_c", enqueuedAt: 3000)]
        try store.commit(replay)

        let all = try store.outboxEntries(state: nil)
        #expect(all.map(\.notification.id) == ["msg_a", "msg_b", "msg_c"])
        #expect(all[1].notification.enqueuedAt == ts(2000))  // the first row wins
        #expect(all.allSatisfy { $0.state == .pending && $0.attempts == 0 })
        #expect(all.map(\.nextAttemptAt) == [ts(1000), ts(2000), ts(3000)])
        #expect(try store.loadCheckpoint().notificationState == [1, 2, 3])
        #expect(try store.notificationLog(since: nil).map(\.firing) == [["00aa"]])

        // Due rows by wall clock, in insertion order.
        #expect(try store.dueNotifications(at: ts(1999), limit: 10).map(\.notification.id) == ["msg_a"])
        #expect(try store.dueNotifications(at: ts(5000), limit: 2).map(\.notification.id) == ["msg_a", "msg_b"])
        #expect(try store.nextAttemptTime() == ts(1000))
        #expect(try store.pendingNotificationCount() == 3)
    }

    @Test("a failed checkpoint stores none of its notifications")
    func atomicity() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.notifications = [makeNotification("msg_x")]
        // Two alert instances with the same identity violate alert_state's UNIQUE constraint.
        let alert = makeAlert("x", at: 1)
        write.alerts = [alert, alert]
        #expect(throws: StoreError.self) { try store.commit(write) }
        #expect(try store.outboxEntries(state: nil).isEmpty)
    }

    @Test("attempts are audited; retry, delivered and dead update the row once")
    func attempts() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        var write = CheckpointWrite()
        write.notifications = [makeNotification("msg_a"), makeNotification("msg_b")]
        try store.commit(write)

        try store.record(DeliveryAttempt(notificationID: "msg_a", attempt: 1, startedAt: ts(1000), durationMilliseconds: 12,
                                         outcome: .retryable, statusCode: 503, error: "HTTP 503"),
                         update: .retry(next: ts(4000), error: "HTTP 503"))
        var a = try #require(try store.outboxEntries(state: .pending).first { $0.notification.id == "msg_a" })
        #expect(a.attempts == 1 && a.nextAttemptAt == ts(4000) && a.lastError == "HTTP 503")
        #expect(try store.dueNotifications(at: ts(3999), limit: 10).map(\.notification.id) == ["msg_b"])
        #expect(try store.nextAttemptTime() == ts(1000))

        try store.record(DeliveryAttempt(notificationID: "msg_a", attempt: 2, startedAt: ts(4000), durationMilliseconds: 8, outcome: .delivered,
                                         statusCode: 200), update: .delivered(at: ts(4008)))
        a = try #require(try store.outboxEntries(state: .delivered).first)
        #expect(a.attempts == 2 && a.finishedAt == ts(4008) && a.lastError == nil)
        // A late duplicate result does not move a delivered row.
        try store.record(DeliveryAttempt(notificationID: "msg_a", attempt: 3, startedAt: ts(4010), durationMilliseconds: 1, outcome: .permanent,
                                         statusCode: 400, error: "HTTP 400"), update: .dead(at: ts(4011), error: "HTTP 400"))
        #expect(try store.outboxEntries(state: .delivered).map(\.notification.id) == ["msg_a"])

        try store.record(DeliveryAttempt(notificationID: "msg_b", attempt: 1, startedAt: ts(1000), durationMilliseconds: 3, outcome: .permanent,
                                         statusCode: 404, error: "HTTP 404"), update: .dead(at: ts(1003), error: "HTTP 404"))
        let dead = try store.outboxEntries(state: .dead)
        #expect(dead.map(\.notification.id) == ["msg_b"] && dead[0].lastError == "HTTP 404")
        #expect(try store.pendingNotificationCount() == 0)
        #expect(try store.nextAttemptTime() == nil)
        #expect(try store.deliveryAttempts(notificationID: "msg_a").map(\.outcome) == [.retryable, .delivered, .permanent])
        #expect(try store.deliveryAttempts(notificationID: nil).count == 4)
    }

    @Test("silences: add, list active or all, expire")
    func silences() throws {
        let dir = try TemporaryDirectory()
        let store = try SQLiteStore(path: dir.database)
        let m = try AlertMatcher(parsing: #"alertname="Feature \"Drift\"""#)
        let s1 = Silence(id: "sil_1", matchers: [m, try AlertMatcher(parsing: "model=~fr.*")], startsAt: ts(100), endsAt: ts(200),
                         createdBy: "ann", comment: "deploy", createdAt: ts(50))
        let s2 = Silence(id: "sil_2", matchers: [m], startsAt: ts(300), endsAt: ts(400), createdBy: "bob", comment: "", createdAt: ts(60))
        try store.addSilence(s1)
        try store.addSilence(s2)
        #expect(throws: StoreError.self) { try store.addSilence(s1) }
        #expect(try store.silences(at: ts(150), includeExpired: false) == [s1, s2])
        #expect(try store.silences(at: ts(250), includeExpired: false) == [s2])
        #expect(try store.silences(at: ts(250), includeExpired: true) == [s1, s2])
        // Expiring an active silence ends it now; a future one ends at its start.
        #expect(try store.expireSilence(id: "sil_2", at: ts(250)))
        #expect(try store.silences(at: ts(250), includeExpired: true).last?.endsAt == ts(300))
        #expect(try store.expireSilence(id: "sil_nope", at: ts(250)) == false)
        #expect(try store.silences(at: ts(301), includeExpired: false).isEmpty)
    }
}

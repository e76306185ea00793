import AsyncHTTPClient
import Foundation
import Logging
import MonitorAlerting
import MonitorCore
import MonitorStore
import Synchronization
import Testing

/// A notification with a real generic payload, as the pipeline would write it.
func sampleNotification(id: String = "msg_0123456789abcdef0123456789abcdef", receiver: String = "team",
                        integration: String = "webhook[0]", status: String = "firing") -> OutboxNotification {
    let payload = NotificationPayload(
        id: id, receiver: receiver, status: status, groupKey: #"{}:{model="fraud"}"#, groupLabels: ["model": "fraud"],
        commonLabels: ["alertname": "FeatureDrift", "model": "fraud", "severity": "page"], commonAnnotations: [:],
        title: "[FIRING:1] fraud", summary: "- amount drifted", at: "2026-11-04T14:00:00.000Z",
        alerts: [.init(status: status, labels: ["alertname": "FeatureDrift", "model": "fraud", "severity": "page", "feature": "amount"],
                       annotations: ["summary": "amount drifted"], startsAt: "2026-11-04T14:00:00.000Z",
                       endsAt: status == "resolved" ? "2026-11-04T16:00:00.000Z" : nil, value: 0.26, fingerprint: "0011223344556677",
                       rule: "FeatureDrift", ruleGroup: "drift")])
    let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
    return OutboxNotification(id: id, receiver: receiver, integration: integration, groupKey: payload.groupKey, status: status,
                              payload: payload.json(), createdAt: Timestamp(milliseconds: 0), enqueuedAt: now)
}

func wallNow() -> Timestamp { Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000)) }

let loopbackOnly = DestinationPolicy(allowlist: [IPNetwork(parsing: "127.0.0.0/8")!, IPNetwork(parsing: "::1/128")!])

/// A store with the given notifications committed, a client, and a dispatcher over them.
struct DispatchRig {
    let dir: TempDir
    let store: SQLiteStore
    let client: HTTPClient

    init(_ notifications: [OutboxNotification]) throws {
        dir = try TempDir()
        store = try SQLiteStore(path: dir.file("monitor.db"))
        var write = CheckpointWrite()
        write.notifications = notifications
        try store.commit(write)
        client = WebhookSender.makeClient()
    }

    func dispatcher(_ senders: [String: any NotificationSender], schedule: RetrySchedule) -> OutboxDispatcher<ContinuousClock> {
        OutboxDispatcher(store: store, senders: senders, schedule: schedule, clock: ContinuousClock(), now: wallNow,
                         pollInterval: .milliseconds(20), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func webhook(_ url: String, timeout: Duration = .seconds(5), maxAttempts: Int = 10, secrets: [String] = [],
                 format: AlertsFile.WebhookFormat = .generic, policy: DestinationPolicy = loopbackOnly) throws -> WebhookSender {
        WebhookSender(target: WebhookTarget(url: try WebhookURL(parsing: url), format: format,
                                            signer: secrets.isEmpty ? nil : try WebhookSigner(secrets: secrets), timeout: timeout,
                                            maxAttempts: maxAttempts, policy: policy), client: client)
    }

    func shutdown() async {
        try? await client.shutdown()
        store.close()
    }
}

@Suite("Outbox delivery over real HTTP (loopback)", .serialized)
struct DispatcherTests {
    @Test("a receiver answering 500 for a while, then 200: delivered once it recovers, same webhook-id every time")
    func recoversAfter500s() async throws {
        let rig = try DispatchRig([sampleNotification()])
        let receiver = try ReceiverProcess(dir: rig.dir, statuses: [500, 503, 500, 200])
        let d = rig.dispatcher(["team/webhook[0]": try rig.webhook(receiver.url)],
                               schedule: RetrySchedule(base: .milliseconds(50), cap: .milliseconds(200)))
        let pending = await d.drain(deadline: .seconds(180))
        #expect(pending == 0)
        let requests = receiver.requests
        #expect(requests.map(\.status) == [500, 503, 500, 200])
        #expect(Set(requests.compactMap { $0.headers["webhook-id"] }) == ["msg_0123456789abcdef0123456789abcdef"])
        #expect(Set(requests.map(\.body)).count == 1)  // the same body every time
        let row = try #require(try rig.store.outboxEntries(state: nil).first)
        #expect(row.state == .delivered && row.attempts == 4)
        #expect(try rig.store.deliveryAttempts(notificationID: row.notification.id).map(\.outcome) == [.retryable, .retryable, .retryable, .delivered])
        #expect(try rig.store.deliveryAttempts(notificationID: nil).map(\.statusCode) == [500, 503, 500, 200])
        await rig.shutdown()
    }

    @Test("429 with Retry-After: the next attempt waits at least that long")
    func retryAfter() async throws {
        let rig = try DispatchRig([sampleNotification()])
        let receiver = try ReceiverProcess(dir: rig.dir, statuses: [429, 200], retryAfter: "2")
        // The backoff alone would retry after ≤ 10 ms.
        let d = rig.dispatcher(["team/webhook[0]": try rig.webhook(receiver.url)],
                               schedule: RetrySchedule(base: .milliseconds(10), cap: .milliseconds(10)))
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        let r = receiver.requests
        try #require(r.count == 2)
        #expect(r[1].at - r[0].at >= 1.95, "second attempt after \(r[1].at - r[0].at) s")
        await rig.shutdown()
    }

    @Test("a hanging receiver: each attempt times out, is retried, ends dead; no connection leaks")
    func hangingReceiver() async throws {
        let rig = try DispatchRig([sampleNotification()])
        // A second, healthy receiver in the same passes.
        let ok = try ReceiverProcess(dir: rig.dir, name: "ok")
        var warm = CheckpointWrite()
        warm.notifications = [sampleNotification(id: "msg_warm", receiver: "warm")]
        try rig.store.commit(warm)
        let hang = try ReceiverProcess(dir: rig.dir, name: "hang", hang: true)
        let d = rig.dispatcher(
            ["warm/webhook[0]": try rig.webhook(ok.url), "team/webhook[0]": try rig.webhook(hang.url, timeout: .milliseconds(300), maxAttempts: 3)],
            schedule: RetrySchedule(base: .milliseconds(20), cap: .milliseconds(20)))
        _ = await d.pass()  // delivers the warm-up, first attempt on the hanging one
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        let row = try #require(try rig.store.outboxEntries(state: .dead).first)
        #expect(row.notification.id == "msg_0123456789abcdef0123456789abcdef")
        #expect(row.attempts == 3)
        let attempts = try rig.store.deliveryAttempts(notificationID: row.notification.id)
        #expect(attempts.count == 3)
        #expect(attempts.allSatisfy { $0.outcome == .retryable && ($0.error ?? "").contains("timeout") })
        #expect(attempts.allSatisfy { $0.durationMilliseconds >= 250 })  // waited for the timeout, not refused
        // Timed-out connections are closed, not pooled or left open: none of ours is still
        // established to the hanging receiver (which never closes its side).
        #expect(await waitUntil(seconds: 10) { establishedConnections(toPort: hang.port) == 0 },
                "\(establishedConnections(toPort: hang.port)) connections left open")
        await rig.shutdown()
    }

    @Test("a hanging receiver does not hold up other receivers: one timeout per pass, not one per row")
    func isolation() async throws {
        let rig = try DispatchRig([
            sampleNotification(id: "msg_h1", receiver: "slow"), sampleNotification(id: "msg_h2", receiver: "slow"),
            sampleNotification(id: "msg_h3", receiver: "slow"), sampleNotification(id: "msg_ok", receiver: "fast"),
        ])
        let hang = try ReceiverProcess(dir: rig.dir, name: "hang", hang: true)
        let ok = try ReceiverProcess(dir: rig.dir, name: "ok")
        let d = rig.dispatcher(
            ["slow/webhook[0]": try rig.webhook(hang.url, timeout: .milliseconds(500)), "fast/webhook[0]": try rig.webhook(ok.url)],
            schedule: RetrySchedule(base: .seconds(60)))
        #expect(await d.pass() == 4)
        #expect(ok.requests.count == 1)
        // One attempt for the hanging integration in this pass (three would take three timeouts).
        #expect(try rig.store.deliveryAttempts(notificationID: nil).filter { $0.notificationID.hasPrefix("msg_h") }.count == 1)
        #expect(try rig.store.dueNotifications(at: wallNow(), limit: 10).map(\.notification.id) == ["msg_h2", "msg_h3"])
        await rig.shutdown()
    }

    @Test("a 4xx other than 429 is permanent: dead after one attempt, audited")
    func permanent() async throws {
        let rig = try DispatchRig([sampleNotification()])
        let receiver = try ReceiverProcess(dir: rig.dir, statuses: [404])
        let dead = Mutex<[String]>([])
        let d = OutboxDispatcher(store: rig.store, senders: ["team/webhook[0]": try rig.webhook(receiver.url)], clock: ContinuousClock(),
                                 now: wallNow, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() })) { event in
            if case .dead(let r, _, let why) = event { dead.withLock { $0.append("\(r) \(why)") } }
        }
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        #expect(receiver.requests.count == 1)
        #expect(try rig.store.outboxEntries(state: .dead).first?.lastError == "HTTP 404")
        #expect(dead.withLock { $0 } == ["team HTTP 404"])
        await rig.shutdown()
    }

    @Test("a destination outside the allowlist is refused at send time without a request")
    func refusedDestination() async throws {
        let rig = try DispatchRig([sampleNotification()])
        let receiver = try ReceiverProcess(dir: rig.dir)
        // "localhost" resolves (via /etc/hosts) to loopback, which this webhook does not allow.
        let d = rig.dispatcher(["team/webhook[0]": try rig.webhook("http://localhost:\(receiver.port)/hook", policy: DestinationPolicy())],
                               schedule: RetrySchedule())
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        let row = try #require(try rig.store.outboxEntries(state: .dead).first)
        #expect(row.lastError?.contains("destination refused") == true, "\(row.lastError ?? "")")
        #expect(receiver.requests.isEmpty)
        await rig.shutdown()
    }

    @Test("signed requests verify at a receiver using the standardwebhooks package")
    func signedEndToEnd() async throws {
        let secret = "whsec_" + Data((0..<32).map { UInt8($0 * 3) }).base64EncodedString()
        let rig = try DispatchRig([sampleNotification(), sampleNotification(id: "msg_second", status: "resolved")])
        let good = try ReceiverProcess(dir: rig.dir, name: "good", secret: secret)
        let d = rig.dispatcher(["team/webhook[0]": try rig.webhook(good.url, secrets: [secret], format: .alertmanager)],
                               schedule: RetrySchedule(base: .milliseconds(10)))
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        #expect(good.requests.map(\.verified) == [true, true])
        #expect(good.requests.map(\.status) == [200, 200])
        await rig.shutdown()

        // A receiver holding another key refuses (401 is permanent).
        let rig2 = try DispatchRig([sampleNotification()])
        let other = try ReceiverProcess(dir: rig2.dir, name: "other", secret: "whsec_" + Data(repeating: 9, count: 32).base64EncodedString())
        let d2 = rig2.dispatcher(["team/webhook[0]": try rig2.webhook(other.url, secrets: [secret])], schedule: RetrySchedule())
        #expect(await d2.drain(deadline: .seconds(180)) == 0)
        #expect(other.requests.map(\.verified) == [false])
        #expect(try rig2.store.outboxEntries(state: .dead).count == 1)
        await rig2.shutdown()
    }

    @Test("the file receiver appends one JSON line per notification")
    func fileReceiver() async throws {
        let rig = try DispatchRig([sampleNotification(integration: "file[0]"), sampleNotification(id: "msg_b", integration: "file[0]")])
        let path = rig.dir.file("out/notes.jsonl")
        let d = rig.dispatcher(["team/file[0]": FileSender(path: path)], schedule: RetrySchedule())
        #expect(await d.drain(deadline: .seconds(180)) == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try NotificationPayload.decode(String(lines[0]))
        #expect(first.id == "msg_0123456789abcdef0123456789abcdef" && first.receiver == "team")
        await rig.shutdown()
    }
}

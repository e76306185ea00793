import AsyncHTTPClient
import Foundation
import Logging
import MonitorAlerting
import MonitorCore
import ServiceLifecycle
import Synchronization

/// The system time as a `Timestamp` (the composition root is the only place that reads it).
func wallClockNow() -> Timestamp {
    Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
}

/// Builds the integrations of an alerts file: secrets read from the environment or files (never
/// logged), URLs parsed, one sender per webhook and file.
enum NotificationSetup {
    /// Senders by `OutboxDispatcher.key(receiver:integration:)`.
    static func senders(for file: AlertsFile, client: HTTPClient, environment: [String: String], externalURL: String)
        throws(ServiceError) -> [String: any NotificationSender]
    {
        var out: [String: any NotificationSender] = [:]
        let base = ConfigLoader.directory(of: file.path)
        var problems: [String] = []
        func secret(_ ref: AlertsFile.SecretReference, _ context: String) -> String? {
            SecretReferences.value(ref, context: context, environment: environment, resolve: { ConfigLoader.resolve($0, against: base) }, problems: &problems)
        }
        for r in file.receivers {
            for (i, w) in r.webhooks.enumerated() {
                let context = "\(w.url.path):\(w.url.line): receiver \"\(r.name)\".webhook_configs[\(i)]"
                let url: WebhookURL
                do { url = try WebhookURL(parsing: w.url.value) } catch {
                    problems.append("\(context).url: \(error)")
                    continue
                }
                var signer: WebhookSigner?
                if !w.secrets.isEmpty {
                    let values = w.secrets.compactMap { secret($0, context + ".secret") }
                    if values.count == w.secrets.count {
                        do { signer = try WebhookSigner(secrets: values) } catch { problems.append("\(context).secret: \(error)") }
                    }
                }
                let routingKey = w.routingKey.flatMap { secret($0, context + ".routing_key") }
                let target = WebhookTarget(
                    url: url, format: w.format, signer: signer, routingKey: routingKey, timeout: .milliseconds(w.timeout),
                    maxAttempts: w.maxAttempts, policy: DestinationPolicy(allowPrivate: w.allowPrivate, allowlist: w.allowlist))
                out[OutboxDispatcher<ContinuousClock>.key(receiver: r.name, integration: "webhook[\(i)]")] =
                    WebhookSender(target: target, client: client, externalURL: externalURL)
            }
            for (i, f) in r.files.enumerated() {
                out[OutboxDispatcher<ContinuousClock>.key(receiver: r.name, integration: "file[\(i)]")] =
                    FileSender(path: ConfigLoader.resolve(f.value, against: base))
            }
        }
        if !problems.isEmpty { throw .config(problems.joined(separator: "\n")) }
        return out
    }

    /// Maps dispatcher events to the self-metrics.
    static func record(_ event: OutboxDispatcher<ContinuousClock>.Event, metrics: SelfMetrics) {
        switch event {
        case .attempted(let receiver, _, _, _, _) where receiver == TriggerOutbox.receiver,
             .dead(let receiver, _, _) where receiver == TriggerOutbox.receiver:
            break  // counted as monitor_retrain_triggers_total from `.finished`
        case .finished(let n, let outcome, let dead):
            guard n.receiver == TriggerOutbox.receiver else { break }
            let model = metrics.model(n.groupKey)
            let status: String
            switch outcome {
            case .delivered: status = "delivered"
            case .retryable, .permanent: status = "failed"
            }
            metrics.add("monitor_retrain_triggers_total", [("model", model), ("sink", n.integration), ("status", status)], 1)
            if dead { metrics.add("monitor_retrain_triggers_total", [("model", model), ("sink", n.integration), ("status", "dead")], 1) }
        case .attempted(let receiver, _, let outcome, _, let latency):
            switch outcome {
            case .delivered:
                metrics.add("monitor_notifications_total", [("receiver", receiver), ("status", "delivered")], 1)
                if let latency { metrics.observeNotificationLatency(seconds: latency) }
            case .retryable, .permanent:
                metrics.add("monitor_notifications_total", [("receiver", receiver), ("status", "failed")], 1)
            }
        case .dead(let receiver, _, _):
            metrics.add("monitor_notifications_total", [("receiver", receiver), ("status", "dead")], 1)
            metrics.add("monitor_notifications_dead_total", [("receiver", receiver)], 1)
        case .pending(let n):
            metrics.set("monitor_outbox_pending", [], Double(n))
        }
    }
}

/// The outbox sender as a service: drains the outbox until graceful shutdown, then keeps
/// delivering what is due for at most `drainDeadline` (after the pipeline's final checkpoint,
/// since services stop in reverse order) and leaves the rest pending for the next start.
///
/// The deadline is hard: a delivery still in flight when it passes (a receiver that hangs) is
/// cancelled and stays in the outbox, to be sent again after the next start (at-least-once;
/// receivers drop the repeat by its `webhook-id`).
final class OutboxService: Service, Sendable {
    let dispatcher: OutboxDispatcher<ContinuousClock>
    let drainDeadline: Duration
    let logger: Logger
    private let stop = Atomic<Bool>(false)

    init(dispatcher: OutboxDispatcher<ContinuousClock>, drainDeadline: Duration, logger: Logger) {
        self.dispatcher = dispatcher
        self.drainDeadline = drainDeadline
        self.logger = logger
    }

    func run() async throws {
        let clock = ContinuousClock()
        let shutdownAt = Mutex<ContinuousClock.Instant?>(nil)
        let work = Task { [dispatcher, drainDeadline] in
            await dispatcher.run(until: { self.stop.load(ordering: .relaxed) })
            let started = shutdownAt.withLock { $0 } ?? clock.now
            let left = drainDeadline - started.duration(to: clock.now)
            return await dispatcher.drain(deadline: max(left, .zero))
        }
        do {
            try await withGracefulShutdownHandler {
                try await gracefulShutdown()
            } onGracefulShutdown: {
                shutdownAt.withLock { $0 = clock.now }
                self.stop.store(true, ordering: .relaxed)
            }
        } catch {
            // Cancelled (the group is going down without a graceful shutdown): stop at once.
            self.stop.store(true, ordering: .relaxed)
            work.cancel()
            return
        }
        let pending = await Self.value(of: work, within: drainDeadline)
        if let pending {
            if pending > 0 {
                logger.warning("outbox: notifications still pending at shutdown; they are sent after the next start",
                               metadata: ["pending": "\(pending)"])
            }
        } else {
            work.cancel()
            // Give the cancelled attempts a moment to record themselves as failed attempts.
            _ = await Self.value(of: work, within: .seconds(2))
            logger.warning("outbox: deliveries still in flight at the shutdown deadline were cancelled; they stay in the outbox and are sent after the next start",
                           metadata: ["deadline": "\(drainDeadline)"])
        }
    }

    /// The task's value, or nil when `limit` passes first (the task keeps running).
    static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration) async -> T? {
        let once = ResumeOnce()
        return await withCheckedContinuation { (cont: CheckedContinuation<T?, Never>) in
            Task {
                let v = await task.value
                if once.claim() { cont.resume(returning: v) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if once.claim() { cont.resume(returning: nil) }
            }
        }
    }
}

/// A flag that lets exactly one of several racers resume a continuation.
final class ResumeOnce: Sendable {
    private let done = Mutex(false)

    /// True for the first caller only.
    func claim() -> Bool { done.withLock { was in defer { was = true }; return !was } }
}

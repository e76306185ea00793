public import Logging
public import MonitorCore
import Synchronization

/// Drains the outbox (DESIGN §8): sends due notifications through their integration's
/// ``NotificationSender``, records every attempt, and schedules retries — exponential backoff
/// with jitter (``RetrySchedule``), `Retry-After` honoured, dead after the integration's
/// `max_attempts` or at the first permanent failure.
///
/// It runs as its own task, apart from ingestion and evaluation, which only insert rows: a slow
/// or hanging receiver delays nothing but its own notifications. Integrations are served in
/// parallel; one integration's notifications go one at a time, oldest first, and a failure
/// ends that integration's share of a pass.
///
/// Time: sleeping uses the injected `Clock`; due times are wall-clock `Timestamp`s from `now`
/// (the service passes the system time; tests may derive both from one manual clock).
public final class OutboxDispatcher<C: Clock>: Sendable where C.Duration == Duration {
    /// Something that happened, for metrics and logs.
    public enum Event: Sendable {
        /// An attempt ended; `latency` (enqueue → delivery, seconds) when delivered.
        case attempted(receiver: String, integration: String, outcome: DeliveryOutcome, attempt: Int, latency: Double?)
        /// The notification is dead.
        case dead(receiver: String, integration: String, reason: String)
        /// Rows still pending after a pass.
        case pending(Int)
        /// An attempt ended (after `attempted`), with the row it was for; `dead` when the row
        /// was given up. Lets the service count deliveries by what the row carries (a
        /// retraining trigger's model).
        case finished(notification: OutboxNotification, outcome: DeliveryOutcome, dead: Bool)
    }

    let store: any OutboxStore
    private let sendersBox: Mutex<[String: any NotificationSender]>
    /// The integrations rows are sent through, by ``key(receiver:integration:)``.
    public var senders: [String: any NotificationSender] { sendersBox.withLock { $0 } }
    let schedule: RetrySchedule
    let clock: C
    let now: @Sendable () -> Timestamp
    let pollInterval: Duration
    let batchSize: Int
    let logger: Logger
    let onEvent: @Sendable (Event) -> Void
    /// Called after a send returned and before its result is recorded (fault-injection tests
    /// kill the process here).
    let afterSend: @Sendable (OutboxNotification) -> Void
    private let rng = Mutex(SystemRandomNumberGenerator())

    /// - Parameters:
    ///   - store: The outbox.
    ///   - senders: By ``key(receiver:integration:)``; a row without a sender (its receiver was
    ///     removed from the config) is dead.
    ///   - schedule: Backoff.
    ///   - clock: Used to sleep between passes.
    ///   - now: Wall-clock time.
    ///   - pollInterval: Longest sleep between two looks at the outbox (new rows appear there
    ///     when the pipeline commits).
    public init(store: any OutboxStore, senders: [String: any NotificationSender], schedule: RetrySchedule = RetrySchedule(),
                clock: C, now: @escaping @Sendable () -> Timestamp, pollInterval: Duration = .milliseconds(200), batchSize: Int = 100,
                logger: Logger, onEvent: @escaping @Sendable (Event) -> Void = { _ in },
                afterSend: @escaping @Sendable (OutboxNotification) -> Void = { _ in }) {
        self.store = store
        self.sendersBox = Mutex(senders)
        self.schedule = schedule
        self.clock = clock
        self.now = now
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.logger = logger
        self.onEvent = onEvent
        self.afterSend = afterSend
    }

    /// Replaces the integrations (a config reload): passes that start afterwards use the new
    /// ones; an attempt under way finishes with the sender it started with.
    public func replaceSenders(_ senders: [String: any NotificationSender]) {
        sendersBox.withLock { $0 = senders }
    }

    /// The key of an integration in `senders`.
    public static func key(receiver: String, integration: String) -> String { receiver + "/" + integration }

    /// Runs until the task is cancelled (or `until()` says stop), sleeping between passes.
    public func run(until stop: @Sendable () -> Bool = { false }) async {
        while !Task.isCancelled && !stop() {
            let sent = await pass()
            if sent > 0 { continue }
            var wait = pollInterval
            if let next = try? store.nextAttemptTime() {
                let until = Duration.milliseconds(max(0, next.milliseconds - now().milliseconds))
                if until < wait { wait = until }
            }
            if wait > .zero {
                do { try await clock.sleep(for: wait) } catch { return }
            }
        }
    }

    /// Delivers what is due until nothing is pending or `deadline` has passed (on the clock),
    /// sleeping for backoffs that end before it. Returns the rows still pending.
    @discardableResult
    public func drain(deadline: Duration) async -> Int {
        let end = clock.now.advanced(by: deadline)
        while clock.now < end {
            let sent = await pass()
            if sent > 0 { continue }
            guard let next = try? store.nextAttemptTime() else { break }
            let wait = Duration.milliseconds(max(0, next.milliseconds - now().milliseconds))
            let remaining = clock.now.duration(to: end)
            if wait > remaining { break }
            if wait > .zero {
                do { try await clock.sleep(for: min(wait, pollInterval)) } catch { break }
            }
        }
        let pending = (try? store.pendingNotificationCount()) ?? 0
        onEvent(.pending(pending))
        return pending
    }

    /// One pass over the due rows; returns how many were due (0: nothing to do now).
    public func pass() async -> Int {
        let due: [OutboxEntry]
        do { due = try store.dueNotifications(at: now(), limit: batchSize) } catch {
            logger.error("outbox: cannot read due notifications", metadata: ["error": "\(error)"])
            return 0
        }
        guard !due.isEmpty else {
            onEvent(.pending((try? store.pendingNotificationCount()) ?? 0))
            return 0
        }
        var byIntegration: [String: [OutboxEntry]] = [:]
        var order: [String] = []
        for e in due {
            let k = Self.key(receiver: e.notification.receiver, integration: e.notification.integration)
            if byIntegration[k] == nil { order.append(k) }
            byIntegration[k, default: []].append(e)
        }
        await withTaskGroup(of: Void.self) { group in
            for k in order {
                let entries = byIntegration[k]!
                group.addTask { [self] in
                    // After a failure the integration's other rows wait for the next pass, so a
                    // hanging receiver holds a pass up for one timeout, not one per row.
                    for e in entries {
                        guard await self.attempt(e, sender: self.senders[k]) else { break }
                    }
                }
            }
        }
        onEvent(.pending((try? store.pendingNotificationCount()) ?? 0))
        return due.count
    }

    /// One attempt; returns whether it was delivered.
    @discardableResult
    func attempt(_ entry: OutboxEntry, sender: (any NotificationSender)?) async -> Bool {
        let n = entry.notification
        let attemptNumber = entry.attempts + 1
        let started = now()
        let clockStart = clock.now
        let outcome: DeliveryOutcome
        if let sender {
            outcome = await sender.send(n, now: started)
        } else {
            outcome = .permanent("no integration \(n.integration) in receiver \"\(n.receiver)\" (removed from the config?)", status: nil)
        }
        afterSend(n)
        let elapsed = clockStart.duration(to: clock.now)
        let finished = now()
        let maxAttempts = sender?.maxAttempts ?? 1
        let update: OutboxUpdate
        let record: DeliveryAttempt.Outcome
        var error: String?
        var latency: Double?
        switch outcome {
        case .delivered:
            update = .delivered(at: finished)
            record = .delivered
            latency = Double(finished.milliseconds - n.enqueuedAt.milliseconds) / 1000
        case .retryable(let why, _, let retryAfter):
            record = .retryable
            error = why
            if attemptNumber >= maxAttempts {
                update = .dead(at: finished, error: "\(why) (gave up after \(attemptNumber) attempts)")
            } else {
                let delay = rng.withLock { schedule.delay(after: attemptNumber, retryAfter: retryAfter, using: &$0) }
                let ms = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
                update = .retry(next: Timestamp(milliseconds: finished.milliseconds + ms), error: why)
            }
        case .permanent(let why, _):
            record = .permanent
            error = why
            update = .dead(at: finished, error: why)
        }
        let elapsedMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let attempt = DeliveryAttempt(notificationID: n.id, attempt: attemptNumber, startedAt: started, durationMilliseconds: elapsedMs,
                                      outcome: record, statusCode: outcome.statusCode, error: error)
        do { try store.record(attempt, update: update) } catch {
            logger.error("outbox: cannot record a delivery attempt", metadata: ["notification.id": "\(n.id)", "error": "\(error)"])
        }
        onEvent(.attempted(receiver: n.receiver, integration: n.integration, outcome: outcome, attempt: attemptNumber, latency: latency))
        if case .dead = update {
            onEvent(.finished(notification: n, outcome: outcome, dead: true))
        } else {
            onEvent(.finished(notification: n, outcome: outcome, dead: false))
        }
        switch update {
        case .delivered:
            logger.debug("notification delivered", metadata: ["notification.id": "\(n.id)", "receiver": "\(n.receiver)",
                                                              "integration": "\(n.integration)", "attempt": "\(attemptNumber)"])
        case .retry(let next, let why):
            // Log when the error changes, not at every attempt (cf. Alertmanager's retry stage).
            if why != entry.lastError {
                logger.warning("notification failed, will retry", metadata: [
                    "notification.id": "\(n.id)", "receiver": "\(n.receiver)", "integration": "\(n.integration)",
                    "attempt": "\(attemptNumber)", "error": "\(why)", "next": "\(next)"])
            }
        case .dead(_, let why):
            logger.error("notification dead", metadata: [
                "notification.id": "\(n.id)", "receiver": "\(n.receiver)", "integration": "\(n.integration)",
                "attempt": "\(attemptNumber)", "error": "\(why)"])
            onEvent(.dead(receiver: n.receiver, integration: n.integration, reason: why))
        }
        if case .delivered = update { return true }
        return false
    }
}

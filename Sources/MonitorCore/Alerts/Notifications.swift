/// One notification to one receiver integration (a webhook or a file), as written to the outbox
/// in the same SQLite transaction as the alert transitions that caused it (DESIGN §8).
///
/// Invariants: `id` is deterministic — a hash of the receiver, the integration, the group key,
/// the flush time and the firing and resolved alerts — so regenerating the same notification
/// after a restart yields the same id (the store then keeps the first row), and a redelivery
/// carries the same `webhook-id`.
public struct OutboxNotification: Hashable, Sendable {
    /// `msg_` + 32 lowercase hex digits; the `webhook-id` header of every attempt.
    public var id: String
    /// The receiver's name in the alerts file.
    public var receiver: String
    /// Which of the receiver's integrations: `webhook[0]`, `file[1]`, …
    public var integration: String
    /// The alert group (route and `group_by` values), e.g. `{}/{alertname="FeatureDrift"}`.
    public var groupKey: String
    /// `firing` when any alert of the notification fires, else `resolved` (retraining-trigger
    /// rows: `firing`).
    public var status: String
    /// The notification in ModelMonitor's `generic` JSON; other formats are rendered from it at
    /// send time, so nothing secret (signing keys, PagerDuty routing keys) is ever stored.
    public var payload: String
    /// Event time of the flush that produced it.
    public var createdAt: Timestamp
    /// Wall-clock time of the commit (first attempt due then; latency is measured from it).
    public var enqueuedAt: Timestamp

    public init(id: String, receiver: String, integration: String, groupKey: String, status: String, payload: String,
                createdAt: Timestamp, enqueuedAt: Timestamp) {
        self.id = id
        self.receiver = receiver
        self.integration = integration
        self.groupKey = groupKey
        self.status = status
        self.payload = payload
        self.createdAt = createdAt
        self.enqueuedAt = enqueuedAt
    }
}

/// Where an outbox row stands.
public enum OutboxState: String, Sendable, Hashable, CaseIterable {
    /// Not delivered yet; due at `nextAttemptAt`.
    case pending
    /// A receiver accepted it (2xx, or the file was written and fsync-ed).
    case delivered
    /// Given up: a permanent failure (4xx other than 429, a refused destination) or
    /// `max_attempts` reached. Kept, audited and counted.
    case dead
}

/// An outbox row with its delivery bookkeeping.
public struct OutboxEntry: Hashable, Sendable {
    public var notification: OutboxNotification
    public var state: OutboxState
    /// Attempts made so far.
    public var attempts: Int
    /// Wall-clock time the next attempt is due.
    public var nextAttemptAt: Timestamp
    /// The last failure (redacted: never a secret or a URL's query).
    public var lastError: String?
    /// Wall-clock time it was delivered (or declared dead).
    public var finishedAt: Timestamp?

    public init(notification: OutboxNotification, state: OutboxState, attempts: Int, nextAttemptAt: Timestamp,
                lastError: String? = nil, finishedAt: Timestamp? = nil) {
        self.notification = notification
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.finishedAt = finishedAt
    }
}

/// What a delivery attempt did to its outbox row.
public enum OutboxUpdate: Hashable, Sendable {
    /// Delivered at this wall-clock time.
    case delivered(at: Timestamp)
    /// Failed; try again at `next`.
    case retry(next: Timestamp, error: String)
    /// Failed for good.
    case dead(at: Timestamp, error: String)
}

/// One audited delivery attempt (append-only).
public struct DeliveryAttempt: Hashable, Sendable {
    /// How an attempt ended.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case delivered, retryable, permanent
    }

    public var notificationID: String
    /// 1 for the first attempt.
    public var attempt: Int
    /// Wall-clock start.
    public var startedAt: Timestamp
    public var durationMilliseconds: Int64
    public var outcome: Outcome
    /// The HTTP status, when a response came back.
    public var statusCode: Int?
    /// What went wrong (redacted).
    public var error: String?

    public init(notificationID: String, attempt: Int, startedAt: Timestamp, durationMilliseconds: Int64, outcome: Outcome,
                statusCode: Int? = nil, error: String? = nil) {
        self.notificationID = notificationID
        self.attempt = attempt
        self.startedAt = startedAt
        self.durationMilliseconds = durationMilliseconds
        self.outcome = outcome
        self.statusCode = statusCode
        self.error = error
    }
}

/// One decision of the notification pipeline for an alert group and receiver, recorded whether or
/// not anything was sent (Alertmanager's notification log, plus the muted cases).
public struct NotificationLogEntry: Hashable, Sendable {
    /// Event time of the flush.
    public var at: Timestamp
    public var receiver: String
    public var groupKey: String
    /// Why: `new firing alerts`, `resolved`, `repeat interval`, `unchanged`, `silenced`,
    /// `inhibited`, …
    public var reason: String
    /// The notification written to the outbox (nil when nothing was sent).
    public var notificationID: String?
    /// Fingerprints (16 hex digits) of the firing alerts the decision covers.
    public var firing: [String]
    /// Fingerprints of the resolved alerts it covers.
    public var resolved: [String]

    public init(at: Timestamp, receiver: String, groupKey: String, reason: String, notificationID: String? = nil,
                firing: [String] = [], resolved: [String] = []) {
        self.at = at
        self.receiver = receiver
        self.groupKey = groupKey
        self.reason = reason
        self.notificationID = notificationID
        self.firing = firing
        self.resolved = resolved
    }
}

/// A silence: alerts whose labels match every matcher are not notified between `startsAt` and
/// `endsAt` (wall-clock time); the decision is recorded in the notification log.
public struct Silence: Hashable, Sendable {
    /// Assigned on creation (`sil_` + 16 hex digits).
    public var id: String
    public var matchers: [AlertMatcher]
    public var startsAt: Timestamp
    public var endsAt: Timestamp
    public var createdBy: String
    public var comment: String
    public var createdAt: Timestamp

    public init(id: String, matchers: [AlertMatcher], startsAt: Timestamp, endsAt: Timestamp, createdBy: String, comment: String,
                createdAt: Timestamp) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdBy = createdBy
        self.comment = comment
        self.createdAt = createdAt
    }

    /// Whether it mutes alerts at `time`: `startsAt <= time < endsAt`.
    public func isActive(at time: Timestamp) -> Bool { startsAt <= time && time < endsAt }

    /// Whether it mutes an alert with these labels at `time`.
    public func mutes(_ labels: Labels, at time: Timestamp) -> Bool { isActive(at: time) && matchers.matches(labels) }
}

/// The outbox: what the sender drains (DESIGN §8). Rows are inserted by
/// ``CheckpointStore/commit(_:)`` with the transitions that caused them.
public protocol OutboxStore: Sendable {
    /// Pending rows due at or before `now` (wall clock), oldest first.
    func dueNotifications(at now: Timestamp, limit: Int) throws -> [OutboxEntry]
    /// The earliest `nextAttemptAt` of a pending row, or nil when nothing is pending.
    func nextAttemptTime() throws -> Timestamp?
    /// Records an attempt and applies its result to the row, in one transaction. A row that is
    /// no longer pending is left as it is (the attempt is still recorded).
    func record(_ attempt: DeliveryAttempt, update: OutboxUpdate) throws
    /// Rows by state (all when nil), in insertion order.
    func outboxEntries(state: OutboxState?) throws -> [OutboxEntry]
    /// Rows still pending.
    func pendingNotificationCount() throws -> Int
    /// Every recorded attempt, oldest first (of one notification when an id is given).
    func deliveryAttempts(notificationID: String?) throws -> [DeliveryAttempt]
}

/// Silences (`monitor silence`, `/api/v1/silences`).
public protocol SilenceStore: Sendable {
    /// Stores a new silence (its id must be new).
    func addSilence(_ silence: Silence) throws
    /// Silences whose end is after `now`, or all when `includeExpired`, by start time.
    func silences(at now: Timestamp, includeExpired: Bool) throws -> [Silence]
    /// Ends a silence at `now` (if it ends later); returns false for an unknown id.
    func expireSilence(id: String, at now: Timestamp) throws -> Bool
}

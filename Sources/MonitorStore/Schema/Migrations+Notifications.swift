/// The notifications migration: the outbox, delivery attempts, silences, the notification log
/// and the alert-group state (DESIGN §8, §10).
///
/// - `outbox` — one row per notification and receiver integration, inserted in the checkpoint
///   transaction that committed the alert transitions behind it: `id` (deterministic
///   `msg_…`, primary key, so a replayed notification is not inserted twice), `receiver`,
///   `integration` (`webhook[0]`, `file[0]`, …), `group_key`, `status` (`firing`/`resolved`),
///   `payload` (the generic JSON; formats are rendered from it at send time, so no secret is
///   stored), `created_at` (event time of the flush), `enqueued_at` (wall clock of the commit),
///   `state` (`pending`, `delivered`, `dead`), `attempts`, `next_attempt_at` (wall clock),
///   `last_error` (redacted), `finished_at` (wall clock of delivery or death). Partial index on
///   the pending rows by due time. Rows are read in `rowid` order (insertion order).
/// - `delivery_attempts` — append-only audit of every attempt: `notification_id` (→ `outbox`),
///   `attempt` (1, 2, …), `started_at`, `duration_ms`, `outcome` (`delivered`, `retryable`,
///   `permanent`), `status_code`, `error`.
/// - `silences` — `id` (`sil_…`), `matchers` (JSON array of matcher strings), `starts_at`,
///   `ends_at` (wall clock; expiring sets `ends_at`), `created_by`, `comment`, `created_at`.
/// - `notification_log` — append-only: every notification decision (sent, silenced,
///   inhibited): `at` (event time), `receiver`, `group_key`, `reason`, `notification_id`
///   (NULL when nothing was sent), `firing`, `resolved` (JSON arrays of alert fingerprints).
/// - `notification_state` — one row (`id = 1`): the alert groups and their last notifications
///   (`MonitorAlerting`'s encoding), replaced at each checkpoint with the transitions.
extension Migrations {
    static let notifications = """
        CREATE TABLE outbox (
            id TEXT PRIMARY KEY NOT NULL,
            receiver TEXT NOT NULL,
            integration TEXT NOT NULL,
            group_key TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
            payload TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            enqueued_at INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER NOT NULL,
            last_error TEXT,
            finished_at INTEGER
        ) STRICT;
        CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE state = 'pending';

        CREATE TABLE delivery_attempts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            notification_id TEXT NOT NULL REFERENCES outbox (id),
            attempt INTEGER NOT NULL,
            started_at INTEGER NOT NULL,
            duration_ms INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retryable', 'permanent')),
            status_code INTEGER,
            error TEXT
        ) STRICT;
        CREATE INDEX delivery_attempts_by_notification ON delivery_attempts (notification_id);

        CREATE TABLE silences (
            id TEXT PRIMARY KEY NOT NULL,
            matchers TEXT NOT NULL,
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            created_by TEXT NOT NULL,
            comment TEXT NOT NULL,
            created_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE notification_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            receiver TEXT NOT NULL,
            group_key TEXT NOT NULL,
            reason TEXT NOT NULL,
            notification_id TEXT,
            firing TEXT NOT NULL,
            resolved TEXT NOT NULL
        ) STRICT;
        CREATE INDEX notification_log_by_at ON notification_log (at);

        CREATE TABLE notification_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            state BLOB NOT NULL
        ) STRICT;
        """
}

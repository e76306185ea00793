extension Migrations {
    /// Migration 4: retraining triggers (DESIGN §9). One new table; a trigger's deliveries are
    /// rows of the existing `outbox` (receiver `@registry`, integration = the sink, id
    /// `<trigger id>@<sink>`), so they share its dispatcher, retries and audit of attempts.
    ///
    /// - `triggers` — every trigger the rules asked for, emitted or not: `id` (deterministic
    ///   `trg_…`, primary key, so a replayed firing is a no-op), `model`, `version` (NULL when
    ///   the alert has none), `group_name`, `rule`, `alert_key` (the alert instance, to close the
    ///   trigger when it resolves), `status` (`emitted`, `suppressed`, `silenced`),
    ///   `status_reason`, `fired_at` (event time), `created_at` (wall clock), `closed_at`
    ///   (event time its alert resolved; the only column ever updated), `payload` (the trigger's
    ///   JSON, as sent). Index on `(model, fired_at)` for `monitor triggers list --model`.
    static let triggers = Migration(version: 4, summary: "retraining triggers", sql: """
        CREATE TABLE triggers (
            id TEXT PRIMARY KEY NOT NULL,
            model TEXT NOT NULL,
            version TEXT,
            group_name TEXT NOT NULL,
            rule TEXT NOT NULL,
            alert_key TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('emitted', 'suppressed', 'silenced')),
            status_reason TEXT,
            fired_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            closed_at INTEGER,
            payload TEXT NOT NULL
        ) STRICT;
        CREATE INDEX triggers_by_model ON triggers (model, fired_at);
        """)
}

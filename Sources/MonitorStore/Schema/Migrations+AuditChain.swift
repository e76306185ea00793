extension Migrations {
    /// Migration 5: the audit hash chains (DESIGN §10, issue 8), and the per-window histograms
    /// the report charts.
    ///
    /// `window_histograms`: per window result and feature, the window's counts over the
    /// reference profile's bins (`MonitorCore.FeatureHistogram`): `result_id` (→
    /// `window_results`, cascade), `ordinal` (the feature's index in `WindowResult.histograms`),
    /// `feature`, `counts` (a JSON array of integers: the PSI bins of a numerical feature; the
    /// reference's categories and then one "other" bucket for a categorical one), `missing`.
    /// Primary key `(result_id, ordinal)`, `WITHOUT ROWID`, like `series_values`. The rows are
    /// part of their window result's chained content.
    ///
    /// `event_counts`: events kept out of the windows, as deltas committed with each checkpoint
    /// (`CheckpointWrite.eventCounts`): `id`, `recorded_at` (event time: the watermark when they were
    /// counted, `CheckpointWrite.eventCountsAt`),
    /// `source`, `reason`, `count` (> 0). Append-only and chained. The report sums them over its
    /// period by source and reason.
    ///
    /// `audit_chain`: one link per row of each audited table — `table_name`, `position` (1, 2, …
    /// per table; primary key with `table_name`, `WITHOUT ROWID` so a table's links are
    /// contiguous and in chain order), `row_key` (the audited row's primary key as text: its
    /// `id`, or a config's `hash`; unique per table), `prev_hash` and `hash` (SHA-256 hex;
    /// `hash = SHA-256(prev ‖ content)`, `prev` of the first link is 32 zero bytes). See
    /// ``AuditTable`` for what "content" is per table and how values are encoded.
    ///
    /// **Why links live beside the rows, not in them.** The audited tables keep their shape, so
    /// no insert path changes and no existing row is rewritten; a deleted row leaves its link
    /// behind (named as deleted), an inserted row has none (named as inserted), and an updated row
    /// no longer hashes to its link (named as modified).
    ///
    /// **When rows are linked.** Every write transaction of the store seals the rows added since
    /// the last link before it commits (``Database/sealAudit()``), in rowid order. So within the
    /// store no row stays unlinked past its commit; a row without a link was written by someone
    /// else. This migration links every existing row, so stores from schema 4 migrate with their
    /// history chained as it stands on the day of the upgrade.
    ///
    /// **Columns that legitimately change are left out of the chained content**, and the changes
    /// themselves are audited as appended rows:
    /// - `alert_transitions.delivered_at` (set once the transition reached the alerting stage);
    /// - `outbox.state`, `attempts`, `next_attempt_at`, `last_error`, `finished_at` — every
    ///   attempt is an appended, chained `delivery_attempts` row, which is the audit record;
    /// - `triggers.closed_at` (set when the trigger's alert resolves; the resolution is the
    ///   chained `alert_transitions` row).
    ///
    /// **What the chain cannot show.** Whoever can write the file can recompute every link, and
    /// deleting the newest rows together with their links leaves a shorter, valid chain: the
    /// report prints each chain's head and length so an auditor pins them and compares later.
    ///
    /// **Why links key on primary keys, not rowids.** `VACUUM` may renumber the rowids of tables
    /// without an `INTEGER PRIMARY KEY` (`configs`, `outbox`, `triggers`); their primary keys
    /// (`hash`, `id`) never change. Rowids only order the rows (a renumbering keeps their order)
    /// and tell the sealer where the last linked row stands now.
    static let auditChain = Migration(
        version: 5, summary: "audit hash chains",
        sql: """
            CREATE TABLE window_histograms (
                result_id INTEGER NOT NULL REFERENCES window_results (id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                feature TEXT NOT NULL,
                counts TEXT NOT NULL,
                missing INTEGER NOT NULL,
                PRIMARY KEY (result_id, ordinal)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE event_counts (
                id INTEGER PRIMARY KEY,
                recorded_at INTEGER NOT NULL,
                source TEXT NOT NULL,
                reason TEXT NOT NULL,
                count INTEGER NOT NULL CHECK (count > 0)
            ) STRICT;
            CREATE INDEX event_counts_by_time ON event_counts (recorded_at);
            CREATE TABLE audit_chain (
                table_name TEXT NOT NULL,
                position INTEGER NOT NULL CHECK (position >= 1),
                row_key TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL,
                PRIMARY KEY (table_name, position),
                UNIQUE (table_name, row_key)
            ) STRICT, WITHOUT ROWID;
            """,
        seal: true)
}

extension Migrations {
    /// Migration 3: the delayed-label join, per-window performance and reference performance
    /// (DESIGN §5). New tables only; nothing of versions 1 and 2 changes.
    ///
    /// - `label_streams` — each (model, version) of the join once: `id`, `model`, `version`;
    ///   `UNIQUE(model, version)`. Prediction rows refer to it instead of repeating the names.
    /// - `label_predictions` — predictions waiting for their label, labeled, or expired:
    ///   `seq` (rowid, in arrival order), `id` (the record id), `ts_ms` (the prediction's event
    ///   time), `stream` (→ `label_streams`), `groups` (bit set of the slide groups whose windows
    ///   counted it), `predicted` (class as text, NULL when absent), `score`, `value` (NULL =
    ///   absent), `state` (0 pending, 1 labeled, 2 expired), `label`, `label_value`, `label_ts`
    ///   (set when labeled). Index on `(id, ts_ms, stream, groups)` (dropped by migration 6: ids
    ///   are looked up in memory since, see ``memoryJoinIndex``): a label finds its
    ///   prediction's rowid, time and windows from the index alone, then updates the row by
    ///   rowid; an exact replay (same id and time) is found there too. Index on `ts_ms` for
    ///   expiry, a window's rows and deletion once its figures are final (dropped by migration
    ///   8: runs of rowids are found by time in memory since, see ``predictionTimesInMemory``). Why a rowid table: rows sit in arrival order,
    ///   and labels arrive roughly in their predictions' order, so the rows a checkpoint's labels
    ///   update share pages — keyed by id they were spread over the whole table and a commit of
    ///   100k labels rewrote ~27k pages instead of ~3k (8× slower). No index on `state`: a label
    ///   updates its row in place and no index entry moves. The `state` check is a `BETWEEN`, not an
    ///   `IN` list: SQLite 3.40 evaluates `state IN (0, 1, 2)` by filling an ephemeral index at
    ///   every INSERT and state UPDATE, which cost a quarter of the join's time. (Stores created
    ///   before this change keep the `IN` check: the same constraint, only slower to evaluate, so
    ///   the migration was edited in place rather than followed by a table rebuild.)
    /// - `label_pending` — labels that arrived before their prediction: `id` (primary key,
    ///   `WITHOUT ROWID`; a rowid table in arrival order since migration 6), `ts_ms` (the label's time; indexed for expiry), `label`,
    ///   `label_value`.
    /// - `performance_results` — one row per revision of a window's performance: the
    ///   `WindowKey` columns, `revision` (1 at maturity, then one per restatement;
    ///   `UNIQUE` over key and revision, so a replayed revision is a no-op), `computed_at` (the
    ///   join clock), `prediction_count`, `labeled_count`, `config_hash`. Rows are never updated:
    ///   a restatement is a new revision.
    /// - `performance_values` — the samples of each revision, as `series_values` for window
    ///   results (series ids from `series`).
    /// - `reference_performance` — a reference profile's performance on its labeled data:
    ///   `profile_id` (→ `profiles`), `ordinal`, `metric`, `labels` (JSON), `value`.
    static let delayedLabels = Migration(version: 3, summary: "delayed labels: join, performance revisions, reference performance", sql: """
        CREATE TABLE label_streams (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            version TEXT NOT NULL,
            UNIQUE (model, version)
        ) STRICT;

        CREATE TABLE label_predictions (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            ts_ms INTEGER NOT NULL,
            stream INTEGER NOT NULL REFERENCES label_streams (id),
            groups INTEGER NOT NULL,
            predicted TEXT,
            score REAL,
            value REAL,
            state INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2),
            label TEXT,
            label_value REAL,
            label_ts INTEGER
        ) STRICT;
        CREATE INDEX label_predictions_by_id ON label_predictions (id, ts_ms, stream, groups);
        CREATE INDEX label_predictions_by_time ON label_predictions (ts_ms);

        CREATE TABLE label_pending (
            id TEXT PRIMARY KEY NOT NULL,
            ts_ms INTEGER NOT NULL,
            label TEXT,
            label_value REAL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX label_pending_by_time ON label_pending (ts_ms);

        CREATE TABLE performance_results (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            version TEXT NOT NULL,
            window_name TEXT NOT NULL,
            start_ms INTEGER NOT NULL,
            end_ms INTEGER NOT NULL,
            revision INTEGER NOT NULL CHECK (revision >= 1),
            computed_at INTEGER NOT NULL,
            prediction_count INTEGER NOT NULL,
            labeled_count INTEGER NOT NULL,
            config_hash TEXT REFERENCES configs (hash),
            UNIQUE (model, version, window_name, start_ms, end_ms, revision)
        ) STRICT;
        CREATE INDEX performance_results_by_end ON performance_results (end_ms);

        CREATE TABLE performance_values (
            result_id INTEGER NOT NULL REFERENCES performance_results (id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            series_id INTEGER NOT NULL REFERENCES series (id),
            value REAL,
            PRIMARY KEY (result_id, ordinal)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE reference_performance (
            profile_id INTEGER NOT NULL REFERENCES profiles (id),
            ordinal INTEGER NOT NULL,
            metric TEXT NOT NULL,
            labels TEXT NOT NULL,
            value REAL,
            PRIMARY KEY (profile_id, ordinal)
        ) STRICT, WITHOUT ROWID;
        """)
}

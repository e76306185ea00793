extension Migrations {
    /// Migration 6: the label join looks ids up in memory (``IDHashIndex``), not in SQLite.
    ///
    /// - `label_predictions` loses its index on `(id, ts_ms, stream, groups)`. Every prediction
    ///   paid a random insert into it (ids arrive in random order), and with 1M rows pending that
    ///   insert and the lookups were most of the join's time. Predictions are still appended in
    ///   arrival order and indexed by `ts_ms` (expiry, a window's rows, deletion).
    /// - `label_pending` becomes a rowid table in arrival order — `seq` (rowid), `id`, `ts_ms`,
    ///   `label`, `label_value`, index on `ts_ms` — instead of a `WITHOUT ROWID` table keyed by
    ///   id (a random insert, and a random delete when the prediction came). At most one label
    ///   waits per id, as before: the join checks the index before it inserts. Existing waiting
    ///   labels are copied in time order.
    ///
    /// The store still holds everything the join needs: the index is rebuilt from these two
    /// tables (`seq` and `id`) when a process opens the store.
    static let memoryJoinIndex = Migration(version: 6, summary: "label join: ids indexed in memory; label_pending in arrival order", sql: """
        DROP INDEX label_predictions_by_id;

        CREATE TABLE label_pending_v6 (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL,
            ts_ms INTEGER NOT NULL,
            label TEXT,
            label_value REAL
        ) STRICT;
        INSERT INTO label_pending_v6 (id, ts_ms, label, label_value)
            SELECT id, ts_ms, label, label_value FROM label_pending ORDER BY ts_ms, id;
        DROP TABLE label_pending;
        ALTER TABLE label_pending_v6 RENAME TO label_pending;
        CREATE INDEX label_pending_by_time ON label_pending (ts_ms);
        """)
}

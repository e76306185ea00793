extension Migrations {
    /// Migration 7: labels that wait for their predictions are written in blocks of up to 64
    /// (``LabelBlock``), one row of `label_blocks` per block, instead of a row of `label_pending`
    /// each.
    ///
    /// - `seq`: the block's number (its labels are `−(seq × 64 + slot) − 1` in the join index);
    /// - `count`: labels in the block (1…64);
    /// - `taken`: a 64-bit bitmap of the labels that joined or expired;
    /// - `live`: labels still waiting (`count` minus the bits of `taken`); a block reaching 0 is
    ///   deleted;
    /// - `data`: the labels (id, time, label, value), in arrival order.
    ///
    /// Labels already waiting in `label_pending` stay there and join, expire and count as before;
    /// new ones go to blocks, so that table empties as its labels are taken or expire.
    static let labelBlocks = Migration(version: 7, summary: "label join: waiting labels stored in blocks of 64", sql: """
        CREATE TABLE label_blocks (
            seq INTEGER PRIMARY KEY,
            count INTEGER NOT NULL CHECK (count BETWEEN 1 AND 64),
            live INTEGER NOT NULL CHECK (live BETWEEN 0 AND count),
            taken INTEGER NOT NULL,
            data BLOB NOT NULL
        ) STRICT;
        """)
}

extension Migrations {
    /// Migration 8: `label_predictions` loses its index on `ts_ms`. The join finds rows by time
    /// through ``PredictionTimes`` (the time span of each run of 4,096 rowids, kept in memory
    /// with the join index) and reads those runs by rowid; the index's B-tree insert was the
    /// largest cost left in registering a prediction.
    static let predictionTimesInMemory = Migration(version: 8, summary: "label join: predictions found by time through rowid runs, not an index", sql: """
        DROP INDEX label_predictions_by_time;
        """)
}

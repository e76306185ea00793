/// The store's schema, as an append-only list of migrations (DESIGN §10).
///
/// `PRAGMA user_version` holds the number of the last migration applied. Opening a store applies
/// every later migration, each in its own `BEGIN IMMEDIATE` transaction together with the
/// `user_version` bump, so a crash leaves the file at a whole version and two processes opening
/// the same old file migrate it once. A file whose version is above ``Migrations/latest`` was
/// written by a newer ModelMonitor and is refused (``StoreError/Code/schemaTooNew``): this
/// binary cannot know what the newer tables mean. `PRAGMA application_id` marks the file as
/// ModelMonitor's, so a different application's database is refused, not migrated.
///
/// Never edit a migration that has shipped: add one (outbox, delivery attempts, triggers,
/// silences and the audit hash chain come as migrations 2, 3, …).
///
/// Conventions: every table is `STRICT` (SQLite ≥ 3.37 checks column types, so a wiring bug is an
/// error, not a silently coerced value); times are `INTEGER` milliseconds since the epoch (the
/// `Timestamp` of the row, event time unless noted); labels and string lists are canonical JSON
/// text (``JSONText``); a `REAL` that is NULL is a NaN (SQLite stores bound NaNs as NULL).
///
/// Tables of version 1:
///
/// - `configs` — every distinct config the service ran with: `hash` (SHA-256 hex of `text`,
///   primary key), `text`, `first_seen` (the `at` of the first checkpoint that carried it).
/// - `profiles` — reference profiles: `id`, `name`, `revision` (1, 2, … per name;
///   `UNIQUE(name, revision)`), `model`, `model_version` (NULL = any), `fingerprint` (SHA-256
///   hex of the data), `row_count`, `created_at`, `payload` (MonitorWindowing's encoding).
///   `AUTOINCREMENT`: an id is never reused, so a result's `profile_id` never points at a
///   different profile later.
/// - `series` — each distinct series once: `id`, `metric`, `labels` (JSON object);
///   `UNIQUE(metric, labels)`. Series identity is stable from window to window (the `window`
///   label is the configuration's name), so values refer to a series id instead of repeating
///   ~80 bytes of labels per value. Rows are never deleted by this version.
/// - `window_results` — one row per closed window: `id`, `model`, `version`, `window_name`,
///   `start_ms`, `end_ms` (the `WindowKey`; `UNIQUE` over the five, so a replayed close is a
///   no-op), `profile_id`, `profile_name`, `event_count`, `config_hash` (the config in effect,
///   → `configs`).
/// - `series_values` — every sample of every result: `result_id` (→ `window_results`, cascade),
///   `ordinal` (the sample's index in `WindowResult.samples`; primary key with `result_id`,
///   `WITHOUT ROWID` so a result's values are contiguous on disk), `series_id` (→ `series`),
///   `value`, `ts_ms` (NULL = the window's end, which is every window sample's timestamp).
///   No index on `series_id`: readers go through `window_results` (by model and end) and read
///   each result's values contiguously; an index would dirty one page per series at every
///   commit (it more than doubled the cost of inserting 10k values).
/// - `alert_state` — the active alert instances as of the last checkpoint, replaced as a whole:
///   `ordinal`, `group_name`, `rule`, `labels`, `annotations`, `state`, `value`, `active_at`,
///   `fired_at`, `resolved_at`, `last_seen_at`; `UNIQUE(group_name, rule, labels)` (an instance
///   is identified by its labels within its rule).
/// - `alert_transitions` — append-only history: `id` (`AUTOINCREMENT`: delivery bookkeeping
///   refers to it), `at`, the alert's fields as in `alert_state`, `from_state`, `to_state`,
///   `actions` (JSON array), `config_hash`, `delivered_at` (NULL until delivered; the only
///   column ever updated, so the audit hash chain of a later migration covers every column but
///   it). Partial index on the undelivered ones.
/// - `source_positions` — `source`, `key` (primary key), `path`, `next_offset` (bytes consumed
///   or the next Kafka offset), `meta`, `updated_at` (the checkpoint's `at`).
/// - `window_state` — open windows: `key` (`WindowKey.storageKey` or what Windowing uses),
///   `summary` (replaced at each checkpoint), `updated_at`.
/// - `window_chunks` — `key` (→ `window_state`, cascade: closing a window deletes its chunks),
///   `seq` (0, 1, … per key, in append order), `data`; primary key `(key, seq)`.
/// - `service_state` — one row (`id = 1`): `checkpoint_at` (the last checkpoint's `at`),
///   `config_hash` (the config in effect, used for rows of later checkpoints that carry none),
///   `state` (the service's opaque blob).
enum Migrations {
    /// One schema step.
    struct Migration {
        /// `user_version` after it; migrations are numbered 1, 2, … without gaps.
        let version: Int
        let summary: String
        let sql: String
        /// Whether to link the audited rows that exist after `sql` (``Database/sealAudit()``),
        /// in the same transaction.
        var seal = false
    }

    /// `PRAGMA application_id` of a ModelMonitor store: "MMON" in ASCII.
    static let applicationID: Int32 = 0x4D4D_4F4E

    /// Every migration, in order. Append only.
    static let all: [Migration] = [
        Migration(version: 1, summary: "checkpoints, results, profiles, alerts", sql: version1),
        Migration(version: 2, summary: "outbox, delivery attempts, silences, notification log", sql: notifications),
        delayedLabels,
        triggers,
        auditChain,
        memoryJoinIndex,
        labelBlocks,
        predictionTimesInMemory,
    ]

    /// The newest schema version this build knows.
    static var latest: Int { all.last?.version ?? 0 }

    private static let version1 = """
        PRAGMA application_id = \(applicationID);

        CREATE TABLE configs (
            hash TEXT PRIMARY KEY NOT NULL,
            text TEXT NOT NULL,
            first_seen INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE profiles (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            revision INTEGER NOT NULL CHECK (revision >= 1),
            model TEXT,
            model_version TEXT,
            fingerprint TEXT NOT NULL,
            row_count INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            payload BLOB NOT NULL,
            UNIQUE (name, revision)
        ) STRICT;

        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            metric TEXT NOT NULL,
            labels TEXT NOT NULL,
            UNIQUE (metric, labels)
        ) STRICT;

        CREATE TABLE window_results (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            version TEXT NOT NULL,
            window_name TEXT NOT NULL,
            start_ms INTEGER NOT NULL,
            end_ms INTEGER NOT NULL,
            profile_id INTEGER NOT NULL,
            profile_name TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            config_hash TEXT REFERENCES configs (hash),
            UNIQUE (model, version, window_name, start_ms, end_ms)
        ) STRICT;
        CREATE INDEX window_results_by_end ON window_results (end_ms);
        CREATE INDEX window_results_by_model ON window_results (model, end_ms);

        CREATE TABLE series_values (
            result_id INTEGER NOT NULL REFERENCES window_results (id) ON DELETE CASCADE,
            ordinal INTEGER NOT NULL,
            series_id INTEGER NOT NULL REFERENCES series (id),
            value REAL,
            ts_ms INTEGER,
            PRIMARY KEY (result_id, ordinal)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE alert_state (
            ordinal INTEGER PRIMARY KEY,
            group_name TEXT NOT NULL,
            rule TEXT NOT NULL,
            labels TEXT NOT NULL,
            annotations TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('inactive', 'pending', 'firing', 'resolved')),
            value REAL,
            active_at INTEGER NOT NULL,
            fired_at INTEGER,
            resolved_at INTEGER,
            last_seen_at INTEGER NOT NULL,
            UNIQUE (group_name, rule, labels)
        ) STRICT;

        CREATE TABLE alert_transitions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at INTEGER NOT NULL,
            group_name TEXT NOT NULL,
            rule TEXT NOT NULL,
            labels TEXT NOT NULL,
            annotations TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('inactive', 'pending', 'firing', 'resolved')),
            from_state TEXT NOT NULL CHECK (from_state IN ('inactive', 'pending', 'firing', 'resolved')),
            to_state TEXT NOT NULL CHECK (to_state IN ('inactive', 'pending', 'firing', 'resolved')),
            value REAL,
            active_at INTEGER NOT NULL,
            fired_at INTEGER,
            resolved_at INTEGER,
            last_seen_at INTEGER NOT NULL,
            actions TEXT NOT NULL,
            config_hash TEXT REFERENCES configs (hash),
            delivered_at INTEGER
        ) STRICT;
        CREATE INDEX alert_transitions_by_at ON alert_transitions (at);
        CREATE INDEX alert_transitions_undelivered ON alert_transitions (id) WHERE delivered_at IS NULL;

        CREATE TABLE source_positions (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            path TEXT NOT NULL,
            next_offset INTEGER NOT NULL,
            meta TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (source, key)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE window_state (
            key TEXT PRIMARY KEY NOT NULL,
            summary BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE window_chunks (
            key TEXT NOT NULL REFERENCES window_state (key) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            data BLOB NOT NULL,
            PRIMARY KEY (key, seq)
        ) STRICT;

        CREATE TABLE service_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            checkpoint_at INTEGER NOT NULL,
            config_hash TEXT REFERENCES configs (hash),
            state BLOB
        ) STRICT;
        """
}

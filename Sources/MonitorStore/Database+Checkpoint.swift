import MonitorCore

extension Database {
    func commit(_ write: CheckpointWrite) throws {
        try checkpointTransaction {
            let at = write.at.milliseconds
            if let config = write.config {
                try connection.execute(
                    "INSERT INTO configs (hash, text, first_seen) VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING",
                    config.hash, config.text, at
                )
            }
            // Rows of a checkpoint without a config refer to the last one given.
            let configHash: String? =
                if let config = write.config { config.hash } else {
                    try connection.query("SELECT config_hash FROM service_state WHERE id = 1") { $0.optionalText(0) }.first ?? nil
                }

            try upsertPositions(write.positions, at: at)
            try upsertWindows(write.windowUpserts, at: at)
            if !write.windowDeletes.isEmpty {
                // Chunks go with their window (ON DELETE CASCADE).
                let delete = try connection.statement("DELETE FROM window_state WHERE key = ?1")
                for key in write.windowDeletes { try delete.run(key) }
            }
            try insertResults(write.results, configHash: configHash)
            try insertPerformance(write.performanceResults, configHash: configHash)
            try insertTransitions(write.transitions, configHash: configHash)
            if let alerts = write.alerts { try replaceAlerts(alerts) }
            try commitNotifications(write)
            try commitTriggers(write)
            if !write.eventCounts.isEmpty {
                let insert = try connection.statement("INSERT INTO event_counts (recorded_at, source, reason, count) VALUES (?1, ?2, ?3, ?4)")
                for c in write.eventCounts { try insert.run(write.eventCountsAt.milliseconds, c.source, c.reason, c.count) }
            }
            try connection.execute(
                """
                INSERT INTO service_state (id, checkpoint_at, config_hash, state) VALUES (1, ?1, ?2, ?3)
                ON CONFLICT (id) DO UPDATE SET checkpoint_at = excluded.checkpoint_at,
                    config_hash = excluded.config_hash, state = coalesce(excluded.state, service_state.state)
                """,
                at, configHash, write.serviceState
            )
        }
    }

    private func upsertPositions(_ positions: [SourcePosition], at: Int64) throws {
        guard !positions.isEmpty else { return }
        let upsert = try connection.statement(
            """
            INSERT INTO source_positions (source, key, path, next_offset, meta, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            ON CONFLICT (source, key) DO UPDATE SET path = excluded.path, next_offset = excluded.next_offset,
                meta = excluded.meta, updated_at = excluded.updated_at
            """
        )
        for p in positions { try upsert.run(p.source, p.key, p.path, p.offset, p.meta, at) }
    }

    private func upsertWindows(_ windows: [WindowStateRecord], at: Int64) throws {
        guard !windows.isEmpty else { return }
        // DO UPDATE, not INSERT OR REPLACE: a replace deletes the row first, and the delete
        // would cascade to the window's chunks.
        let upsert = try connection.statement(
            """
            INSERT INTO window_state (key, summary, updated_at) VALUES (?1, ?2, ?3)
            ON CONFLICT (key) DO UPDATE SET summary = excluded.summary, updated_at = excluded.updated_at
            """
        )
        // The next seq is one past the key's last (an index seek on the primary key).
        let append = try connection.statement(
            """
            INSERT INTO window_chunks (key, seq, data)
            VALUES (?1, (SELECT coalesce(max(seq) + 1, 0) FROM window_chunks WHERE key = ?1), ?2)
            """
        )
        for window in windows {
            try upsert.run(window.key, window.summary, at)
            for chunk in window.chunks { try append.run(window.key, chunk) }
        }
    }

    private func insertResults(_ results: [WindowResult], configHash: String?) throws {
        guard !results.isEmpty else { return }
        let insertResult = try connection.statement(
            """
            INSERT INTO window_results (model, version, window_name, start_ms, end_ms, profile_id, profile_name, event_count, config_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
            ON CONFLICT (model, version, window_name, start_ms, end_ms) DO NOTHING
            """
        )
        let insertValue = try connection.statement(
            "INSERT INTO series_values (result_id, ordinal, series_id, value, ts_ms) VALUES (?1, ?2, ?3, ?4, ?5)"
        )
        let insertHistogram = try connection.statement(
            "INSERT INTO window_histograms (result_id, ordinal, feature, counts, missing) VALUES (?1, ?2, ?3, ?4, ?5)"
        )
        for result in results {
            let key = result.key
            try insertResult.run(
                key.model, key.version, key.window, key.start.milliseconds, key.end.milliseconds,
                result.profileID, result.profileName, result.eventCount, configHash
            )
            // Already stored (a replay after restart): keep the first result and its samples.
            guard connection.changes == 1 else { continue }
            let resultID = connection.lastInsertRowID
            // The ids of the current run of samples with equal labels (comparing equal labels
            // is cheap when they share storage, as a run built from one `Labels` value does).
            var runLabels = Labels()
            var runIDs = seriesIDs[runLabels] ?? [:]
            for (ordinal, sample) in result.samples.enumerated() {
                if sample.labels != runLabels {
                    runLabels = sample.labels
                    runIDs = seriesIDs[runLabels] ?? [:]
                }
                let seriesID: Int64
                if let id = runIDs[sample.metric] {
                    seriesID = id
                } else {
                    seriesID = try self.seriesID(metric: sample.metric, labels: sample.labels)
                    runIDs[sample.metric] = seriesID
                }
                let ts: Int64? = sample.timestamp == key.end ? nil : sample.timestamp.milliseconds
                try insertValue.run(resultID, ordinal, seriesID, sample.value, ts)
            }
            for (ordinal, h) in result.histograms.enumerated() {
                try insertHistogram.run(resultID, ordinal, h.feature, JSONText.encode(integers: h.counts), h.missing)
            }
        }
    }

    private func insertTransitions(_ transitions: [AlertTransition], configHash: String?) throws {
        guard !transitions.isEmpty else { return }
        let insert = try connection.statement(
            """
            INSERT INTO alert_transitions (at, group_name, rule, labels, annotations, state, from_state, to_state, value,
                active_at, fired_at, resolved_at, last_seen_at, actions, config_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
            """
        )
        for t in transitions {
            let a = t.alert
            try insert.run(
                t.at.milliseconds, a.group, a.rule, JSONText.encode(a.labels), JSONText.encode(a.annotations),
                a.state.rawValue, t.from.rawValue, t.to.rawValue, a.value,
                a.activeAt.milliseconds, a.firedAt?.milliseconds, a.resolvedAt?.milliseconds, a.lastSeenAt.milliseconds,
                JSONText.encode(t.actions), configHash
            )
        }
    }

    private func replaceAlerts(_ alerts: [Alert]) throws {
        try connection.execute("DELETE FROM alert_state")
        guard !alerts.isEmpty else { return }
        let insert = try connection.statement(
            """
            INSERT INTO alert_state (ordinal, group_name, rule, labels, annotations, state, value, active_at, fired_at,
                resolved_at, last_seen_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            """
        )
        for (ordinal, a) in alerts.enumerated() {
            try insert.run(
                ordinal, a.group, a.rule, JSONText.encode(a.labels), JSONText.encode(a.annotations), a.state.rawValue,
                a.value, a.activeAt.milliseconds, a.firedAt?.milliseconds, a.resolvedAt?.milliseconds,
                a.lastSeenAt.milliseconds
            )
        }
    }

    func loadCheckpoint() throws -> LoadedCheckpoint {
        try read {
            var loaded = LoadedCheckpoint()
            loaded.positions = try connection.query(
                "SELECT source, key, path, next_offset, meta FROM source_positions ORDER BY source, key"
            ) { row in
                SourcePosition(source: row.text(0), key: row.text(1), path: row.text(2), offset: row.int64(3), meta: row.text(4))
            }
            var chunks: [String: [[UInt8]]] = [:]
            for (key, data) in try connection.query("SELECT key, data FROM window_chunks ORDER BY key, seq", map: { ($0.text(0), $0.blob(1)) }) {
                chunks[key, default: []].append(data)
            }
            loaded.windows = try connection.query("SELECT key, summary FROM window_state ORDER BY key") { row in
                let key = row.text(0)
                return WindowStateRecord(key: key, summary: row.blob(1), chunks: chunks[key] ?? [])
            }
            loaded.alerts = try connection.query(
                """
                SELECT group_name, rule, labels, annotations, state, value, active_at, fired_at, resolved_at, last_seen_at
                FROM alert_state ORDER BY ordinal
                """
            ) { row in
                Alert(
                    group: row.text(0), rule: row.text(1),
                    labels: try labels(row.text(2), in: "alert_state"),
                    annotations: try labels(row.text(3), in: "alert_state"),
                    state: try alertState(row.text(4), in: "alert_state"),
                    value: row.double(5),
                    activeAt: Timestamp(milliseconds: row.int64(6)),
                    firedAt: row.optionalInt64(7).map(Timestamp.init(milliseconds:)),
                    resolvedAt: row.optionalInt64(8).map(Timestamp.init(milliseconds:)),
                    lastSeenAt: Timestamp(milliseconds: row.int64(9))
                )
            }
            if let (at, state) = try connection.query(
                "SELECT checkpoint_at, state FROM service_state WHERE id = 1",
                map: { (Timestamp(milliseconds: $0.int64(0)), $0.optionalBlob(1)) }
            ).first {
                loaded.at = at
                loaded.serviceState = state
            }
            loaded.notificationState = try loadNotificationState()
            return loaded
        }
    }
}

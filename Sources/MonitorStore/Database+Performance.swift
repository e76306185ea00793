import MonitorCore

extension Database {
    func insertPerformance(_ results: [PerformanceResult], configHash: String?) throws {
        guard !results.isEmpty else { return }
        let insertResult = try connection.statement(
            """
            INSERT INTO performance_results (model, version, window_name, start_ms, end_ms, revision, computed_at,
                prediction_count, labeled_count, config_hash)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            ON CONFLICT (model, version, window_name, start_ms, end_ms, revision) DO NOTHING
            """)
        let insertValue = try connection.statement(
            "INSERT INTO performance_values (result_id, ordinal, series_id, value) VALUES (?1, ?2, ?3, ?4)")
        for r in results {
            let k = r.key
            try insertResult.run(k.model, k.version, k.window, k.start.milliseconds, k.end.milliseconds, r.revision,
                                 r.computedAt.milliseconds, r.predictionCount, r.labeledCount, configHash)
            // A replayed revision keeps its first figures.
            guard connection.changes == 1 else { continue }
            let resultID = connection.lastInsertRowID
            for (ordinal, sample) in r.samples.enumerated() {
                try insertValue.run(resultID, ordinal, try seriesID(metric: sample.metric, labels: sample.labels), sample.value)
            }
        }
    }

    func performanceResults(model: String?, from: Timestamp?, to: Timestamp?) throws -> [PerformanceResult] {
        let lower = from?.milliseconds ?? Int64.min
        let upper = to?.milliseconds ?? Int64.max
        return try read {
            let map: (Row) -> (Int64, PerformanceResult) = { row in
                let key = WindowKey(model: row.text(1), version: row.text(2), window: row.text(3),
                                    start: Timestamp(milliseconds: row.int64(4)), end: Timestamp(milliseconds: row.int64(5)))
                return (row.int64(0), PerformanceResult(key: key, revision: row.int(6), computedAt: Timestamp(milliseconds: row.int64(7)),
                                                        predictionCount: row.int(8), labeledCount: row.int(9), samples: []))
            }
            var results = try connection.query(
                """
                SELECT id, model, version, window_name, start_ms, end_ms, revision, computed_at, prediction_count, labeled_count
                FROM performance_results WHERE end_ms >= ?1 AND end_ms < ?2 AND (?3 IS NULL OR model = ?3)
                ORDER BY end_ms, start_ms, window_name, model, version, revision
                """, lower, upper, model, map: map)
            let values = try connection.statement(
                "SELECT s.metric, s.labels, v.value FROM performance_values v JOIN series s ON s.id = v.series_id WHERE v.result_id = ?1 ORDER BY v.ordinal")
            for i in results.indices {
                let end = results[i].1.key.end
                results[i].1.samples = try values.rows(results[i].0) { row in
                    Sample(metric: row.text(0), labels: try labels(row.text(1), in: "series"), value: row.double(2), timestamp: end)
                }
            }
            return results.map(\.1)
        }
    }

    func saveReferencePerformance(profileID: Int64, samples: [Sample]) throws {
        try write {
            try connection.execute("DELETE FROM reference_performance WHERE profile_id = ?1", profileID)
            let insert = try connection.statement(
                "INSERT INTO reference_performance (profile_id, ordinal, metric, labels, value) VALUES (?1, ?2, ?3, ?4, ?5)")
            for (i, s) in samples.enumerated() {
                try insert.run(profileID, i, s.metric, JSONText.encode(s.labels), s.value)
            }
        }
    }

    func referencePerformance(profileID: Int64) throws -> [Sample] {
        try read {
            try connection.query(
                "SELECT metric, labels, value FROM reference_performance WHERE profile_id = ?1 ORDER BY ordinal", profileID
            ) { row in
                Sample(metric: row.text(0), labels: try labels(row.text(1), in: "reference_performance"), value: row.double(2),
                       timestamp: Timestamp(milliseconds: 0))
            }
        }
    }
}

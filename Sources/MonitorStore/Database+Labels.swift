import MonitorCore

/// `label_predictions.state`.
enum JoinState: Int64 {
    case pending = 0
    case labeled = 1
    case expired = 2
}

extension Database {
    /// The id of a model version in `label_streams`, inserting it when new. Call inside a transaction.
    func streamID(_ stream: ModelVersion) throws -> Int64 {
        if let id = streamIDs[stream] { return id }
        let id: Int64
        if let existing = try connection.query(
            "SELECT id FROM label_streams WHERE model = ?1 AND version = ?2", stream.model, stream.version, map: { $0.int64(0) }
        ).first {
            id = existing
        } else {
            try connection.execute("INSERT INTO label_streams (model, version) VALUES (?1, ?2)", stream.model, stream.version)
            id = connection.lastInsertRowID
        }
        streamIDs[stream] = id
        streamNames[id] = stream
        return id
    }

    func streamName(_ id: Int64) throws -> ModelVersion {
        if let s = streamNames[id] { return s }
        guard let s = try connection.query("SELECT model, version FROM label_streams WHERE id = ?1", id, map: {
            ModelVersion(model: $0.text(0), version: $0.text(1))
        }).first else {
            throw StoreError(code: .invalidData, message: "label_predictions: stream \(id) does not exist")
        }
        streamNames[id] = s
        streamIDs[s] = id
        return s
    }

    func registerPredictions(_ rows: PredictionRows, horizon: Int64) throws -> [PredictionJoinOutcome] {
        try joinTransaction {
            var outcomes = [PredictionJoinOutcome](repeating: .pending, count: rows.count)
            guard rows.count > 0 else { return outcomes }
            var streamIDs: [Int64] = []
            for s in rows.streamNames { streamIDs.append(try streamID(s)) }
            let findPending = try connection.statement(
                "SELECT 1 FROM label_predictions WHERE id = ?1 AND state = 0 LIMIT 1")
            let findLabel = try connection.statement("SELECT ts_ms, label, label_value FROM label_pending WHERE id = ?1")
            let deleteLabel = try connection.statement("DELETE FROM label_pending WHERE id = ?1")
            let insert = try connection.statement(
                """
                INSERT INTO label_predictions (id, ts_ms, stream, groups, predicted, score, value, state, label, label_value, label_ts)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                ON CONFLICT (id, ts_ms) DO NOTHING
                """)
            for i in 0..<rows.count {
                let id = rows.ids[i]
                if try findPending.rows(id, map: { _ in true }).first != nil {
                    outcomes[i] = .duplicate
                    continue
                }
                let t = rows.timestamps[i]
                // A label that came first joins when it is within the horizon of this prediction.
                var waiting: (ts: Int64, label: String?, value: Double)?
                if let w = try findLabel.rows(id, map: { ($0.int64(0), $0.optionalText(1), $0.double(2)) }).first,
                    w.0 - t <= horizon
                {
                    waiting = w
                }
                let groups = Int64(bitPattern: rows.windowGroups[i])
                let score: Double? = rows.scores[i].isNaN ? nil : rows.scores[i]
                let value: Double? = rows.values[i].isNaN ? nil : rows.values[i]
                let stream = streamIDs[Int(rows.streams[i])]
                if let w = waiting {
                    let labelValue: Double? = w.value.isNaN ? nil : w.value
                    try insert.run(id, t, stream, groups, rows.predictedLabels[i], score, value, JoinState.labeled.rawValue,
                                   w.label, labelValue, w.ts)
                } else {
                    try insert.run(id, t, stream, groups, rows.predictedLabels[i], score, value, JoinState.pending.rawValue,
                                   String?.none, Double?.none, Int64?.none)
                }
                guard connection.changes == 1 else {
                    // This exact prediction (id and time) was stored before: a replay.
                    outcomes[i] = .duplicate
                    continue
                }
                if waiting != nil {
                    try deleteLabel.run(id)
                    outcomes[i] = .joined
                }
            }
            return outcomes
        }
    }

    func joinLabels(_ labels: LabelBatch, horizon: Int64) throws -> LabelJoinResult {
        try joinTransaction {
            var result = LabelJoinResult()
            let candidates = try connection.statement(
                "SELECT ts_ms, stream, groups, state FROM label_predictions WHERE id = ?1 ORDER BY ts_ms")
            let label = try connection.statement(
                "UPDATE label_predictions SET state = 1, label = ?3, label_value = ?4, label_ts = ?5 WHERE id = ?1 AND ts_ms = ?2")
            let expire = try connection.statement("UPDATE label_predictions SET state = 2 WHERE id = ?1 AND ts_ms = ?2")
            let waiting = try connection.statement("SELECT 1 FROM label_pending WHERE id = ?1")
            let wait = try connection.statement("INSERT INTO label_pending (id, ts_ms, label, label_value) VALUES (?1, ?2, ?3, ?4)")
            for i in 0..<labels.count {
                let id = labels.ids[i]
                let l = labels.timestamps[i]
                let value: Double? = labels.values[i].isNaN ? nil : labels.values[i]
                let rows = try candidates.rows(id) { ($0.int64(0), $0.int64(1), $0.int64(2), $0.int64(3)) }
                if let p = rows.first(where: { $0.3 == JoinState.pending.rawValue }) {
                    if l - p.0 <= horizon {
                        try label.run(id, p.0, labels.labels[i], value, l)
                        result.joined.append(JoinedPrediction(stream: try streamName(p.1), timestamp: p.0, windowGroups: UInt64(bitPattern: p.2)))
                        continue
                    }
                    // Too late for it: the prediction expires, the label waits as if it came first.
                    try expire.run(id, p.0)
                    result.beyondHorizon += 1
                    result.expiredPredictions += 1
                } else if rows.contains(where: { $0.3 == JoinState.labeled.rawValue && $0.0 >= l - horizon }) {
                    result.duplicates += 1
                    continue
                }
                if try waiting.rows(id, map: { _ in true }).first != nil {
                    result.duplicates += 1
                    continue
                }
                try wait.run(id, l, labels.labels[i], value)
                result.pending += 1
            }
            return result
        }
    }

    func expirePending(predictionsBefore: Timestamp, labelsBefore: Timestamp) throws -> (predictions: Int, labels: Int) {
        try joinTransaction {
            try connection.execute("UPDATE label_predictions SET state = 2 WHERE ts_ms < ?1 AND state = 0", predictionsBefore.milliseconds)
            let predictions = connection.changes
            try connection.execute("DELETE FROM label_pending WHERE ts_ms < ?1", labelsBefore.milliseconds)
            return (predictions, connection.changes)
        }
    }

    func deleteSettled(before: Timestamp) throws {
        try joinTransaction {
            try connection.execute("DELETE FROM label_predictions WHERE ts_ms < ?1 AND state != 0", before.milliseconds)
        }
    }

    func joinedRows(_ stream: ModelVersion, from: Timestamp, to: Timestamp) throws -> JoinedRows {
        try read {
            var out = JoinedRows()
            guard let id = try connection.query(
                "SELECT id FROM label_streams WHERE model = ?1 AND version = ?2", stream.model, stream.version, map: { $0.int64(0) }
            ).first else { return out }
            let statement = try connection.statement(
                """
                SELECT ts_ms, predicted, score, value, label, label_value FROM label_predictions
                WHERE ts_ms >= ?1 AND ts_ms < ?2 AND stream = ?3 AND state = 1 ORDER BY ts_ms, id
                """)
            _ = try statement.rows(from.milliseconds, to.milliseconds, id) { row in
                out.timestamps.append(row.int64(0))
                out.predictedLabels.append(row.optionalText(1))
                out.scores.append(row.double(2))
                out.values.append(row.double(3))
                out.labels.append(row.optionalText(4))
                out.labelValues.append(row.double(5))
                return ()
            }
            return out
        }
    }

    func labelJoinCounts() throws -> LabelJoinCounts {
        try read {
            var c = LabelJoinCounts()
            for (state, n) in try connection.query("SELECT state, count(*) FROM label_predictions GROUP BY state", map: { ($0.int64(0), $0.int(1)) }) {
                if state == JoinState.pending.rawValue { c.pendingPredictions = n } else { c.settledPredictions += n }
            }
            c.pendingLabels = try connection.query("SELECT count(*) FROM label_pending") { $0.int(0) }.first ?? 0
            return c
        }
    }
}

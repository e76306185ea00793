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
            // The predictions of the id from the id index alone (usually none); only when there
            // are some is the table read for their state.
            let candidates = try connection.statement(
                "SELECT seq, ts_ms FROM label_predictions INDEXED BY label_predictions_by_id WHERE id = ?1")
            let isPending = try connection.statement("SELECT 1 FROM label_predictions WHERE seq = ?1 AND state = 0")
            let findLabel = try connection.statement("SELECT ts_ms, label, label_value FROM label_pending WHERE id = ?1")
            let takeLabel = try connection.statement("DELETE FROM label_pending WHERE id = ?1")
            let insert = try connection.statement(
                """
                INSERT INTO label_predictions (id, ts_ms, stream, groups, predicted, score, value, state, label, label_value, label_ts)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                """)
            let waitingLabels = try hasWaitingLabels()
            // Reused for every row: no allocation per prediction.
            var found: [(seq: Int64, ts: Int64)] = []
            for i in 0..<rows.count {
                let id = rows.ids[i]
                let t = rows.timestamps[i]
                found.removeAll(keepingCapacity: true)
                try candidates.withText(id, at: 1) {
                    try candidates.forEachRowBound { found.append(($0.int64(0), $0.int64(1))) }
                }
                var duplicate = false
                for (seq, ts) in found {
                    // An exact replay (same id and time), or the id is pending: first wins.
                    if ts == t {
                        duplicate = true
                        break
                    }
                    try isPending.bind(seq, at: 1)
                    if try isPending.existsBound() {
                        duplicate = true
                        break
                    }
                }
                if duplicate {
                    outcomes[i] = .duplicate
                    continue
                }
                // A label that came first joins when it is within the horizon of this prediction.
                var waiting: (ts: Int64, label: String?, value: Double)?
                if waitingLabels {
                    try findLabel.withText(id, at: 1) {
                        try findLabel.forEachRowBound { row in
                            if waiting == nil { waiting = (row.int64(0), row.optionalText(1), row.double(2)) }
                        }
                    }
                    if let w = waiting {
                        if w.ts - t <= horizon {
                            try takeLabel.withText(id, at: 1) { try takeLabel.runBound() }
                        } else {
                            waiting = nil
                        }
                    }
                }
                try insert.bind(t, at: 2)
                try insert.bind(streamIDs[Int(rows.streams[i])], at: 3)
                try insert.bind(Int64(bitPattern: rows.windowGroups[i]), at: 4)
                try insert.bind(rows.scores[i].isNaN ? nil : rows.scores[i], at: 6)
                try insert.bind(rows.values[i].isNaN ? nil : rows.values[i], at: 7)
                if let w = waiting {
                    try insert.bind(JoinState.labeled.rawValue, at: 8)
                    try insert.bind(w.value.isNaN ? nil : w.value, at: 10)
                    try insert.bind(w.ts, at: 11)
                } else {
                    try insert.bind(JoinState.pending.rawValue, at: 8)
                    try insert.bindNull(at: 10)
                    try insert.bindNull(at: 11)
                }
                try insert.withText(id, at: 1) {
                    try insert.withText(rows.predictedLabels[i], at: 5) {
                        try insert.withText(waiting?.label, at: 9) { try insert.runBound() }
                    }
                }
                if waiting != nil { outcomes[i] = .joined }
            }
            return outcomes
        }
    }

    /// Whether any label waits for its prediction (usually none: a quick check saves a lookup
    /// per prediction).
    func hasWaitingLabels() throws -> Bool {
        try connection.statement("SELECT 1 FROM label_pending LIMIT 1").exists()
    }

    func joinLabels(_ labels: LabelBatch, horizon: Int64) throws -> LabelJoinResult {
        try joinTransaction {
            var result = LabelJoinResult()
            // The predictions of the id, from the id index alone (rowid, time, windows), oldest
            // first; the pending one (at most one: a second would have been a duplicate) is the
            // one whose conditional update by rowid changes a row.
            let find = try connection.statement(
                "SELECT seq, ts_ms, stream, groups FROM label_predictions INDEXED BY label_predictions_by_id WHERE id = ?1 ORDER BY ts_ms")
            let label = try connection.statement(
                "UPDATE label_predictions SET state = 1, label = ?2, label_value = ?3, label_ts = ?4 WHERE seq = ?1 AND state = 0")
            let expire = try connection.statement("UPDATE label_predictions SET state = 2 WHERE seq = ?1 AND state = 0")
            let labeledRecently = try connection.statement(
                "SELECT 1 FROM label_predictions WHERE id = ?1 AND state = 1 AND ts_ms >= ?2 LIMIT 1")
            let wait = try connection.statement(
                "INSERT INTO label_pending (id, ts_ms, label, label_value) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING")
            result.joined.reserveCapacity(labels.count)
            var lastStream: (Int64, ModelVersion)?
            // Reused for every label: no allocation per label.
            var found: [(seq: Int64, ts: Int64, stream: Int64, groups: Int64)] = []
            for i in 0..<labels.count {
                let id = labels.ids[i]
                let l = labels.timestamps[i]
                let value: Double? = labels.values[i].isNaN ? nil : labels.values[i]
                var claimed = false
                var expired = false
                found.removeAll(keepingCapacity: true)
                try find.withText(id, at: 1) {
                    try find.forEachRowBound { found.append(($0.int64(0), $0.int64(1), $0.int64(2), $0.int64(3))) }
                }
                for p in found {
                    if l - p.ts <= horizon {
                        try label.bind(p.seq, at: 1)
                        try label.bind(value, at: 3)
                        try label.bind(l, at: 4)
                        try label.withText(labels.labels[i], at: 2) { try label.runBound() }
                        guard connection.changes == 1 else { continue }
                        let stream: ModelVersion
                        if let last = lastStream, last.0 == p.stream { stream = last.1 } else {
                            stream = try streamName(p.stream)
                            lastStream = (p.stream, stream)
                        }
                        result.joined.append(JoinedPrediction(stream: stream, timestamp: p.ts, windowGroups: UInt64(bitPattern: p.groups)))
                        claimed = true
                        break
                    }
                    // Too late for it: if it is the pending one, it expires and the label waits
                    // as if it came first.
                    try expire.bind(p.seq, at: 1)
                    try expire.runBound()
                    if connection.changes == 1 {
                        expired = true
                        break
                    }
                }
                if claimed { continue }
                if expired {
                    result.beyondHorizon += 1
                    result.expiredPredictions += 1
                } else if !found.isEmpty {
                    try labeledRecently.bind(l - horizon, at: 2)
                    if try labeledRecently.withText(id, at: 1, { try labeledRecently.existsBound() }) {
                        result.duplicates += 1
                        continue
                    }
                }
                try wait.bind(l, at: 2)
                try wait.bind(value, at: 4)
                try wait.withText(id, at: 1) {
                    try wait.withText(labels.labels[i], at: 3) { try wait.runBound() }
                }
                if connection.changes == 1 { result.pending += 1 } else { result.duplicates += 1 }
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

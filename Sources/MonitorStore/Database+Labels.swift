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

    /// The join index (built from the tables on first use in a process, and after a rollback or
    /// another connection's commit). Call inside the join transaction.
    func loadedJoinIndex() throws -> JoinIndex {
        if let index = joinIndex { return index }
        let version = try dataVersion()
        let predictionCount = try connection.query("SELECT count(*) FROM label_predictions") { $0.int(0) }.first ?? 0
        let labelCount = try waitingLabelCount()
        var index = JoinIndex(
            predictions: IDHashIndex(capacity: predictionCount),
            labels: IDHashIndex(capacity: labelCount),
            dataVersion: version)
        try connection.statement("SELECT seq, id, ts_ms, state FROM label_predictions").forEachRowBound { row in
            let seq = row.int64(0)
            index.predictions.insert(joinKey(row.withTextBytes(1, IDHashIndex.key)), seq)
            index.times.insert(seq: seq, time: row.int64(2), pending: row.int64(3) == JoinState.pending.rawValue)
        }
        try connection.statement("SELECT seq, id FROM label_pending").forEachRowBound { row in
            index.labels.insert(joinKey(row.withTextBytes(1, IDHashIndex.key)), row.int64(0))
        }
        var damaged: Int64?
        try connection.statement("SELECT seq, taken, data FROM label_blocks").forEachRowBound { row in
            let seq = row.int64(0)
            let taken = UInt64(bitPattern: row.int64(1))
            index.nextBlock = max(index.nextBlock, seq + 1)
            guard let block = LabelBlock.Decoded(seq: seq, bytes: row.blob(2)) else {
                damaged = seq
                return
            }
            var state = LabelBlock.State(count: block.count, taken: taken, earliest: .max)
            for slot in 0..<block.count where taken & (1 << UInt64(slot)) == 0 {
                index.labels.insert(joinKey(block.withID(slot, IDHashIndex.key)), LabelBlock.reference(block: seq, slot: slot))
                state.earliest = min(state.earliest, block.timestamp(slot))
            }
            index.blocks[seq] = state
        }
        if let damaged { throw StoreError(code: .invalidData, message: "label_blocks: block \(damaged) is not a well-formed block of labels") }
        joinIndex = index
        return index
    }

    /// Runs `body` on the join index, built first when needed. The index is taken out of the
    /// database meanwhile, so that its arrays are updated in place rather than copied, and put
    /// back when `body` returns; when `body` throws it stays out (the transaction rolls back, and
    /// the next use rebuilds it). Call inside the join transaction.
    func withJoinIndex<T>(_ body: (inout JoinIndex) throws -> T) throws -> T {
        var index = try loadedJoinIndex()
        joinIndex = nil
        let result = try body(&index)
        joinIndex = index
        return result
    }

    /// Labels waiting in the store: rows of `label_pending` and live slots of `label_blocks`.
    func waitingLabelCount() throws -> Int {
        try connection.query(
            "SELECT (SELECT count(*) FROM label_pending) + (SELECT coalesce(sum(live), 0) FROM label_blocks)") { $0.int(0) }.first ?? 0
    }

    /// An id's key in the join index (``joinKeyMask`` applied).
    func joinKey(_ hash: UInt32) -> UInt32 {
        let k = hash & joinKeyMask
        return k == 0 ? 1 : k
    }

    /// Drops the join index when another connection (another process, or this one's API
    /// connection) committed since it was built: it may have changed the join's tables, so the
    /// next use rebuilds the index from them.
    func dropJoinIndexIfStale() {
        if let index = joinIndex, index.dataVersion != (try? dataVersion()) { joinIndex = nil }
    }

    /// `PRAGMA data_version`: changes when another connection commits.
    func dataVersion() throws -> Int64 {
        try connection.query("PRAGMA data_version") { $0.int64(0) }.first ?? 0
    }

    func registerPredictions(_ rows: PredictionRows, horizon: Int64) throws -> [PredictionJoinOutcome] {
        try joinTransaction {
            var outcomes = [PredictionJoinOutcome](repeating: .pending, count: rows.count)
            guard rows.count > 0 else { return outcomes }
            return try withJoinIndex { index in
                var streamIDs: [Int64] = []
                for s in rows.streamNames { streamIDs.append(try streamID(s)) }
                let readPrediction = try connection.statement("SELECT id, ts_ms, state FROM label_predictions WHERE seq = ?1")
                let readLabel = try connection.statement("SELECT id, ts_ms, label, label_value FROM label_pending WHERE seq = ?1")
                let takeLabels = try connection.statement("DELETE FROM label_pending WHERE seq BETWEEN ?1 AND ?2")
                // Labels taken by this batch's predictions, deleted together at the end: sorted, in
                // runs of consecutive rowids (labels wait in arrival order, and their predictions
                // tend to come in the same order), one statement per run.
                var taken: [Int64] = []
                let insert = try connection.statement(
                    """
                    INSERT INTO label_predictions (id, ts_ms, stream, groups, predicted, score, value, state, label, label_value, label_ts)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                    """)
                let keys = rows.ids.map { joinKey(IDHashIndex.key($0)) }
                // Reused for every row: no allocation per prediction.
                var candidates: [Int64] = []
                for i in 0..<rows.count {
                    index.prefetch(keys, ahead: i)
                    let id = rows.ids[i]
                    let t = rows.timestamps[i]
                    let key = keys[i]
                    // Earlier predictions of the id (usually none: then no SQLite call). An exact
                    // replay (same id and time), or the id is pending: first wins.
                    candidates.removeAll(keepingCapacity: true)
                    index.predictions.values(key, into: &candidates)
                    var duplicate = false
                    for seq in candidates {
                        try readPrediction.bind(seq, at: 1)
                        try readPrediction.forEachRowBound { row in
                            if row.textEquals(0, id) && (row.int64(1) == t || row.int64(2) == JoinState.pending.rawValue) { duplicate = true }
                        }
                        if duplicate { break }
                    }
                    if duplicate {
                        outcomes[i] = .duplicate
                        continue
                    }
                    // A label that came first joins when it is within the horizon of this prediction:
                    // from the transaction's buffer, from a block (its `taken` bit is written at the
                    // commit), or from a `label_pending` row of before schema 7 (deleted at the end of
                    // the batch). (Reading the label and inserting the prediction with its fields is
                    // faster than one `INSERT … SELECT`: 186k vs 135k labels/s.)
                    var waiting: (seq: Int64, ts: Int64, label: String?, value: Double)?
                    if let slot = index.waiting.slot(key: key, id: id, scratch: &candidates) {
                        // Waiting in this transaction's buffer: no SQLite row to read or delete.
                        if index.waiting.timestamps[slot] - t <= horizon {
                            waiting = (-1, index.waiting.timestamps[slot], index.waiting.labels[slot], index.waiting.values[slot])
                            index.waiting.take(slot)
                        }
                    } else if index.labels.count > 0 {
                        candidates.removeAll(keepingCapacity: true)
                        index.labels.values(key, into: &candidates)
                        for seq in candidates where waiting == nil {
                            if let at = LabelBlock.location(seq) {
                                let block = try labelBlock(at.block, in: &index)
                                if block.idEquals(at.slot, id) {
                                    waiting = (seq, block.timestamp(at.slot), block.label(at.slot), block.value(at.slot))
                                }
                                continue
                            }
                            try readLabel.bind(seq, at: 1)
                            try readLabel.forEachRowBound { row in
                                if row.textEquals(0, id) { waiting = (seq, row.int64(1), row.optionalText(2), row.double(3)) }
                            }
                        }
                        if let w = waiting {
                            if w.ts - t <= horizon {
                                if let at = LabelBlock.location(w.seq) {
                                    takeBlockLabel(at, in: &index)
                                } else {
                                    taken.append(w.seq)
                                }
                                index.labels.remove(key, w.seq)
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
                    index.predictions.insert(key, connection.lastInsertRowID)
                    index.times.insert(seq: connection.lastInsertRowID, time: t, pending: waiting == nil)
                    if waiting != nil { outcomes[i] = .joined }
                }
                taken.sort()
                var run = 0
                while run < taken.count {
                    var end = run
                    while end + 1 < taken.count && taken[end + 1] == taken[end] + 1 { end += 1 }
                    try takeLabels.bind(taken[run], at: 1)
                    try takeLabels.bind(taken[end], at: 2)
                    try takeLabels.runBound()
                    run = end + 1
                }
                return outcomes
            }
        }
    }

    func joinLabels(_ labels: LabelBatch, horizon: Int64) throws -> LabelJoinResult {
        try joinTransaction {
            var result = LabelJoinResult()
            result = try withJoinIndex { index in
                let read = try connection.statement("SELECT id, ts_ms, stream, groups, state FROM label_predictions WHERE seq = ?1")
                let label = try connection.statement(
                    "UPDATE label_predictions SET state = 1, label = ?2, label_value = ?3, label_ts = ?4 WHERE seq = ?1 AND state = 0")
                let expire = try connection.statement("UPDATE label_predictions SET state = 2 WHERE seq = ?1 AND state = 0")
                let readLabel = try connection.statement("SELECT 1 FROM label_pending WHERE seq = ?1 AND id = ?2")
                result.joined.reserveCapacity(labels.count)
                var lastStream: (Int64, ModelVersion)?
                func streamName(of id: Int64) throws -> ModelVersion {
                    if let last = lastStream, last.0 == id { return last.1 }
                    let stream = try self.streamName(id)
                    lastStream = (id, stream)
                    return stream
                }
                // Reused for every label: no allocation per label.
                var candidates: [Int64] = []
                var found: [(seq: Int64, ts: Int64, stream: Int64, groups: Int64, state: Int64)] = []
                let keys = labels.ids.map { joinKey(IDHashIndex.key($0)) }
                for i in 0..<labels.count {
                    index.prefetch(keys, ahead: i)
                    let id = labels.ids[i]
                    let l = labels.timestamps[i]
                    let key = keys[i]
                    let value: Double? = labels.values[i].isNaN ? nil : labels.values[i]
                    candidates.removeAll(keepingCapacity: true)
                    index.predictions.values(key, into: &candidates)
                    // The predictions of the id (usually one), oldest first. A row whose id differs
                    // shares only the hash.
                    found.removeAll(keepingCapacity: true)
                    for seq in candidates {
                        try read.bind(seq, at: 1)
                        try read.forEachRowBound { row in
                            if row.textEquals(0, id) { found.append((seq, row.int64(1), row.int64(2), row.int64(3), row.int64(4))) }
                        }
                    }
                    if found.count > 1 { found.sort { ($0.ts, $0.seq) < ($1.ts, $1.seq) } }
                    var claimed = false
                    var expired = false
                    for p in found where p.state == JoinState.pending.rawValue {
                        if l - p.ts <= horizon {
                            try label.bind(p.seq, at: 1)
                            try label.bind(value, at: 3)
                            try label.bind(l, at: 4)
                            try label.withText(labels.labels[i], at: 2) { try label.runBound() }
                            result.joined.append(JoinedPrediction(stream: try streamName(of: p.stream), timestamp: p.ts, windowGroups: UInt64(bitPattern: p.groups)))
                            claimed = true
                        } else {
                            // Too late for it: the pending prediction expires and the label waits as
                            // if it came first.
                            try expire.bind(p.seq, at: 1)
                            try expire.runBound()
                            expired = true
                        }
                        break
                    }
                    if claimed { continue }
                    if expired {
                        result.beyondHorizon += 1
                        result.expiredPredictions += 1
                    } else if found.contains(where: { $0.state == JoinState.labeled.rawValue && $0.ts >= l - horizon }) {
                        result.duplicates += 1
                        continue
                    }
                    // At most one label waits per id (in the store or in this transaction's
                    // buffer): first wins.
                    var waiting = index.waiting.slot(key: key, id: id, scratch: &candidates) != nil
                    if !waiting {
                        candidates.removeAll(keepingCapacity: true)
                        index.labels.values(key, into: &candidates)
                        for seq in candidates where !waiting {
                            if let at = LabelBlock.location(seq) {
                                waiting = try labelBlock(at.block, in: &index).idEquals(at.slot, id)
                                continue
                            }
                            try readLabel.bind(seq, at: 1)
                            waiting = try readLabel.withText(id, at: 2) { try readLabel.existsBound() }
                        }
                    }
                    if waiting {
                        result.duplicates += 1
                        continue
                    }
                    // It waits in the buffer; `flushWaitingLabels` writes it to a block if its
                    // prediction has not come by the end of the transaction.
                    index.waiting.append(key: key, id: id, timestamp: l, label: labels.labels[i], value: labels.values[i])
                    result.pending += 1
                }
                return result
            }
            // The buffer holds a checkpoint interval's labels at most, and fewer than
            // `waitingBufferLimit`: beyond that they are written as blocks now.
            if let n = joinIndex?.waiting.count, n >= waitingBufferLimit { try writeWaitingLabels() }
            return result
        }
    }

    func expirePending(predictionsBefore: Timestamp, labelsBefore: Timestamp) throws -> (predictions: Int, labels: Int) {
        try joinTransaction {
            try writeWaitingLabels()
            let predictions = try withJoinIndex { index in
                let cutoff = predictionsBefore.milliseconds
                let expire = try connection.statement(
                    "UPDATE label_predictions SET state = 2 WHERE seq BETWEEN ?1 AND ?2 AND ts_ms < ?3 AND state = 0")
                var expired = 0
                for range in index.times.rowRanges(where: { !$0.noPending && $0.earliest < cutoff }) {
                    try expire.run(range.lowerBound, range.upperBound, cutoff)
                    expired += connection.changes
                }
                index.times.expired(before: cutoff)
                return expired
            }
            var labels = try deleteIndexed(
                "DELETE FROM label_pending WHERE ts_ms < ?1 RETURNING seq, id", [labelsBefore.milliseconds], from: \.labels)
            let cutoff = labelsBefore.milliseconds
            try withJoinIndex { index in
                for seq in index.blocks.filter({ $0.value.earliest < cutoff }).keys.sorted() {
                    let block = try labelBlock(seq, in: &index)
                    guard var state = index.blocks[seq] else { continue }
                    var earliest = Int64.max
                    for slot in 0..<block.count where state.taken & (1 << UInt64(slot)) == 0 {
                        let t = block.timestamp(slot)
                        if t < cutoff {
                            state.taken |= 1 << UInt64(slot)
                            index.labels.remove(joinKey(block.withID(slot, IDHashIndex.key)), LabelBlock.reference(block: seq, slot: slot))
                            labels += 1
                        } else {
                            earliest = min(earliest, t)
                        }
                    }
                    state.earliest = earliest
                    index.blocks[seq] = state
                    index.markDirty(seq)
                }
            }
            try writeWaitingLabels()
            return (predictions, labels)
        }
    }

    func deleteSettled(before: Timestamp) throws {
        try joinTransaction {
            let cutoff = before.milliseconds
            for range in try loadedJoinIndex().times.rowRanges(where: { $0.earliest < cutoff }) {
                _ = try deleteIndexed(
                    "DELETE FROM label_predictions WHERE seq BETWEEN ?1 AND ?2 AND ts_ms < ?3 AND state != 0 RETURNING seq, id",
                    [range.lowerBound, range.upperBound, cutoff], from: \.predictions) { $0.times.remove(seq: $1) }
            }
        }
    }

    /// Writes what the join keeps in memory during the open checkpoint transaction: the labels
    /// still waiting in its buffer (``WaitingLabels``), as new blocks of `label_blocks` in
    /// arrival order, and the `taken` bitmaps of blocks whose labels joined or expired. Called
    /// before the transaction commits and before anything else reads or changes the store; when
    /// it fails, the checkpoint transaction rolls back (the buffer goes with the index).
    func flushWaitingLabels() throws {
        guard checkpointOpen, let index = joinIndex, index.waiting.count > 0 || !index.dirtyBlocks.isEmpty else { return }
        try joinTransaction { try writeWaitingLabels() }
    }

    /// ``flushWaitingLabels()``'s work; call inside the join transaction. Blocks whose labels
    /// were taken are updated (deleted when none waits any more), then the buffered labels are
    /// written as new blocks of ``LabelBlock/capacity``, in arrival order.
    private func writeWaitingLabels() throws {
        guard let current = joinIndex, current.waiting.count > 0 || !current.dirtyBlocks.isEmpty else { return }
        try withJoinIndex { index in
            if !index.dirtyBlocks.isEmpty {
                let update = try connection.statement("UPDATE label_blocks SET taken = ?2, live = ?3 WHERE seq = ?1")
                let delete = try connection.statement("DELETE FROM label_blocks WHERE seq = ?1")
                for seq in index.dirtyBlocks {
                    guard var state = index.blocks[seq], state.dirty else { continue }
                    if state.live == 0 {
                        try delete.run(seq)
                        index.blocks[seq] = nil
                        index.cachedBlocks.removeAll { $0.seq == seq }
                    } else {
                        try update.run(seq, Int64(bitPattern: state.taken), Int64(state.live))
                        state.dirty = false
                        index.blocks[seq] = state
                    }
                }
                index.dirtyBlocks.removeAll()
            }
            let w = index.waiting
            guard w.count > 0 else { return }
            let insert = try connection.statement("INSERT INTO label_blocks (seq, count, live, taken, data) VALUES (?1, ?2, ?2, 0, ?3)")
            let live = w.ids.indices.filter { !w.taken[$0] }
            var start = 0
            while start < live.count {
                let slots = live[start..<min(start + LabelBlock.capacity, live.count)]
                let seq = index.nextBlock
                index.nextBlock += 1
                let data = LabelBlock.encode(slots.lazy.map { (w.ids[$0], w.timestamps[$0], w.labels[$0], w.values[$0]) })
                try insert.run(seq, Int64(slots.count), data)
                var state = LabelBlock.State(count: slots.count, taken: 0, earliest: .max)
                for (k, slot) in slots.enumerated() {
                    index.labels.insert(w.keys[slot], LabelBlock.reference(block: seq, slot: k))
                    state.earliest = min(state.earliest, w.timestamps[slot])
                }
                index.blocks[seq] = state
                start += slots.count
            }
            index.waiting.removeAll()
        }
    }

    /// Block `seq` of `label_blocks`, decoded (from the cache when it was one of the last read).
    func labelBlock(_ seq: Int64, in index: inout JoinIndex) throws -> LabelBlock.Decoded {
        if let cached = index.cachedBlocks.first(where: { $0.seq == seq }) { return cached }
        let read = try connection.statement("SELECT data FROM label_blocks WHERE seq = ?1")
        var decoded: LabelBlock.Decoded?
        try read.bind(seq, at: 1)
        try read.forEachRowBound { row in decoded = LabelBlock.Decoded(seq: seq, bytes: row.blob(0)) }
        guard let decoded else {
            throw StoreError(code: .invalidData, message: "label_blocks: block \(seq) is missing or not a well-formed block of labels")
        }
        if index.cachedBlocks.count < JoinIndex.cachedBlockLimit {
            index.cachedBlocks.append(decoded)
        } else {
            index.cachedBlocks[index.nextCacheSlot % JoinIndex.cachedBlockLimit] = decoded
            index.nextCacheSlot += 1
        }
        return decoded
    }

    /// Marks a label of a block taken (joined or expired); the row is written by
    /// ``flushWaitingLabels()``. The caller removes it from the index.
    func takeBlockLabel(_ at: (block: Int64, slot: Int), in index: inout JoinIndex) {
        index.blocks[at.block]?.taken |= 1 << UInt64(at.slot)
        index.markDirty(at.block)
    }

    /// Runs a `DELETE … RETURNING seq, id` with `parameters` bound in order, removes the deleted
    /// rows from the join index's `part` and passes each deleted rowid to `removed`; returns how
    /// many rows it deleted.
    private func deleteIndexed(
        _ sql: String, _ parameters: [Int64], from part: WritableKeyPath<JoinIndex, IDHashIndex>,
        removed: (inout JoinIndex, Int64) -> Void = { _, _ in }
    ) throws -> Int {
        try withJoinIndex { index in
            var deleted = 0
            let statement = try connection.statement(sql)
            for (i, value) in parameters.enumerated() { try statement.bind(value, at: Int32(i + 1)) }
            try statement.forEachRowBound { row in
                let seq = row.int64(0)
                index[keyPath: part].remove(joinKey(row.withTextBytes(1, IDHashIndex.key)), seq)
                removed(&index, seq)
                deleted += 1
            }
            return deleted
        }
    }

    func joinedRows(_ stream: ModelVersion, from: Timestamp, to: Timestamp) throws -> JoinedRows {
        try read {
            var out = JoinedRows()
            guard let id = try connection.query(
                "SELECT id FROM label_streams WHERE model = ?1 AND version = ?2", stream.model, stream.version, map: { $0.int64(0) }
            ).first else { return out }
            // Inside the checkpoint transaction nobody else can have changed the table.
            if !checkpointOpen { dropJoinIndexIfStale() }
            let (start, end) = (from.milliseconds, to.milliseconds)
            let ranges = try loadedJoinIndex().times.rowRanges(where: { $0.earliest < end && $0.latest >= start })
            let statement = try connection.statement(
                """
                SELECT ts_ms, id, predicted, score, value, label, label_value FROM label_predictions
                WHERE seq BETWEEN ?1 AND ?2 AND ts_ms >= ?3 AND ts_ms < ?4 AND stream = ?5 AND state = 1
                """)
            // In rowid order, then sorted by time and id (the order the figures are computed in,
            // so that they do not depend on arrival order).
            var ids: [String] = []
            for range in ranges {
                try statement.bind(range.lowerBound, range.upperBound, start, end, id)
                try statement.forEachRowBound { row in
                    out.timestamps.append(row.int64(0))
                    ids.append(row.text(1))
                    out.predictedLabels.append(row.optionalText(2))
                    out.scores.append(row.double(3))
                    out.values.append(row.double(4))
                    out.labels.append(row.optionalText(5))
                    out.labelValues.append(row.double(6))
                }
            }
            // Ids compare by their UTF-8 bytes, as SQLite's BINARY collation does.
            func before(_ a: Int, _ b: Int) -> Bool {
                let (s, t) = (out.timestamps[a], out.timestamps[b])
                return s != t ? s < t : ids[a].utf8.lexicographicallyPrecedes(ids[b].utf8)
            }
            if out.count < 2 || (1..<out.count).allSatisfy({ !before($0, $0 - 1) }) { return out }
            let order = out.timestamps.indices.sorted(by: before)
            var sorted = JoinedRows()
            sorted.timestamps = order.map { out.timestamps[$0] }
            sorted.predictedLabels = order.map { out.predictedLabels[$0] }
            sorted.scores = order.map { out.scores[$0] }
            sorted.values = order.map { out.values[$0] }
            sorted.labels = order.map { out.labels[$0] }
            sorted.labelValues = order.map { out.labelValues[$0] }
            return sorted
        }
    }

    func labelJoinCounts() throws -> LabelJoinCounts {
        try read {
            var c = LabelJoinCounts()
            for (state, n) in try connection.query("SELECT state, count(*) FROM label_predictions GROUP BY state", map: { ($0.int64(0), $0.int(1)) }) {
                if state == JoinState.pending.rawValue { c.pendingPredictions = n } else { c.settledPredictions += n }
            }
            c.pendingLabels = try waitingLabelCount()
            return c
        }
    }
}

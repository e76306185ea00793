import MonitorCore

extension Database {
    private static let transitionColumns = """
        SELECT id, at, group_name, rule, labels, annotations, state, from_state, to_state, value, active_at, fired_at,
            resolved_at, last_seen_at, actions, delivered_at
        FROM alert_transitions
        """

    private func transitionRow(_ row: Row) throws -> StoredTransition {
        let table = "alert_transitions"
        let alert = Alert(
            group: row.text(2), rule: row.text(3),
            labels: try labels(row.text(4), in: table), annotations: try labels(row.text(5), in: table),
            state: try alertState(row.text(6), in: table), value: row.double(9),
            activeAt: Timestamp(milliseconds: row.int64(10)),
            firedAt: row.optionalInt64(11).map(Timestamp.init(milliseconds:)),
            resolvedAt: row.optionalInt64(12).map(Timestamp.init(milliseconds:)),
            lastSeenAt: Timestamp(milliseconds: row.int64(13))
        )
        guard let actions = JSONText.decodeStrings(row.text(14)) else {
            throw StoreError(code: .invalidData, message: "\(table): actions are not a JSON array of strings: \(row.text(14))")
        }
        let transition = AlertTransition(
            alert: alert, from: try alertState(row.text(7), in: table), to: try alertState(row.text(8), in: table),
            at: Timestamp(milliseconds: row.int64(1)), actions: actions
        )
        return StoredTransition(id: row.int64(0), transition: transition, deliveredAt: row.optionalInt64(15).map(Timestamp.init(milliseconds:)))
    }

    func undeliveredTransitions(limit: Int) throws -> [StoredTransition] {
        // SQLite reads a negative LIMIT as "no limit".
        guard limit > 0 else { return [] }
        return try connection.query("\(Self.transitionColumns) WHERE delivered_at IS NULL ORDER BY id LIMIT ?1", limit, map: transitionRow)
    }

    func markDelivered(ids: [Int64], at: Timestamp) throws {
        guard !ids.isEmpty else { return }
        try write {
            let update = try connection.statement("UPDATE alert_transitions SET delivered_at = ?2 WHERE id = ?1 AND delivered_at IS NULL")
            for id in ids { try update.run(id, at.milliseconds) }
        }
    }

    func transitions(since: Timestamp?) throws -> [StoredTransition] {
        try connection.query("\(Self.transitionColumns) WHERE at >= ?1 ORDER BY id", since?.milliseconds ?? Int64.min, map: transitionRow)
    }
}

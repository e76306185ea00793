import MonitorCore

extension Database {
    /// The notification part of a checkpoint; call inside the checkpoint's write transaction.
    func commitNotifications(_ write: CheckpointWrite) throws {
        if !write.notifications.isEmpty {
            let insert = try connection.statement(
                """
                INSERT INTO outbox (id, receiver, integration, group_key, status, payload, created_at, enqueued_at, state,
                    attempts, next_attempt_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?8)
                ON CONFLICT (id) DO NOTHING
                """
            )
            for n in write.notifications {
                try insert.run(n.id, n.receiver, n.integration, n.groupKey, n.status, n.payload, n.createdAt.milliseconds,
                               n.enqueuedAt.milliseconds)
            }
        }
        if !write.notificationLog.isEmpty {
            let insert = try connection.statement(
                """
                INSERT INTO notification_log (at, receiver, group_key, reason, notification_id, firing, resolved)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            )
            for e in write.notificationLog {
                try insert.run(e.at.milliseconds, e.receiver, e.groupKey, e.reason, e.notificationID, JSONText.encode(e.firing),
                               JSONText.encode(e.resolved))
            }
        }
        if let state = write.notificationState {
            try connection.execute(
                "INSERT INTO notification_state (id, state) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
                state)
        }
    }

    func loadNotificationState() throws -> [UInt8]? {
        try connection.query("SELECT state FROM notification_state WHERE id = 1") { $0.blob(0) }.first
    }

    private static let outboxColumns = """
        SELECT id, receiver, integration, group_key, status, payload, created_at, enqueued_at, state, attempts, next_attempt_at,
            last_error, finished_at
        FROM outbox
        """

    private func outboxRow(_ row: Row) throws -> OutboxEntry {
        guard let state = OutboxState(rawValue: row.text(8)) else {
            throw StoreError(code: .invalidData, message: "outbox: unknown state \"\(row.text(8))\"")
        }
        let n = OutboxNotification(
            id: row.text(0), receiver: row.text(1), integration: row.text(2), groupKey: row.text(3), status: row.text(4),
            payload: row.text(5), createdAt: Timestamp(milliseconds: row.int64(6)), enqueuedAt: Timestamp(milliseconds: row.int64(7)))
        return OutboxEntry(
            notification: n, state: state, attempts: row.int(9), nextAttemptAt: Timestamp(milliseconds: row.int64(10)),
            lastError: row.optionalText(11), finishedAt: row.optionalInt64(12).map(Timestamp.init(milliseconds:)))
    }

    func dueNotifications(at now: Timestamp, limit: Int) throws -> [OutboxEntry] {
        guard limit > 0 else { return [] }
        return try connection.query(
            "\(Self.outboxColumns) WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY rowid LIMIT ?2", now.milliseconds, limit,
            map: outboxRow)
    }

    func nextAttemptTime() throws -> Timestamp? {
        try connection.query("SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'") { $0.optionalInt64(0) }
            .first?.map(Timestamp.init(milliseconds:))
    }

    func record(_ attempt: DeliveryAttempt, update: OutboxUpdate) throws {
        try write {
            try connection.execute(
                """
                INSERT INTO delivery_attempts (notification_id, attempt, started_at, duration_ms, outcome, status_code, error)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """,
                attempt.notificationID, attempt.attempt, attempt.startedAt.milliseconds, attempt.durationMilliseconds,
                attempt.outcome.rawValue, attempt.statusCode, attempt.error)
            switch update {
            case .delivered(let at):
                try connection.execute(
                    """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, finished_at = ?2, last_error = NULL
                    WHERE id = ?1 AND state = 'pending'
                    """, attempt.notificationID, at.milliseconds)
            case .retry(let next, let error):
                try connection.execute(
                    """
                    UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
                    WHERE id = ?1 AND state = 'pending'
                    """, attempt.notificationID, next.milliseconds, error)
            case .dead(let at, let error):
                try connection.execute(
                    """
                    UPDATE outbox SET state = 'dead', attempts = attempts + 1, finished_at = ?2, last_error = ?3
                    WHERE id = ?1 AND state = 'pending'
                    """, attempt.notificationID, at.milliseconds, error)
            }
        }
    }

    func outboxEntries(state: OutboxState?) throws -> [OutboxEntry] {
        if let state {
            return try connection.query("\(Self.outboxColumns) WHERE state = ?1 ORDER BY rowid", state.rawValue, map: outboxRow)
        }
        return try connection.query("\(Self.outboxColumns) ORDER BY rowid", map: outboxRow)
    }

    func pendingNotificationCount() throws -> Int {
        try connection.query("SELECT count(*) FROM outbox WHERE state = 'pending'") { $0.int(0) }.first ?? 0
    }

    func deliveryAttempts(notificationID: String?) throws -> [DeliveryAttempt] {
        let sql = """
            SELECT notification_id, attempt, started_at, duration_ms, outcome, status_code, error FROM delivery_attempts
            WHERE ?1 IS NULL OR notification_id = ?1 ORDER BY id
            """
        return try connection.query(sql, notificationID) { row in
            guard let outcome = DeliveryAttempt.Outcome(rawValue: row.text(4)) else {
                throw StoreError(code: .invalidData, message: "delivery_attempts: unknown outcome \"\(row.text(4))\"")
            }
            return DeliveryAttempt(
                notificationID: row.text(0), attempt: row.int(1), startedAt: Timestamp(milliseconds: row.int64(2)),
                durationMilliseconds: row.int64(3), outcome: outcome, statusCode: row.optionalInt64(5).map { Int($0) },
                error: row.optionalText(6))
        }
    }

    func notificationLog(since: Timestamp?) throws -> [NotificationLogEntry] {
        try connection.query(
            "SELECT at, receiver, group_key, reason, notification_id, firing, resolved FROM notification_log WHERE at >= ?1 ORDER BY id",
            since?.milliseconds ?? Int64.min
        ) { row in
            NotificationLogEntry(
                at: Timestamp(milliseconds: row.int64(0)), receiver: row.text(1), groupKey: row.text(2), reason: row.text(3),
                notificationID: row.optionalText(4), firing: JSONText.decodeStrings(row.text(5)) ?? [],
                resolved: JSONText.decodeStrings(row.text(6)) ?? [])
        }
    }

    // MARK: Silences

    func addSilence(_ s: Silence) throws {
        try write {
            try connection.execute(
                """
                INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """,
                s.id, JSONText.encode(s.matchers.map(\.description)), s.startsAt.milliseconds, s.endsAt.milliseconds, s.createdBy,
                s.comment, s.createdAt.milliseconds)
        }
    }

    func silences(at now: Timestamp, includeExpired: Bool) throws -> [Silence] {
        try connection.query(
            """
            SELECT id, matchers, starts_at, ends_at, created_by, comment, created_at FROM silences
            WHERE ?2 OR ends_at > ?1 ORDER BY starts_at, id
            """, now.milliseconds, includeExpired ? 1 : 0
        ) { row in
            guard let texts = JSONText.decodeStrings(row.text(1)) else {
                throw StoreError(code: .invalidData, message: "silences: matchers are not a JSON array of strings")
            }
            var matchers: [AlertMatcher] = []
            for t in texts {
                do { matchers.append(try AlertMatcher(parsing: t)) } catch {
                    throw StoreError(code: .invalidData, message: "silences: \(error)")
                }
            }
            return Silence(
                id: row.text(0), matchers: matchers, startsAt: Timestamp(milliseconds: row.int64(2)),
                endsAt: Timestamp(milliseconds: row.int64(3)), createdBy: row.text(4), comment: row.text(5),
                createdAt: Timestamp(milliseconds: row.int64(6)))
        }
    }

    func expireSilence(id: String, at now: Timestamp) throws -> Bool {
        try write {
            let exists = try connection.query("SELECT count(*) FROM silences WHERE id = ?1", id) { $0.int(0) }.first ?? 0
            guard exists > 0 else { return false }
            // A silence that has not started yet ends at its start (Alertmanager does the same).
            try connection.execute(
                "UPDATE silences SET ends_at = max(starts_at, ?2) WHERE id = ?1 AND ends_at > ?2", id, now.milliseconds)
            return true
        }
    }
}
